// Sliding-window error rate of the requests a service's proxy forwarded, for automatic rollback.
// Pure: callers pass the clock. Requests are counted in one-second buckets so memory stays
// constant however many requests per second pass through.

export interface ErrorWindowSnapshot {
  requests: number;
  errors: number;
  /** errors / requests, 0 when there were no requests. */
  rate: number;
}

export class ErrorWindow {
  private readonly buckets: Array<{ second: number; requests: number; errors: number }> = [];

  constructor(readonly windowMs: number) {
    if (!(windowMs >= 1000)) throw new Error(`error-rate window must be at least 1000 ms, got ${windowMs}`);
  }

  record(nowMs: number, isError: boolean): void {
    const second = Math.floor(nowMs / 1000);
    let last = this.buckets[this.buckets.length - 1];
    if (!last || last.second !== second) {
      last = { second, requests: 0, errors: 0 };
      this.buckets.push(last);
    }
    last.requests++;
    if (isError) last.errors++;
    this.expire(nowMs);
  }

  snapshot(nowMs: number): ErrorWindowSnapshot {
    this.expire(nowMs);
    let requests = 0;
    let errors = 0;
    for (const b of this.buckets) { requests += b.requests; errors += b.errors; }
    return { requests, errors, rate: requests === 0 ? 0 : errors / requests };
  }

  reset(): void {
    this.buckets.length = 0;
  }

  private expire(nowMs: number): void {
    const oldest = Math.floor((nowMs - this.windowMs) / 1000);
    while (this.buckets.length && this.buckets[0].second <= oldest) this.buckets.shift();
  }
}

/** When automatic rollback triggers. Off unless `enabled`. */
export interface AutoRollbackPolicy {
  enabled: boolean;
  /** Fraction of failed requests (5xx or no answer) that triggers a rollback, 0 < threshold <= 1. */
  threshold: number;
  windowMs: number;
  /** Fewer requests than this in the window never trigger (one failure out of two is no signal). */
  minRequests: number;
  /** A just-activated revision is judged only after this long, so its warm-up does not count. */
  graceMs: number;
}

export const DEFAULT_AUTO_ROLLBACK: AutoRollbackPolicy = {
  enabled: false, threshold: 0.5, windowMs: 30_000, minRequests: 20, graceMs: 0,
};

/** Checks a policy a user typed (CLI flag, manifest) and names the bad field. */
export function validateAutoRollback(policy: AutoRollbackPolicy): string | undefined {
  if (!(policy.threshold > 0 && policy.threshold <= 1)) return `auto-rollback threshold must be in (0, 1], got ${policy.threshold}`;
  if (!(policy.windowMs >= 1000)) return `auto-rollback window must be at least 1 s, got ${policy.windowMs} ms`;
  if (!(Number.isInteger(policy.minRequests) && policy.minRequests >= 1)) return `auto-rollback minimum requests must be a whole number >= 1, got ${policy.minRequests}`;
  if (!(policy.graceMs >= 0)) return `auto-rollback grace must be >= 0 ms, got ${policy.graceMs}`;
  return undefined;
}

/** Whether the window's numbers call for a rollback now. */
export function shouldAutoRollback(
  policy: AutoRollbackPolicy, window: ErrorWindowSnapshot, activeSinceMs: number, nowMs: number, hasPrevious: boolean,
): boolean {
  if (!policy.enabled || !hasPrevious) return false;
  if (nowMs - activeSinceMs < policy.graceMs) return false;
  return window.requests >= policy.minRequests && window.rate >= policy.threshold;
}
