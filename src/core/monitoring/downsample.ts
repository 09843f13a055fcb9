// Coarser samples for long time ranges and old history: the samples of one target inside each
// bucket of `bucketMs` become one. Counts add up exactly; quantiles cannot be merged exactly from
// quantiles, so p50 is the request-weighted mean and p95/p99 the worst of the bucket (an alert
// chart should over- rather than under-state a tail).
import type { MonitoringSample } from './sample';

/** Samples of ONE target in time order → one sample per bucket, stamped at the bucket's end. */
export function downsampleSamples(samples: readonly MonitoringSample[], bucketMs: number): MonitoringSample[] {
  if (!(bucketMs > 0)) throw new RangeError(`bucket size must be positive, got ${bucketMs}`);
  const out: MonitoringSample[] = [];
  let group: MonitoringSample[] = [];
  let groupBucket = NaN;
  const flush = () => { if (group.length) out.push(merge(group, (groupBucket + 1) * bucketMs)); group = []; };
  for (const s of samples) {
    const bucket = Math.floor((s.ms - 1) / bucketMs);
    if (bucket !== groupBucket) { flush(); groupBucket = bucket; }
    group.push(s);
  }
  flush();
  return out;
}

function merge(group: readonly MonitoringSample[], endMs: number): MonitoringSample {
  const up = group.filter((s) => s.up);
  const last = group[group.length - 1];
  const intervalMs = group.reduce((a, s) => a + s.intervalMs, 0);
  if (up.length === 0) {
    return { ...last, ms: endMs, intervalMs, up: false, requests: 0, errors: 0, rps: 0, p50: null, p95: null, p99: null, errorRate: null, restarted: false };
  }
  const requests = up.reduce((a, s) => a + s.requests, 0);
  const errors = up.reduce((a, s) => a + s.errors, 0);
  const upMs = up.reduce((a, s) => a + s.intervalMs, 0);
  const weighted = up.filter((s) => s.p50 !== null && s.requests > 0);
  const weight = weighted.reduce((a, s) => a + s.requests, 0);
  const worst = (pick: (s: MonitoringSample) => number | null): number | null => {
    const values = up.map(pick).filter((v): v is number => v !== null);
    return values.length ? Math.max(...values) : null;
  };
  return {
    service: last.service,
    ms: endMs,
    intervalMs,
    up: true,
    requests,
    errors,
    rps: upMs > 0 ? requests / (upMs / 1000) : 0,
    p50: weight > 0 ? weighted.reduce((a, s) => a + (s.p50 as number) * s.requests, 0) / weight : null,
    p95: worst((s) => s.p95),
    p99: worst((s) => s.p99),
    errorRate: requests > 0 ? errors / requests : null,
    modelVersion: [...up].reverse().find((s) => s.modelVersion !== null)?.modelVersion ?? null,
    restarted: group.some((s) => s.restarted),
  };
}
