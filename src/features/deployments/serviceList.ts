// The services the ServiceManager reports, re-read on demand and on an interval (fast while the
// Deployments view is visible, slow otherwise so the status bar stays current). One read at a
// time: a refresh asked for during a read runs once after it, not in parallel.
import * as vscode from 'vscode';
import type { ServiceManager, ServiceStatus } from '../../platform/deploy/serviceManager.api';

export const FAST_INTERVAL_MS = 3_000;
export const SLOW_INTERVAL_MS = 15_000;

export class ServiceList implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<readonly ServiceStatus[]>();
  /** Fires after a read whose result differs from the previous one (or after a failed read). */
  readonly onDidChange = this.changed.event;
  private current: readonly ServiceStatus[] = [];
  private lastJson = '';
  private error: string | undefined;
  private reading: Promise<void> | undefined;
  private again = false;
  private timer: NodeJS.Timeout | undefined;
  private disposed = false;

  constructor(private readonly manager: ServiceManager, private readonly log: (line: string) => void) {}

  get services(): readonly ServiceStatus[] {
    return this.current;
  }

  /** Why the last read failed, if it did (shown in the view's message). */
  get lastError(): string | undefined {
    return this.error;
  }

  /** Re-reads now; resolves when a read that started after this call has finished. */
  refresh(): Promise<void> {
    if (this.reading) {
      this.again = true;
      return this.reading.then(() => this.reading ?? Promise.resolve());
    }
    this.reading = this.read().finally(() => {
      this.reading = undefined;
      if (this.again && !this.disposed) {
        this.again = false;
        void this.refresh();
      }
    });
    return this.reading;
  }

  /** Polls every `ms` milliseconds from now on (replacing the previous interval). */
  pollEvery(ms: number): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = setInterval(() => void this.refresh(), ms);
  }

  private async read(): Promise<void> {
    let services: ServiceStatus[];
    try {
      services = await this.manager.list();
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (message !== this.error) this.log(`Deployments: could not list services: ${message}`);
      this.error = message;
      this.changed.fire(this.current);
      return;
    }
    if (this.disposed) return;
    const hadError = this.error !== undefined;
    this.error = undefined;
    services.sort((a, b) => a.name.localeCompare(b.name));
    const json = JSON.stringify(services);
    if (json === this.lastJson && !hadError) return;
    this.lastJson = json;
    this.current = services;
    this.changed.fire(services);
  }

  dispose(): void {
    this.disposed = true;
    if (this.timer) clearInterval(this.timer);
    this.changed.dispose();
  }
}
