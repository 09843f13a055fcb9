// Turns a stream of "this file changed" notifications into ingest runs: debounced, one at a
// time, with paths that change during a run accumulated and processed by the next run.
// Pure: the clock is injected, so tests drive time by hand; the watcher and the ingest are
// plugged in by the extension.

/** What one ingest run should cover. `all` means a full rescan (paths are then irrelevant). */
export interface IngestWork {
  all: boolean;
  paths: string[];
}

/** The part of a timer API the queue needs (setTimeout/clearTimeout, or a fake). */
export interface Timers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface IngestQueueOptions {
  /** Quiet time after the last notification before a run starts. */
  debounceMs: number;
  /**
   * Upper bound on how long a notification may wait while notifications keep arriving
   * (a run that logs every 50 ms would otherwise postpone ingest forever).
   */
  maxWaitMs: number;
  /** Errors of runs nobody awaits (those started by notifications) end up here. */
  onError(error: unknown): void;
}

interface Waiter<R> {
  resolve(result: R): void;
  reject(error: unknown): void;
}

export class IngestQueue<R> {
  private readonly pendingPaths = new Set<string>();
  private pendingAll = false;
  private pendingWaiters: Array<Waiter<R>> = [];
  private firstPendingAt: number | undefined;
  private timer: unknown;
  private running = false;
  private disposed = false;
  private idleWaiters: Array<() => void> = [];

  constructor(
    private readonly runWork: (work: IngestWork) => Promise<R>,
    private readonly timers: Timers,
    private readonly now: () => number,
    private readonly options: IngestQueueOptions,
  ) {}

  /** A trigger file changed: ingest it soon, together with whatever else changes meanwhile. */
  notify(path: string): void {
    if (this.disposed) return;
    this.pendingPaths.add(path);
    this.firstPendingAt ??= this.now();
    this.schedule();
  }

  /**
   * Ingest everything as soon as the current run (if any) is done, without debounce.
   * Resolves with the result of the run that covered the request.
   */
  requestAll(): Promise<R> {
    if (this.disposed) return Promise.reject(new Error('The ingest queue was disposed (the extension is shutting down).'));
    this.pendingAll = true;
    this.firstPendingAt ??= this.now();
    const done = new Promise<R>((resolve, reject) => this.pendingWaiters.push({ resolve, reject }));
    this.clearTimer();
    this.startIfPossible();
    return done;
  }

  /** True while a run is in progress or work is waiting. */
  get busy(): boolean {
    return this.running || this.hasPending();
  }

  /** Resolves when no run is in progress and nothing is waiting (immediately if so already). */
  whenIdle(): Promise<void> {
    if (!this.busy) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Stops timers and drops pending work; a run in progress finishes on its own. */
  dispose(): void {
    this.disposed = true;
    this.clearTimer();
    this.pendingPaths.clear();
    this.pendingAll = false;
    const waiters = this.pendingWaiters;
    this.pendingWaiters = [];
    for (const waiter of waiters) waiter.reject(new Error('The ingest queue was disposed before this ingest ran.'));
    if (!this.running) this.settleIdle();
  }

  private schedule(): void {
    if (this.running) return; // the run in progress picks the work up when it ends
    this.clearTimer();
    const waited = this.now() - (this.firstPendingAt ?? this.now());
    const delay = Math.max(0, Math.min(this.options.debounceMs, this.options.maxWaitMs - waited));
    this.timer = this.timers.setTimeout(() => {
      this.timer = undefined;
      this.startIfPossible();
    }, delay);
  }

  private startIfPossible(): void {
    if (this.running || this.disposed || !this.hasPending()) return;
    const work: IngestWork = { all: this.pendingAll, paths: this.pendingAll ? [] : [...this.pendingPaths] };
    const waiters = this.pendingWaiters;
    this.pendingPaths.clear();
    this.pendingAll = false;
    this.pendingWaiters = [];
    this.firstPendingAt = undefined;
    this.running = true;
    let promise: Promise<R>;
    try {
      promise = this.runWork(work);
    } catch (error) {
      promise = Promise.reject(error);
    }
    promise.then(
      (result) => {
        for (const waiter of waiters) waiter.resolve(result);
      },
      (error: unknown) => {
        if (waiters.length === 0) {
          try { this.options.onError(error); } catch { /* a failing error handler must not stall the queue */ }
        }
        for (const waiter of waiters) waiter.reject(error);
      },
    ).finally(() => {
      this.running = false;
      if (this.disposed) {
        this.settleIdle();
        return;
      }
      // Work that arrived during the run: requested full rescans go at once, file changes
      // get their (possibly already elapsed) debounce.
      if (this.pendingAll) this.startIfPossible();
      else if (this.pendingPaths.size > 0) this.schedule();
      if (!this.busy) this.settleIdle();
    });
  }

  private hasPending(): boolean {
    return this.pendingAll || this.pendingPaths.size > 0;
  }

  private clearTimer(): void {
    if (this.timer !== undefined) {
      this.timers.clearTimeout(this.timer);
      this.timer = undefined;
    }
  }

  private settleIdle(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}
