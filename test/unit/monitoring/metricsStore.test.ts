// The samples table (migration 8) on a real SQLite file: write, read a range, fold old rows.
import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MonitoringSample } from '../../../src/core/monitoring/sample';
import { MetricsStore, MINUTE_MS } from '../../../src/platform/monitoring/metricsStore';

function s(ms: number, requests = 50, p99: number | null = 12.5): MonitoringSample {
  return { service: 'wine-api', ms, intervalMs: 5000, up: true, requests, errors: 1, rps: requests / 5, p50: 3, p95: 9, p99, errorRate: 1 / requests, modelVersion: 'models:/wine/3', restarted: false };
}

describe('monitoring metrics store (real SQLite file)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mc-metrics-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('round-trips samples, including nulls and gaps, and survives reopening', () => {
    const path = join(dir, 'a.db');
    const store = new MetricsStore(path);
    store.write([s(5000), s(10_000, 0, null), { ...s(15_000), up: false, requests: 0, errorRate: null }]);
    store.close();
    const again = new MetricsStore(path);
    const back = again.range('wine-api', 0);
    assert.equal(back.length, 3);
    assert.deepEqual(back[0], s(5000));
    assert.equal(back[1].p99, null);
    assert.equal(back[2].up, false);
    assert.deepEqual(again.range('wine-api', 5000, 10_000).map((x) => x.ms), [10_000]);
    assert.deepEqual(again.services().map((x) => x.service), ['wine-api']);
    again.close();
  });

  it('folds rows older than the raw retention into minute rows and drops expired minute rows', () => {
    const store = new MetricsStore(join(dir, 'b.db'), { rawRetentionMs: 10 * MINUTE_MS, minuteRetentionMs: 60 * MINUTE_MS });
    const now = 100 * MINUTE_MS;
    const samples: MonitoringSample[] = [];
    for (let t = 5000; t <= now; t += 5000) samples.push(s(t));
    store.write(samples);
    const result = store.compact(now);
    assert.equal(result.folded, 90 * 12, 'raw rows up to minute 90');
    const back = store.range('wine-api', 0);
    const minuteRows = back.filter((x) => x.intervalMs === MINUTE_MS);
    // Minute rows kept from minute 40 (60 min retention) to 90; raw after.
    assert.equal(minuteRows.length, 50);
    assert.equal(minuteRows[0].requests, 600);
    assert.equal(back.length, 50 + 10 * 12);
    assert.ok(back.every((x, i) => i === 0 || x.ms > back[i - 1].ms), 'in time order');
    store.close();
  });
});
