// Scrape pair → MonitoringSample: throughput, latency quantiles and error rate over the interval
// between two scrapes of a target's /metrics, using the core Prometheus helpers. Pure.
//
// Counters only ever grow while a process lives (the model runtime sums every worker's counters,
// including exited workers'), so any counter or bucket going down means the process restarted — a
// restart, or a new revision behind the supervisor's stable port. Then the interval's figures are
// the current values themselves (the new process started from zero), as Prometheus' rate() does.
import {
  bucketsIncrease, histogramQuantile, histogramSeries, mergeHistograms, seriesKey,
  type HistogramSeries, type MetricFamily, type ParsedMetrics,
} from './prometheusText';
import type { MonitoringSample } from './sample';

/** Which metric names a kind of target exports. */
export interface MetricProfile {
  /** Counter of command requests, one series per status code. */
  requests: string;
  /** The label holding the HTTP status. */
  statusLabel: string;
  /** Histogram of request handling time in seconds. */
  latency: string;
  /** Gauge whose `version` label names the served model version (optional). */
  versionInfo?: string;
}

export const SERVICE_PROFILE: MetricProfile = {
  requests: 'modelcloud_requests_total', statusLabel: 'code',
  latency: 'modelcloud_request_duration_seconds', versionInfo: 'modelcloud_model_info',
};

export const ROUTER_PROFILE: MetricProfile = {
  requests: 'modelcloud_router_requests_total', statusLabel: 'status',
  latency: 'modelcloud_router_request_duration_seconds',
};

/** The profile that matches a scrape: the router's names when present, else the service runtime's. */
export function profileFor(metrics: ParsedMetrics): MetricProfile {
  return familyOf(metrics, ROUTER_PROFILE.requests) ? ROUTER_PROFILE : SERVICE_PROFILE;
}

export interface Scrape {
  ms: number;
  metrics: ParsedMetrics;
  /** model_version from the target's /version, when it answered. */
  modelVersion?: string | null;
}

/** The sample for the interval (previous.ms, current.ms]. Throws when the scrapes are out of order. */
export function deriveSample(service: string, previous: Scrape, current: Scrape, profile: MetricProfile = profileFor(current.metrics)): MonitoringSample {
  const intervalMs = current.ms - previous.ms;
  if (!(intervalMs > 0)) throw new RangeError(`scrapes of ${service} must be in time order: ${previous.ms} then ${current.ms}`);

  const before = counterValues(familyOf(previous.metrics, profile.requests), profile.requests);
  const now = counterValues(familyOf(current.metrics, profile.requests), profile.requests);
  const histBefore = latencyHistogram(previous.metrics, profile);
  const histNow = latencyHistogram(current.metrics, profile);

  const restarted = [...before].some(([key, v]) => (now.get(key)?.value ?? 0) < v.value)
    || (histBefore !== undefined && histNow !== undefined && histNow.count < histBefore.count);

  let requests = 0;
  let errors = 0;
  for (const [key, { value, labels }] of now) {
    const increase = restarted ? value : value - (before.get(key)?.value ?? 0);
    if (!(increase > 0)) continue;
    requests += increase;
    if (Number(labels[profile.statusLabel]) >= 500) errors += increase;
  }

  let p50: number | null = null;
  let p95: number | null = null;
  let p99: number | null = null;
  if (histNow) {
    const buckets = restarted || !histBefore ? histNow.buckets : bucketsIncrease(histBefore.buckets, histNow.buckets);
    const observed = buckets.length ? buckets[buckets.length - 1].count : 0;
    if (observed > 0) {
      p50 = toMs(histogramQuantile(0.5, buckets));
      p95 = toMs(histogramQuantile(0.95, buckets));
      p99 = toMs(histogramQuantile(0.99, buckets));
    }
  }

  return {
    service,
    ms: current.ms,
    intervalMs,
    up: true,
    requests,
    errors,
    rps: requests / (intervalMs / 1000),
    p50, p95, p99,
    errorRate: requests > 0 ? errors / requests : null,
    // The version most workers serve (metrics cover all workers) rather than /version, which the
    // one worker that happened to answer reports: mid hot update those two can differ.
    modelVersion: servedVersion(current.metrics, profile) ?? current.modelVersion ?? null,
    restarted,
  };
}

/** The version most workers serve, from the `versionInfo` gauge (`modelcloud_model_info{version}`). */
export function servedVersion(metrics: ParsedMetrics, profile: MetricProfile): string | undefined {
  if (!profile.versionInfo) return undefined;
  const family = familyOf(metrics, profile.versionInfo);
  let best: { version: string; workers: number } | undefined;
  for (const s of family?.samples ?? []) {
    const version = s.labels.version;
    if (version !== undefined && s.value > 0 && (!best || s.value > best.workers)) best = { version, workers: s.value };
  }
  return best?.version;
}

/** A family by its name, or (prometheus_client style) by the name without `_total`. */
function familyOf(metrics: ParsedMetrics, name: string): MetricFamily | undefined {
  return metrics.get(name) ?? (name.endsWith('_total') ? metrics.get(name.slice(0, -'_total'.length)) : undefined);
}

function counterValues(family: MetricFamily | undefined, sampleName: string): Map<string, { value: number; labels: Record<string, string> }> {
  const out = new Map<string, { value: number; labels: Record<string, string> }>();
  for (const s of family?.samples ?? []) {
    if (s.name === sampleName && Number.isFinite(s.value)) out.set(seriesKey(s.name, s.labels), { value: s.value, labels: s.labels });
  }
  return out;
}

/** All label sets of the latency histogram (commands, variants) added into one. */
function latencyHistogram(metrics: ParsedMetrics, profile: MetricProfile): HistogramSeries | undefined {
  const family = metrics.get(profile.latency);
  if (!family || family.type !== 'histogram') return undefined;
  const series = histogramSeries(family).filter((s) => s.buckets.length > 0);
  return series.length ? mergeHistograms(series) : undefined;
}

function toMs(seconds: number): number | null {
  return Number.isFinite(seconds) ? seconds * 1000 : null;
}
