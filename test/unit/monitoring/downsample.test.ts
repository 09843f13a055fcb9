import * as assert from 'node:assert/strict';
import { downsampleSamples } from '../../../src/core/monitoring/downsample';
import { gapSample, type MonitoringSample } from '../../../src/core/monitoring/sample';

function s(ms: number, requests: number, errors: number, p50: number, p99: number, version = 'v1'): MonitoringSample {
  return { service: 'a', ms, intervalMs: 5000, up: true, requests, errors, rps: requests / 5, p50, p95: p99, p99, errorRate: errors / requests, modelVersion: version, restarted: false };
}

describe('monitoring downsample', () => {
  it('adds counts, weights p50 by requests, keeps the worst tail and the last version', () => {
    const out = downsampleSamples([s(5000, 10, 0, 10, 50), s(10_000, 30, 3, 20, 90, 'v2'), s(65_000, 5, 0, 5, 5)], 60_000);
    assert.equal(out.length, 2);
    assert.equal(out[0].ms, 60_000);
    assert.equal(out[0].requests, 40);
    assert.equal(out[0].rps, 4);
    assert.equal(out[0].p50, 17.5);
    assert.equal(out[0].p99, 90);
    assert.equal(out[0].errorRate, 3 / 40);
    assert.equal(out[0].modelVersion, 'v2');
    assert.equal(out[1].ms, 120_000);
  });

  it('a bucket with only gaps stays a gap', () => {
    const out = downsampleSamples([gapSample('a', 5000, 5000), gapSample('a', 10_000, 5000)], 60_000);
    assert.equal(out.length, 1);
    assert.equal(out[0].up, false);
    assert.equal(out[0].p99, null);
  });
});
