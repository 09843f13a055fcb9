// One point of a monitored service's time series: what happened between two scrapes of its
// /metrics. Shared by the derivation, the store, the alert rules and the dashboard contract.

export interface MonitoringSample {
  /** Target key: a service name, or `router:<experiment>` for an A/B router. */
  service: string;
  /** End of the interval (the second scrape), ms since the epoch. */
  ms: number;
  /** Length of the interval the figures describe. */
  intervalMs: number;
  /** false: the target did not answer (a gap in the charts, not a zero). */
  up: boolean;
  /** Command requests answered in the interval (all status codes). */
  requests: number;
  /** Of those, answered 5xx. */
  errors: number;
  rps: number;
  /** Latency quantiles in ms from the interval's histogram buckets; null without requests. */
  p50: number | null;
  p95: number | null;
  p99: number | null;
  /** errors / requests (0..1); null without requests. */
  errorRate: number | null;
  modelVersion: string | null;
  /** The counters went backwards: the process restarted (or a new revision went live). */
  restarted: boolean;
}

/** A sample for a target that did not answer: everything unknown, drawn as a gap. */
export function gapSample(service: string, ms: number, intervalMs: number, modelVersion: string | null = null): MonitoringSample {
  return {
    service, ms, intervalMs, up: false, requests: 0, errors: 0, rps: 0,
    p50: null, p95: null, p99: null, errorRate: null, modelVersion, restarted: false,
  };
}
