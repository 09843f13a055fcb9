// The router's own Prometheus metrics (GET /metrics, text format 0.0.4). Plain counters in maps:
// the hot path does a map lookup and an increment, nothing else.

/** Upper bounds (seconds) of the latency histogram: sub-millisecond resolution where the router lives. */
export const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

class Histogram {
  readonly counts = new Array<number>(LATENCY_BUCKETS.length).fill(0);
  sum = 0;
  count = 0;
  observe(seconds: number): void {
    this.sum += seconds;
    this.count++;
    for (let i = 0; i < LATENCY_BUCKETS.length; i++) {
      if (seconds <= LATENCY_BUCKETS[i]) { this.counts[i]++; return; }
    }
  }
}

export class RouterMetrics {
  private readonly requests = new Map<string, number>();
  private readonly latency = new Map<string, Histogram>();
  private readonly retries = new Map<string, number>();
  private readonly feedback = new Map<string, number>();
  private readonly rejected = new Map<string, number>();

  constructor(private readonly experiment: string) {}

  request(variant: string, phase: string, status: number, seconds: number): void {
    const key = `${variant}\u0000${phase}\u0000${status}`;
    this.requests.set(key, (this.requests.get(key) ?? 0) + 1);
    let h = this.latency.get(variant);
    if (!h) { h = new Histogram(); this.latency.set(variant, h); }
    h.observe(seconds);
  }

  retry(variant: string): void {
    this.retries.set(variant, (this.retries.get(variant) ?? 0) + 1);
  }

  feedbackRecorded(variant: string, metric: string): void {
    const key = `${variant}\u0000${metric}`;
    this.feedback.set(key, (this.feedback.get(key) ?? 0) + 1);
  }

  /** Requests answered by the router itself before any variant was chosen (400 missing key, 413, ...). */
  rejectedRequest(reason: string): void {
    this.rejected.set(reason, (this.rejected.get(reason) ?? 0) + 1);
  }

  /** Per variant: requests and those answered >= 500 (or not at all), for /admin/state. */
  countsByVariant(): Record<string, { requests: number; errors: number }> {
    const out: Record<string, { requests: number; errors: number }> = {};
    for (const [key, n] of this.requests) {
      const [variant, , status] = key.split('\u0000');
      const c = (out[variant] ??= { requests: 0, errors: 0 });
      c.requests += n;
      if (Number(status) >= 500) c.errors += n;
    }
    return out;
  }

  feedbackTotal(): number {
    let n = 0;
    for (const v of this.feedback.values()) n += v;
    return n;
  }

  render(gauges: { status: string; replicas: Array<{ variant: string; url: string; healthy: boolean; inFlight: number; sent: number }>; store: { queued: number; written: number; dropped: number; errors: number } }): string {
    const exp = label(this.experiment);
    const lines: string[] = [];
    lines.push('# HELP modelcloud_router_requests_total Requests routed, by variant, phase (running counts in the experiment) and HTTP status.');
    lines.push('# TYPE modelcloud_router_requests_total counter');
    for (const [key, n] of this.requests) {
      const [variant, phase, status] = key.split('\u0000');
      lines.push(`modelcloud_router_requests_total{experiment="${exp}",variant="${label(variant)}",phase="${phase}",status="${status}"} ${n}`);
    }
    lines.push('# HELP modelcloud_router_request_duration_seconds Time from request received to response sent, through the router.');
    lines.push('# TYPE modelcloud_router_request_duration_seconds histogram');
    for (const [variant, h] of this.latency) {
      const base = `experiment="${exp}",variant="${label(variant)}"`;
      let cumulative = 0;
      LATENCY_BUCKETS.forEach((le, i) => {
        cumulative += h.counts[i];
        lines.push(`modelcloud_router_request_duration_seconds_bucket{${base},le="${le}"} ${cumulative}`);
      });
      lines.push(`modelcloud_router_request_duration_seconds_bucket{${base},le="+Inf"} ${h.count}`);
      lines.push(`modelcloud_router_request_duration_seconds_sum{${base}} ${h.sum}`);
      lines.push(`modelcloud_router_request_duration_seconds_count{${base}} ${h.count}`);
    }
    lines.push('# HELP modelcloud_router_retries_total Idempotent requests sent again to another replica of the same variant.');
    lines.push('# TYPE modelcloud_router_retries_total counter');
    for (const [variant, n] of this.retries) lines.push(`modelcloud_router_retries_total{experiment="${exp}",variant="${label(variant)}"} ${n}`);
    lines.push('# HELP modelcloud_router_feedback_total KPI values received on POST /feedback.');
    lines.push('# TYPE modelcloud_router_feedback_total counter');
    for (const [key, n] of this.feedback) {
      const [variant, metric] = key.split('\u0000');
      lines.push(`modelcloud_router_feedback_total{experiment="${exp}",variant="${label(variant)}",metric="${label(metric)}"} ${n}`);
    }
    lines.push('# HELP modelcloud_router_rejected_total Requests the router answered itself (no variant chosen).');
    lines.push('# TYPE modelcloud_router_rejected_total counter');
    for (const [reason, n] of this.rejected) lines.push(`modelcloud_router_rejected_total{experiment="${exp}",reason="${label(reason)}"} ${n}`);
    lines.push('# HELP modelcloud_router_replica_healthy 1 while a replica is taking traffic, 0 after a connection failure until /healthz answers again.');
    lines.push('# TYPE modelcloud_router_replica_healthy gauge');
    for (const r of gauges.replicas) lines.push(`modelcloud_router_replica_healthy{experiment="${exp}",variant="${label(r.variant)}",replica="${label(r.url)}"} ${r.healthy ? 1 : 0}`);
    lines.push('# HELP modelcloud_router_in_flight Requests forwarded and not yet answered, per replica.');
    lines.push('# TYPE modelcloud_router_in_flight gauge');
    for (const r of gauges.replicas) lines.push(`modelcloud_router_in_flight{experiment="${exp}",variant="${label(r.variant)}",replica="${label(r.url)}"} ${r.inFlight}`);
    lines.push('# HELP modelcloud_router_replica_requests_total Attempts sent to each replica (first tries and retries).');
    lines.push('# TYPE modelcloud_router_replica_requests_total counter');
    for (const r of gauges.replicas) lines.push(`modelcloud_router_replica_requests_total{experiment="${exp}",variant="${label(r.variant)}",replica="${label(r.url)}"} ${r.sent}`);
    lines.push('# HELP modelcloud_router_experiment_status 1 for the current status (running, paused, stopped).');
    lines.push('# TYPE modelcloud_router_experiment_status gauge');
    for (const s of ['running', 'paused', 'stopped']) lines.push(`modelcloud_router_experiment_status{experiment="${exp}",status="${s}"} ${s === gauges.status ? 1 : 0}`);
    lines.push('# HELP modelcloud_router_store_rows Rows for the store: queued, written, dropped (queue full), write errors.');
    lines.push('# TYPE modelcloud_router_store_rows gauge');
    for (const [k, v] of Object.entries(gauges.store)) lines.push(`modelcloud_router_store_rows{experiment="${exp}",state="${k}"} ${v}`);
    return `${lines.join('\n')}\n`;
  }
}

/** Escapes a Prometheus label value (backslash, quote, newline). */
function label(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}
