// Where a supervisor writes: each revision's own log (for failure excerpts) and the service log,
// which interleaves supervisor events and all revisions' output, prefixed, for tailing.
import { appendFileSync, mkdirSync, renameSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
export { tailFile } from '../platform/deploy/tailFile';

/** The service log is rotated to .1 beyond this size, so a chatty service cannot fill the disk. */
const MAX_LOG_BYTES = 20 * 1024 * 1024;

export class LogSink {
  private written = 0;

  constructor(private readonly serviceLog: string) {
    mkdirSync(dirname(serviceLog), { recursive: true });
    try { this.written = statSync(serviceLog).size; } catch { this.written = 0; }
  }

  event(message: string): void {
    this.append(`${new Date().toISOString()} [supervisor] ${message}\n`);
  }

  /** A revision's output: whole lines into its own file and, prefixed, into the service log. */
  revisionOutput(revision: number, file: string, text: string): void {
    try { appendFileSync(file, text); } catch { /* its folder was removed by a stop; nothing to keep */ }
    const prefixed = text.replace(/^(?=.)/gm, `[r${revision}] `);
    this.append(prefixed);
  }

  private append(text: string): void {
    try {
      if (this.written > MAX_LOG_BYTES) {
        renameSync(this.serviceLog, `${this.serviceLog}.1`);
        this.written = 0;
      }
      appendFileSync(this.serviceLog, text);
      this.written += Buffer.byteLength(text);
    } catch { /* logging must never take the supervisor down */ }
  }
}
