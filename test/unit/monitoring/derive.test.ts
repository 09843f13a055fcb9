import * as assert from 'node:assert/strict';
import { deriveSample, profileFor, ROUTER_PROFILE, SERVICE_PROFILE } from '../../../src/core/monitoring/derive';
import { parsePrometheusText } from '../../../src/core/monitoring/prometheusText';

/** The model runtime's /metrics text (src/python/modelcloud/serving/metrics.py) for given counters. */
function serviceText(codes: Record<string, number>, buckets: Array<[string, number]>, sum: number, version = 'models:/wine/3'): string {
  const lines = ['# HELP modelcloud_requests_total Requests to service commands by status code.', '# TYPE modelcloud_requests_total counter'];
  for (const [code, n] of Object.entries(codes)) lines.push(`modelcloud_requests_total{command="predict",code="${code}"} ${n}`);
  lines.push('# TYPE modelcloud_request_duration_seconds histogram');
  for (const [le, n] of buckets) lines.push(`modelcloud_request_duration_seconds_bucket{command="predict",le="${le}"} ${n}`);
  const count = buckets[buckets.length - 1][1];
  lines.push(`modelcloud_request_duration_seconds_sum{command="predict"} ${sum}`, `modelcloud_request_duration_seconds_count{command="predict"} ${count}`);
  lines.push('# TYPE modelcloud_model_info gauge', `modelcloud_model_info{version="${version}"} 2`);
  return `${lines.join('\n')}\n`;
}

const scrape = (ms: number, text: string, modelVersion?: string | null) => ({ ms, metrics: parsePrometheusText(text), modelVersion });

describe('monitoring derive: scrape pair → sample', () => {
  it('computes throughput and error rate from counter increases over the interval', () => {
    const a = scrape(1000, serviceText({ 200: 100, 500: 2 }, [['0.01', 50], ['0.1', 100], ['+Inf', 102]], 3));
    const b = scrape(6000, serviceText({ 200: 145, 500: 7 }, [['0.01', 80], ['0.1', 150], ['+Inf', 152]], 5));
    const s = deriveSample('wine-api', a, b);
    assert.equal(s.intervalMs, 5000);
    assert.equal(s.requests, 50);
    assert.equal(s.errors, 5);
    assert.equal(s.rps, 10);
    assert.equal(s.errorRate, 0.1);
    assert.equal(s.restarted, false);
    assert.equal(s.up, true);
  });

  it('takes quantiles from the interval\'s bucket increase, not from everything since start', () => {
    // Before: 1000 fast requests. In the interval: 100 requests all between 0.1 and 1 s.
    const a = scrape(0, serviceText({ 200: 1000 }, [['0.01', 1000], ['0.1', 1000], ['1', 1000], ['+Inf', 1000]], 5));
    const b = scrape(5000, serviceText({ 200: 1100 }, [['0.01', 1000], ['0.1', 1000], ['1', 1100], ['+Inf', 1100]], 55));
    const s = deriveSample('svc', a, b);
    // Linear interpolation inside (0.1, 1]: rank q*100 of 100 → 0.1 + 0.9 q seconds.
    assert.ok(Math.abs(s.p50! - 550) < 1e-9, String(s.p50));
    assert.ok(Math.abs(s.p95! - 955) < 1e-9, String(s.p95));
    assert.ok(Math.abs(s.p99! - 991) < 1e-9, String(s.p99));
  });

  it('treats counters going down as a restart: the new process\'s counts are the interval\'s', () => {
    const a = scrape(0, serviceText({ 200: 5000, 500: 10 }, [['0.01', 4000], ['+Inf', 5010]], 30));
    const b = scrape(5000, serviceText({ 200: 20, 500: 5 }, [['0.01', 25], ['+Inf', 25]], 0.1));
    const s = deriveSample('svc', a, b);
    assert.equal(s.restarted, true);
    assert.equal(s.requests, 25);
    assert.equal(s.errors, 5);
    assert.equal(s.errorRate, 0.2);
    assert.ok(s.p50! > 0 && s.p50! <= 10, String(s.p50));
  });

  it('counts a status code series that first appears in the second scrape from zero', () => {
    const a = scrape(0, serviceText({ 200: 10 }, [['0.01', 10], ['+Inf', 10]], 0.01));
    const b = scrape(1000, serviceText({ 200: 12, 503: 3 }, [['0.01', 15], ['+Inf', 15]], 0.02));
    const s = deriveSample('svc', a, b);
    assert.equal(s.requests, 5);
    assert.equal(s.errors, 3);
    assert.equal(s.restarted, false);
  });

  it('has no latency or error rate without traffic, and keeps the model version', () => {
    const text = serviceText({ 200: 10 }, [['0.01', 10], ['+Inf', 10]], 0.01);
    const s = deriveSample('svc', scrape(0, text), scrape(5000, text));
    assert.equal(s.rps, 0);
    assert.equal(s.p99, null);
    assert.equal(s.errorRate, null);
    assert.equal(s.modelVersion, 'models:/wine/3', 'from modelcloud_model_info');
    // modelcloud_model_info counts all workers; /version is one worker's answer (they differ mid hot update).
    assert.equal(deriveSample('svc', scrape(0, text), scrape(5000, text, 'models:/wine/4')).modelVersion, 'models:/wine/3', 'the workers\' majority wins');
    const noInfo = text.replace(/^# TYPE modelcloud_model_info gauge\n.*\n/m, '');
    assert.equal(deriveSample('svc', scrape(0, noInfo), scrape(5000, noInfo, 'models:/wine/4')).modelVersion, 'models:/wine/4', '/version without the gauge');
  });

  it('reads the A/B router\'s metric names (status label, per-variant histograms merged)', () => {
    const router = (ok: number, bad: number, fast: number, slow: number) => [
      '# TYPE modelcloud_router_requests_total counter',
      `modelcloud_router_requests_total{experiment="e",variant="a",phase="running",status="200"} ${ok}`,
      `modelcloud_router_requests_total{experiment="e",variant="b",phase="running",status="502"} ${bad}`,
      '# TYPE modelcloud_router_request_duration_seconds histogram',
      `modelcloud_router_request_duration_seconds_bucket{experiment="e",variant="a",le="0.001"} ${fast}`,
      `modelcloud_router_request_duration_seconds_bucket{experiment="e",variant="a",le="+Inf"} ${fast}`,
      `modelcloud_router_request_duration_seconds_bucket{experiment="e",variant="b",le="0.001"} 0`,
      `modelcloud_router_request_duration_seconds_bucket{experiment="e",variant="b",le="+Inf"} ${slow}`,
      '',
    ].join('\n');
    const a = scrape(0, router(10, 0, 10, 0));
    const b = scrape(2000, router(28, 2, 28, 2));
    assert.equal(profileFor(b.metrics), ROUTER_PROFILE);
    assert.equal(profileFor(parsePrometheusText(serviceText({ 200: 1 }, [['+Inf', 1]], 0))), SERVICE_PROFILE);
    const s = deriveSample('router:e', a, b);
    assert.equal(s.requests, 20);
    assert.equal(s.rps, 10);
    assert.equal(s.errorRate, 0.1);
    assert.equal(s.modelVersion, null);
  });

  it('refuses scrapes out of time order', () => {
    const text = serviceText({ 200: 1 }, [['+Inf', 1]], 0);
    assert.throws(() => deriveSample('svc', scrape(5, text), scrape(5, text)), /time order/);
  });
});
