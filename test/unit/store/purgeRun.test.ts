// purgeRun and metricHistoryPacked against a real SQLite file (both drivers).
import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteTrackingStore } from '../../../src/platform/store/sqliteTrackingStore';
import { betterSqliteSkipReason, type SqliteDriverName } from '../../../src/platform/store/sqliteDriver';
import type { RunUpsert } from '../../../src/platform/store/trackingStore.api';

const RUN_A = 'a'.repeat(32);
const RUN_B = 'b'.repeat(32);
const SHARED = '1'.repeat(64);
const ONLY_A = '2'.repeat(64);

function run(id: string): RunUpsert {
  return { id, experiment: 'exp', name: `run-${id[0]}`, status: 'FINISHED', startMs: 1000, origin: 'modelcloud' };
}

const drivers: SqliteDriverName[] = betterSqliteSkipReason() === undefined ? ['better-sqlite3', 'node:sqlite'] : ['node:sqlite'];

for (const driver of drivers) {
  describe(`SqliteTrackingStore.purgeRun (${driver})`, () => {
    let dir: string;
    let store: SqliteTrackingStore;
    beforeEach(() => {
      dir = mkdtempSync(join(tmpdir(), 'mc-purge-'));
      store = new SqliteTrackingStore(join(dir, 'tracking.db'), { driver });
      store.apply({
        runs: [run(RUN_A), run(RUN_B)],
        params: [{ runId: RUN_A, key: 'lr', value: '0.1' }],
        tags: [{ runId: RUN_A, key: 'team', value: 'x' }],
        metrics: [{ runId: RUN_A, key: 'loss', value: 0.5, step: 1, ts: 10 }, { runId: RUN_B, key: 'loss', value: 0.4, step: 1, ts: 10 }],
        artifacts: [
          { runId: RUN_A, path: 'model.pkl', size: 3, sha256: ONLY_A },
          { runId: RUN_A, path: 'data.csv', size: 5, sha256: SHARED },
          { runId: RUN_B, path: 'data.csv', size: 5, sha256: SHARED },
        ],
      });
    });
    afterEach(() => {
      store.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it('refuses a run that is not in the trash, and an unknown run, changing nothing', () => {
      assert.throws(() => store.purgeRun(RUN_A), /not in the trash: delete it first/);
      assert.throws(() => store.purgeRun('f'.repeat(32)), /No run f{32}/);
      assert.equal(store.getRun(RUN_A)!.params.lr, '0.1');
    });

    it('removes every row of a soft-deleted run and frees only the blobs no other run uses', () => {
      store.softDeleteRun(RUN_A);
      const before = store.changeCounter();
      const { artifactsFreed } = store.purgeRun(RUN_A);
      assert.deepEqual(artifactsFreed, [ONLY_A]);
      assert.equal(store.getRun(RUN_A), undefined);
      assert.deepEqual(store.metricHistory(RUN_A, 'loss'), []);
      assert.deepEqual(store.listDeletedRuns(), []);
      assert.ok(store.changeCounter() > before);
      // the other run and the experiment's counts are untouched
      assert.equal(store.getRun(RUN_B)!.artifacts.length, 1);
      assert.equal(store.metricHistory(RUN_B, 'loss').length, 1);
      assert.equal(store.listExperiments()[0].runCount, 1);
      // once the last user of the shared blob goes, it is freed too
      store.softDeleteRun(RUN_B);
      assert.deepEqual(store.purgeRun(RUN_B).artifactsFreed, [SHARED]);
      assert.equal(store.listExperiments()[0].runCount, 0);
    });

    it('reads metric history packed as (step, ts, value) triples in (step, ts) order', () => {
      store.apply({ metrics: [
        { runId: RUN_B, key: 'acc', value: 0.2, step: 2, ts: 30 },
        { runId: RUN_B, key: 'acc', value: null, step: 0, ts: 10 },
        { runId: RUN_B, key: 'acc', value: 0.1, step: 1, ts: 20 },
      ] });
      assert.deepEqual(Array.from(store.metricHistoryPacked(RUN_B, 'acc')), [0, 10, NaN, 1, 20, 0.1, 2, 30, 0.2]);
      assert.equal(store.metricHistoryPacked(RUN_B, 'nope').length, 0);
    });
  });
}
