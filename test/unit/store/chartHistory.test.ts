// metricHistoryForChart: sealed chunks read as their level of detail (metric_lod, schema 4), the
// unsealed tail raw, short histories exact; against a real SQLite file (both drivers).
import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteTrackingStore } from '../../../src/platform/store/sqliteTrackingStore';
import { betterSqliteSkipReason, openSqlite, type SqlDatabase, type SqliteDriverName } from '../../../src/platform/store/sqliteDriver';

const RUN = 'c'.repeat(32);
const drivers: SqliteDriverName[] = betterSqliteSkipReason() === undefined ? ['better-sqlite3', 'node:sqlite'] : ['node:sqlite'];

/** A decaying series with one spike and one collapse far from chunk edges. */
function valueAt(step: number): number {
  if (step === 12_345) return 50;
  if (step === 3_001) return -50;
  return Math.exp(-step / 5000) + Math.sin(step * 0.37) * 0.05;
}

function log(store: SqliteTrackingStore, from: number, to: number, stepOf = (i: number) => i): void {
  const steps = Array.from({ length: to - from }, (_, k) => stepOf(from + k));
  store.apply({ metricColumns: [{
    runId: RUN, keys: steps.map(() => 'loss'), steps, times: steps.map((s) => 1_700_000_000_000 + s), values: steps.map(valueAt),
  }] });
}

function stepsOf(packed: Float64Array): number[] {
  const out: number[] = [];
  for (let o = 0; o < packed.length; o += 3) out.push(packed[o]);
  return out;
}

for (const driver of drivers) {
  describe(`SqliteTrackingStore.metricHistoryForChart (${driver})`, () => {
    let dir: string;
    let path: string;
    let store: SqliteTrackingStore;
    let raw: SqlDatabase;
    const lodRows = (): Array<{ seq: number; n: number }> =>
      raw.prepare('SELECT seq, n FROM metric_lod ORDER BY seq').all().map((r) => ({ seq: Number(r.seq), n: Number(r.n) }));

    beforeEach(() => {
      dir = mkdtempSync(join(tmpdir(), 'mc-lod-'));
      path = join(dir, 'tracking.db');
      store = new SqliteTrackingStore(path, { driver });
      store.apply({ runs: [{ id: RUN, experiment: 'exp', name: 'long', status: 'RUNNING', startMs: 1, origin: 'modelcloud' }] });
      raw = openSqlite(path, { driver });
    });
    afterEach(() => {
      raw.close();
      store.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it('returns every point, exactly, while the history is short for the chart', () => {
      log(store, 0, 20_000);
      const chart = store.metricHistoryForChart(RUN, 'loss', 1000); // 1000 × 64 > 20,000
      assert.equal(chart.reduced, false);
      assert.equal(chart.totalPoints, 20_000);
      assert.deepEqual(Array.from(chart.packed), Array.from(store.metricHistoryPacked(RUN, 'loss')));
      assert.deepEqual(store.metricHistoryForChart(RUN, 'nope', 10), { packed: new Float64Array(0), totalPoints: 0, reduced: false });
      assert.deepEqual(store.metricHistoryForChart('d'.repeat(32), 'loss', 10).totalPoints, 0);
    });

    it('reads sealed chunks as their level of detail and the unsealed tail raw, keeping ends and extremes', () => {
      log(store, 0, 20_000); // chunks of 8192, 8192, 3616 points: all sealed
      log(store, 20_000, 20_300); // a new 300-point chunk: the unsealed tail
      assert.deepEqual(lodRows(), [{ seq: 0, n: 8192 }, { seq: 1, n: 8192 }, { seq: 2, n: 3616 }]);
      const chart = store.metricHistoryForChart(RUN, 'loss', 10);
      assert.equal(chart.reduced, true);
      assert.equal(chart.totalPoints, 20_300);
      const steps = stepsOf(chart.packed);
      assert.ok(steps.length < 20_000 / 64 * 4 + 300 + 4, `${steps.length} points read`);
      for (let i = 1; i < steps.length; i++) assert.ok(steps[i] > steps[i - 1], 'sorted by step');
      assert.equal(steps[0], 0);
      assert.equal(steps[steps.length - 1], 20_299);
      assert.ok(steps.includes(12_345) && steps.includes(3_001), 'the spike and the collapse survive');
      for (let s = 20_000; s < 20_300; s++) assert.ok(steps.includes(s), `tail point ${s} is there`);
      const at = steps.indexOf(12_345) * 3;
      assert.deepEqual(Array.from(chart.packed.subarray(at, at + 3)), [12_345, 1_700_000_000_000 + 12_345, 50]);
    });

    it('writes the level of detail when a live run tops a chunk up past sealing, and sorts out-of-order steps', () => {
      // Reversed steps inside each batch: storage order is not step order.
      for (let b = 0; b < 15; b++) log(store, b * 100, b * 100 + 100, (i) => b * 200 + 199 - (i - b * 100) * 2);
      assert.deepEqual(lodRows(), [{ seq: 0, n: 1100 }]); // sealed at 1,100 points; 400 more wait in seq 1
      const chart = store.metricHistoryForChart(RUN, 'loss', 3);
      assert.equal(chart.reduced, true);
      assert.equal(chart.totalPoints, 1500);
      const steps = stepsOf(chart.packed);
      for (let i = 1; i < steps.length; i++) assert.ok(steps[i] > steps[i - 1], 'sorted by step');
      assert.equal(steps[0], 1);
      assert.equal(steps[steps.length - 1], 2999);
    });

    it('backfills levels of detail for chunks written before schema 4 without bumping the change counter', () => {
      log(store, 0, 20_000);
      log(store, 20_000, 20_300);
      const before = Array.from(store.metricHistoryForChart(RUN, 'loss', 10).packed);
      for (const deleting of ['DELETE FROM metric_lod WHERE seq = 0', 'DELETE FROM metric_lod']) {
        raw.exec(deleting); // seq 0 alone: an old chunk before newer ones that have theirs
        const counter = store.changeCounter();
        assert.deepEqual(Array.from(store.metricHistoryForChart(RUN, 'loss', 10).packed), before);
        assert.deepEqual(lodRows().map((r) => r.seq), [0, 1, 2]);
        assert.equal(store.changeCounter(), counter);
      }
    });

    it('drops the level of detail with the run when it is deleted for good', () => {
      log(store, 0, 10_000); // 8192 + 1808 points: two sealed chunks
      assert.equal(lodRows().length, 2);
      store.softDeleteRun(RUN);
      store.purgeRun(RUN);
      assert.equal(lodRows().length, 0);
    });
  });
}
