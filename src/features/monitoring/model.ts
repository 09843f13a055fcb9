// Store samples → chart points for a time range. Ranges over an hour are folded into one-minute
// buckets (a day of 5 s scrapes would be 17,280 points per series: more than the chart's width).
import { downsampleSamples } from '../../core/monitoring/downsample';
import type { MonitoringSample } from '../../core/monitoring/sample';
import type { ChartPoint, RangeMinutes } from '../../protocol/monitoring';
import type { MetricsStore } from '../../platform/monitoring/metricsStore';

export const MINUTE_BUCKET_MS = 60_000;

export function bucketFor(rangeMinutes: RangeMinutes): number {
  return rangeMinutes > 60 ? MINUTE_BUCKET_MS : 0;
}

export function toChartPoint(s: MonitoringSample): ChartPoint {
  return {
    ms: s.ms, up: s.up, rps: s.rps, requests: s.requests, p50: s.p50, p95: s.p95, p99: s.p99,
    errorPercent: s.errorRate === null ? null : s.errorRate * 100, modelVersion: s.modelVersion,
  };
}

export function historyPoints(store: MetricsStore, target: string, rangeMinutes: RangeMinutes, nowMs: number): { points: ChartPoint[]; bucketMs: number } {
  const samples = store.range(target, nowMs - rangeMinutes * 60_000, nowMs);
  const bucketMs = bucketFor(rangeMinutes);
  return { points: (bucketMs ? downsampleSamples(samples, bucketMs) : samples).map(toChartPoint), bucketMs };
}
