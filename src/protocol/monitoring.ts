// Host <-> webview contract of the Monitoring dashboard (src/features/monitoring ↔ webview/monitoring).
// After `ready` the host sends one full `state` (history from the store for the chosen time range),
// then `samples` deltas as the poller scrapes, and `alerts` whenever an incident opens or ends.

export type RangeMinutes = 15 | 60 | 1440;
export const RANGES: readonly RangeMinutes[] = [15, 60, 1440];

/** One chart point: a scrape interval (raw) or a folded bucket (long ranges). */
export interface ChartPoint {
  /** End of the interval, ms since the epoch. */
  ms: number;
  /** false: the target did not answer (drawn as a gap). */
  up: boolean;
  rps: number;
  requests: number;
  /** ms; null without traffic. */
  p50: number | null;
  p95: number | null;
  p99: number | null;
  /** Percent (0..100); null without traffic. */
  errorPercent: number | null;
  modelVersion: string | null;
}

export interface MonitoredTarget {
  /** Store key: service name or `router:<experiment>`. */
  key: string;
  kind: 'service' | 'router';
  /** Running now (polled); otherwise only its history is shown. */
  live: boolean;
  url?: string;
}

export interface FiringAlert {
  service: string;
  /** `error rate > 5% for 30 s` */
  rule: string;
  message: string;
  sinceMs: number;
}

export interface MonitoringState {
  type: 'state';
  targets: MonitoredTarget[];
  /** The target shown; undefined when nothing was ever monitored. */
  selected?: string;
  rangeMinutes: RangeMinutes;
  /** Points of `selected`, oldest first. */
  points: ChartPoint[];
  /** Bucket size of `points` (0: raw scrape intervals). */
  bucketMs: number;
  intervalSeconds: number;
  rules: string[];
  alerts: FiringAlert[];
  /** Roll Back is offered (a service, in a trusted workspace). */
  canRollBack: boolean;
}

export interface SamplesMessage {
  type: 'samples';
  service: string;
  points: ChartPoint[];
}

export interface AlertsMessage {
  type: 'alerts';
  alerts: FiringAlert[];
}

export type MonitoringToView = MonitoringState | SamplesMessage | AlertsMessage | { type: 'error'; message: string };

export type MonitoringFromView =
  | { type: 'select'; target: string }
  | { type: 'range'; minutes: RangeMinutes }
  | { type: 'rollback'; target: string };

export interface MonitoringViewState {
  selected?: string;
  rangeMinutes?: RangeMinutes;
}
