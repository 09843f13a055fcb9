// Tail Logs: one Output channel per service that follows the service's log file (like
// `tail -f`): the last 64 KiB first, then whatever is appended; a truncated or replaced file
// is read again from its start. Polling (watchFile) because the supervisor may be writing from
// another process and fs.watch is unreliable on some file systems.
import * as vscode from 'vscode';
import { closeSync, openSync, readSync, statSync, unwatchFile, watchFile, type Stats } from 'node:fs';

const INITIAL_BYTES = 64 * 1024;
const POLL_MS = 500;

export class LogTail implements vscode.Disposable {
  readonly channel: vscode.OutputChannel;
  private offset = 0;
  private readonly listener = (current: Stats, previous: Stats): void => this.onStat(current, previous);

  constructor(readonly service: string, readonly file: string) {
    this.channel = vscode.window.createOutputChannel(`Modelcloud Service: ${service}`);
    this.channel.appendLine(`Following ${file}`);
    try {
      const size = statSync(file).size;
      this.offset = Math.max(0, size - INITIAL_BYTES);
      if (this.offset > 0) this.channel.appendLine(`… (showing the last ${INITIAL_BYTES / 1024} KiB)`);
      this.readTo(size);
    } catch {
      this.channel.appendLine('(the log file does not exist yet; lines appear here once the service writes them)');
    }
    watchFile(file, { interval: POLL_MS, persistent: false }, this.listener);
  }

  /** How far into the file the channel has shown (tests use it to see that appended lines arrive). */
  get bytesShown(): number {
    return this.offset;
  }

  private onStat(current: Stats, previous: Stats): void {
    if (current.size < this.offset || (current.ino !== previous.ino && previous.ino !== 0)) {
      this.channel.appendLine('── log file restarted ──');
      this.offset = 0;
    }
    if (current.size > this.offset) this.readTo(current.size);
  }

  private readTo(size: number): void {
    let fd: number;
    try {
      fd = openSync(this.file, 'r');
    } catch {
      return;
    }
    try {
      const buffer = Buffer.alloc(Math.min(size - this.offset, 4 * 1024 * 1024));
      const read = readSync(fd, buffer, 0, buffer.length, this.offset);
      this.offset += read;
      if (read > 0) this.channel.append(buffer.subarray(0, read).toString('utf8'));
    } finally {
      closeSync(fd);
    }
  }

  dispose(): void {
    unwatchFile(this.file, this.listener);
    this.channel.dispose();
  }
}

/** One LogTail per service; showing a service again reveals its channel. */
export class LogTails implements vscode.Disposable {
  private readonly tails = new Map<string, LogTail>();

  show(service: string, file: string): LogTail {
    let tail = this.tails.get(service);
    if (tail && tail.file !== file) {
      tail.dispose();
      tail = undefined;
    }
    if (!tail) {
      tail = new LogTail(service, file);
      this.tails.set(service, tail);
    }
    tail.channel.show(true);
    return tail;
  }

  get(service: string): LogTail | undefined {
    return this.tails.get(service);
  }

  dispose(): void {
    for (const tail of this.tails.values()) tail.dispose();
    this.tails.clear();
  }
}
