// The router's store writer (a real worker thread writing a real SQLite file) and the dashboard's
// reads: per-variant traffic and KPI summary statistics.
import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StoreWriter } from '../../../src/router/storeWriter';
import { AbStore } from '../../../src/platform/abtest/abStore';
import { openStoreDatabase } from '../../../src/platform/store/openStoreDatabase';

// The transpiled router entry doubles as the writer thread (out/src/router/main.js).
const WORKER_SCRIPT = join(__dirname, '..', '..', '..', 'src', 'router', 'main.js');

describe('A/B store: router writer and dashboard reads', function () {
  this.timeout(20_000);
  const dir = mkdtempSync(join(tmpdir(), 'mc-abstore-'));
  const db = join(dir, 'tracking.db');
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('writes batches off the request thread and summarises traffic, latency and KPIs per variant', async () => {
    const writer = await StoreWriter.start('exp1', db, WORKER_SCRIPT);
    const config = JSON.stringify({ experiment: 'exp1', variants: [{ name: 'A' }, { name: 'B' }, { name: 'C' }] });
    writer.experimentStatus({ id: 'exp1', title: 'first', config, status: 'running', ms: 1000 });
    for (let i = 0; i < 2_500; i++) {
      const variant = i % 5 === 0 ? 'B' : 'A';
      writer.request([variant, 'running', 'predict', i % 100 === 0 ? 502 : 200, i % 10, i % 100 === 0 ? 1 : 0, i % 100 === 0 ? 'refused' : null, 2000 + i]);
      if (i < 1000) writer.assignment([`hash-${i}`, variant, 2000 + i]);
      writer.assignment([`hash-${i % 1000}`, 'A', 9999]); // repeats are ignored: the first assignment stays
    }
    writer.request(['A', 'paused', 'predict', 200, 1, 0, null, 5000]);
    // KPI values: A gets 1, 2, 3; B gets 10, 10.
    for (const [variant, value] of [['A', 1], ['A', 2], ['A', 3], ['B', 10], ['B', 10]] as const) writer.feedbackRow([`u-${value}`, variant, 'running', 'revenue', value, 3000]);
    writer.feedbackRow(['u-p', 'A', 'paused', 'revenue', 1000, 3001]);
    await writer.flush();
    writer.experimentStatus({ id: 'exp1', title: 'first', config, status: 'paused', ms: 4000 });
    await writer.flush();
    const stats = writer.snapshot();
    await writer.close();
    assert.equal(stats.errors, 0, stats.lastError);
    assert.equal(stats.queued, 0);

    const store = new AbStore(db);
    try {
      const exp = store.experiment('exp1')!;
      assert.deepEqual([exp.status, exp.startedMs, exp.pausedMs, exp.title], ['paused', 1000, 4000, 'first']);
      const traffic = store.traffic('exp1');
      assert.deepEqual(traffic.map((t) => [t.variant, t.users, t.requests, t.errors, t.retries]), [['A', 800, 2000, 0, 0], ['B', 200, 500, 25, 25], ['C', 0, 0, 0, 0]]);
      assert.equal(traffic[0].latencyMaxMs, 9);
      assert.equal(store.traffic('exp1', { phase: 'paused' })[0].requests, 1);
      assert.deepEqual(store.latencyPercentiles('exp1', 'A', [0.5, 0.99]), { p50: 4, p99: 9 });
      const kpi = store.kpi('exp1', 'revenue');
      assert.deepEqual(kpi.map((k) => [k.variant, k.n, k.sum, k.sumSquares, k.mean, k.variance]), [['A', 3, 6, 14, 2, 1], ['B', 2, 20, 200, 10, 0], ['C', 0, 0, 0, null, null]]);
      assert.deepEqual(store.kpiNames('exp1'), ['revenue']);
    } finally {
      store.close();
    }
  });

  it('resumes the experiment row on restart: running clears paused_ms and keeps started_ms', async () => {
    const writer = await StoreWriter.start('exp1', db, WORKER_SCRIPT);
    writer.experimentStatus({ id: 'exp1', title: null, config: '{}', status: 'running', ms: 6000 });
    await writer.close();
    const raw = openStoreDatabase(db);
    try {
      assert.deepEqual({ ...raw.prepare('SELECT status, started_ms, paused_ms FROM ab_experiments WHERE id = ?').get('exp1') }, { status: 'running', started_ms: 1000, paused_ms: null });
    } finally { raw.close(); }
  });
});
