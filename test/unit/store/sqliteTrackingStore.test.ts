// The store against real SQLite files, once per driver (better-sqlite3 and node:sqlite).
import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteTrackingStore } from '../../../src/platform/store/sqliteTrackingStore';
import { openSqlite, betterSqliteSkipReason, type SqliteDriverName } from '../../../src/platform/store/sqliteDriver';
import { migrate, schemaVersion, LATEST_SCHEMA_VERSION } from '../../../src/platform/store/migrations';
import { CursorConflictError, type RunUpsert } from '../../../src/platform/store/trackingStore.api';

const RUN_A = 'a'.repeat(32);
const RUN_B = 'b'.repeat(32);
const RUN_C = 'c'.repeat(32);

function run(id: string, experiment: string, startMs: number, extra: Partial<RunUpsert> = {}): RunUpsert {
  return { id, experiment, name: `run-${id.slice(0, 4)}`, status: 'FINISHED', startMs, origin: 'modelcloud', ...extra };
}

const drivers: SqliteDriverName[] = betterSqliteSkipReason() === undefined ? ['better-sqlite3', 'node:sqlite'] : ['node:sqlite'];

for (const driver of drivers) {
  describe(`SqliteTrackingStore (${driver})`, () => {
    let dir: string;
    let store: SqliteTrackingStore;
    const open = (): SqliteTrackingStore => new SqliteTrackingStore(join(dir, '.modelcloud', 'tracking.db'), { driver });

    beforeEach(() => {
      dir = mkdtempSync(join(tmpdir(), 'mc-store-'));
      store = open();
    });
    afterEach(() => {
      store.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it('reports the driver it uses and creates the file at the latest schema version', () => {
      assert.equal(store.driverName, driver);
      store.close();
      const db = openSqlite(join(dir, '.modelcloud', 'tracking.db'), { driver });
      assert.equal(schemaVersion(db), LATEST_SCHEMA_VERSION);
      assert.equal((db.prepare('PRAGMA journal_mode').get() as { journal_mode: string }).journal_mode, 'wal');
      db.close();
      store = open();
    });

    it('stores runs with params, tags, metrics and artifacts and reads them back', () => {
      store.apply({
        runs: [run(RUN_A, 'exp1', 1000, {
          user: 'ann', source: { kind: 'notebook', path: 'nb.ipynb', cell: 3 }, git: { commit: 'abc', branch: 'main', dirty: true },
          pythonVersion: '3.11.7', host: 'box', pid: 42, pipHash: 'ff',
        })],
        params: [{ runId: RUN_A, key: 'lr', value: '0.1' }],
        tags: [{ runId: RUN_A, key: 'team', value: 'x' }],
        metrics: [{ runId: RUN_A, key: 'loss', value: 0.5, step: 1, ts: 10 }],
        artifacts: [{ runId: RUN_A, path: 'model.pkl', size: 3, sha256: 'e'.repeat(64) }],
      });
      const detail = store.getRun(RUN_A)!;
      assert.equal(detail.experiment, 'exp1');
      assert.equal(detail.user, 'ann');
      assert.deepEqual(detail.source, { kind: 'notebook', path: 'nb.ipynb', cell: 3 });
      assert.deepEqual(detail.git, { commit: 'abc', branch: 'main', dirty: true });
      assert.equal(detail.pythonVersion, '3.11.7');
      assert.deepEqual(detail.params, { lr: '0.1' });
      assert.deepEqual(detail.tags, { team: 'x' });
      assert.deepEqual(detail.metrics, { loss: { value: 0.5, step: 1, ts: 10 } });
      assert.deepEqual(detail.artifacts, [{ path: 'model.pkl', size: 3, sha256: 'e'.repeat(64) }]);
      assert.deepEqual(detail.primaryMetric, { key: 'loss', value: 0.5 });
      assert.equal(store.getRun('f'.repeat(32)), undefined);
    });

    it('keeps as latest the point with the largest (step, ts); NaN becomes null, infinities stay', () => {
      store.apply({ runs: [run(RUN_A, 'e', 1)] });
      store.apply({ metrics: [
        { runId: RUN_A, key: 'm', value: 1, step: 5, ts: 100 },
        { runId: RUN_A, key: 'm', value: 2, step: 5, ts: 200 },
        { runId: RUN_A, key: 'm', value: 3, step: 4, ts: 900 },
        { runId: RUN_A, key: 'inf', value: Infinity, step: 0, ts: 1 },
        { runId: RUN_A, key: 'ninf', value: -Infinity, step: 0, ts: 1 },
        { runId: RUN_A, key: 'nan', value: NaN, step: 0, ts: 1 },
      ] });
      // a later batch with an older point must not replace the latest
      store.apply({ metrics: [{ runId: RUN_A, key: 'm', value: 4, step: 5, ts: 150 }] });
      const m = store.getRun(RUN_A)!.metrics;
      assert.deepEqual(m.m, { value: 2, step: 5, ts: 200 });
      assert.equal(m.inf.value, Infinity);
      assert.equal(m.ninf.value, -Infinity);
      assert.equal(m.nan.value, null);
      assert.deepEqual(store.metricHistory(RUN_A, 'm').map((p) => p.value), [3, 1, 4, 2]);
      store.apply({ metrics: [{ runId: RUN_A, key: 'm', value: 9, step: 6, ts: 1 }] });
      assert.equal(store.getRun(RUN_A)!.metrics.m.value, 9);
    });

    it('is idempotent through cursors: a batch whose cursor moved meanwhile is refused and writes nothing', () => {
      const points = Array.from({ length: 1234 }, (_, i) => ({ runId: RUN_A, key: i % 2 ? 'a' : 'b', value: i, step: i, ts: i }));
      const batch = {
        runs: [run(RUN_A, 'e', 1)], metrics: points, params: [{ runId: RUN_A, key: 'p', value: '1' }],
        cursors: [{ source: 'runlog:x', cursor: '{"offset":10}', expected: null }],
      };
      store.apply(batch);
      const before = store.changeCounter();
      assert.throws(() => store.apply(batch), (error: unknown) => error instanceof CursorConflictError && error.source === 'runlog:x');
      assert.equal(store.changeCounter(), before);
      assert.equal(store.metricHistory(RUN_A, 'a').length, 617);
      assert.equal(store.metricHistory(RUN_A, 'b').length, 617);
      assert.equal(store.getCursor('runlog:x'), '{"offset":10}');
      store.apply({ ...batch, metrics: points.slice(0, 2), cursors: [{ source: 'runlog:x', cursor: '{"offset":20}', expected: '{"offset":10}' }] });
      assert.equal(store.metricHistory(RUN_A, 'b').length, 618);
    });

    it('keeps metric history in logging order within a step, with NaN and infinities intact', () => {
      store.apply({ runs: [run(RUN_A, 'e', 1)], metrics: [
        { runId: RUN_A, key: 'm', value: 2, step: 1, ts: 5 },
        { runId: RUN_A, key: 'm', value: null, step: 0, ts: 9 },
        { runId: RUN_A, key: 'm', value: Infinity, step: 1, ts: 5 },
      ] });
      store.apply({ metricColumns: [{ runId: RUN_A, keys: ['m'], values: [-Infinity], steps: [2], times: [1] }] });
      assert.deepEqual(store.metricHistory(RUN_A, 'm').map((p) => [p.step, p.value]), [[0, null], [1, 2], [1, Infinity], [2, -Infinity]]);
      assert.equal(store.getRun(RUN_A)!.metrics.m.value, -Infinity);
    });

    it('tops up a small last chunk instead of adding rows (a live run flushing every 100 ms)', () => {
      store.apply({ runs: [run(RUN_A, 'e', 1)] });
      for (let i = 0; i < 50; i++) store.apply({ metrics: [{ runId: RUN_A, key: 'loss', value: i, step: i, ts: i }] });
      const history = store.metricHistory(RUN_A, 'loss');
      assert.deepEqual(history.map((p) => p.value), Array.from({ length: 50 }, (_, i) => i));
    });

    it('lists experiments with counts and runs newest first, with limit and offset', () => {
      store.apply({ runs: [
        run(RUN_A, 'exp1', 1000), run(RUN_B, 'exp1', 3000, { status: 'RUNNING' }), run(RUN_C, 'exp2', 2000),
      ] });
      const exps = store.listExperiments();
      assert.deepEqual(exps.map((e) => [e.name, e.runCount, e.runningCount, e.lastStartMs]), [['exp1', 2, 1, 3000], ['exp2', 1, 0, 2000]]);
      const exp1 = exps[0].id;
      assert.deepEqual(store.listRuns(exp1).map((r) => r.id), [RUN_B, RUN_A]);
      assert.deepEqual(store.listRuns(exp1, { limit: 1 }).map((r) => r.id), [RUN_B]);
      assert.deepEqual(store.listRuns(exp1, { limit: 1, offset: 1 }).map((r) => r.id), [RUN_A]);
      store.apply({ statuses: [{ runId: RUN_B, status: 'FINISHED', endMs: 4000 }] });
      assert.equal(store.listExperiments()[0].runningCount, 0);
      assert.equal(store.getRun(RUN_B)!.endMs, 4000);
    });

    it('soft-deletes and restores runs and experiments, keeping counts right', () => {
      store.apply({ runs: [run(RUN_A, 'exp1', 1000), run(RUN_B, 'exp1', 3000)] });
      const exp1 = store.listExperiments()[0].id;
      store.softDeleteRun(RUN_B);
      assert.deepEqual(store.listRuns(exp1).map((r) => r.id), [RUN_A]);
      assert.deepEqual(store.listRuns(exp1, { includeDeleted: true }).map((r) => r.id), [RUN_B, RUN_A]);
      assert.deepEqual(store.listDeletedRuns().map((r) => r.id), [RUN_B]);
      assert.equal(store.getRun(RUN_B)!.deleted, true);
      assert.deepEqual([store.listExperiments()[0].runCount, store.listExperiments()[0].lastStartMs], [1, 1000]);
      // re-ingesting a run the user deleted does not bring it back
      store.apply({ runs: [run(RUN_B, 'exp1', 3000)] });
      assert.equal(store.getRun(RUN_B)!.deleted, true);
      store.restoreRun(RUN_B);
      assert.deepEqual([store.listExperiments()[0].runCount, store.listExperiments()[0].lastStartMs], [2, 3000]);
      store.softDeleteExperiment(exp1);
      assert.equal(store.listExperiments().length, 0);
      assert.equal(store.listExperiments({ includeDeleted: true })[0].deleted, true);
      assert.equal(store.listRunDetails().length, 0);
      store.restoreExperiment(exp1);
      assert.equal(store.listExperiments().length, 1);
      assert.throws(() => store.softDeleteRun('f'.repeat(32)), /No run f+ in the tracking store/);
    });

    it('renames runs and experiments and edits tags', () => {
      store.apply({ runs: [run(RUN_A, 'exp1', 1), run(RUN_C, 'exp2', 1)] });
      store.renameRun(RUN_A, 'better name');
      store.setTag(RUN_A, 'k', 'v');
      store.setTag(RUN_A, 'k2', 'v2');
      store.deleteTag(RUN_A, 'k2');
      const detail = store.getRun(RUN_A)!;
      assert.equal(detail.name, 'better name');
      assert.deepEqual(detail.tags, { k: 'v' });
      const [exp1, exp2] = store.listExperiments();
      assert.throws(() => store.renameExperiment(exp1.id, 'exp2'), /another experiment has that name/);
      store.renameExperiment(exp2.id, 'zeta');
      assert.equal(store.getRun(RUN_C)!.experiment, 'zeta');
      // a new run for the renamed experiment's old name creates a new experiment
      store.apply({ runs: [run(RUN_B, 'exp2', 1)] });
      assert.deepEqual(store.listExperiments().map((e) => e.name), ['exp1', 'exp2', 'zeta']);
    });

    it('rolls back a whole batch that names an unknown run', () => {
      const before = store.changeCounter();
      assert.throws(() => store.apply({
        runs: [run(RUN_A, 'e', 1)], params: [{ runId: RUN_B, key: 'x', value: '1' }],
      }), /No run b+ .*must list a run/);
      assert.equal(store.getRun(RUN_A), undefined);
      assert.equal(store.listExperiments().length, 0);
      assert.equal(store.changeCounter(), before);
      store.apply({ runs: [run(RUN_A, 'e', 1)] });
      assert.equal(store.listExperiments()[0].runCount, 1);
    });

    it('resets a run (for re-ingesting a replaced file) in the same transaction', () => {
      store.apply({ runs: [run(RUN_A, 'e', 1)], metrics: [{ runId: RUN_A, key: 'm', value: 1, step: 1, ts: 1 }], params: [{ runId: RUN_A, key: 'p', value: 'old' }] });
      store.apply({ resetRuns: [RUN_A], runs: [run(RUN_A, 'e', 2)], metrics: [{ runId: RUN_A, key: 'm', value: 2, step: 0, ts: 5 }] });
      const detail = store.getRun(RUN_A)!;
      assert.deepEqual(detail.params, {});
      assert.deepEqual(store.metricHistory(RUN_A, 'm').map((p) => p.value), [2]);
      assert.equal(detail.metrics.m.value, 2);
      assert.equal(store.listExperiments()[0].runCount, 1);
    });

    it('keeps cursors and problems, and bumps the change counter on writes', () => {
      const c0 = store.changeCounter();
      store.apply({ cursors: [{ source: 'runlog:a', cursor: '{"offset":10}' }], problems: [{ source: 'f.jsonl', line: 3, message: 'bad' }, { source: 'g', message: 'worse' }] });
      assert.equal(store.getCursor('runlog:a'), '{"offset":10}');
      assert.equal(store.getCursor('nope'), undefined);
      assert.equal(store.problemCount(), 2);
      const recent = store.recentProblems(5);
      assert.deepEqual(recent.map(({ source, line, message }) => ({ source, line, message })), [
        { source: 'g', line: undefined, message: 'worse' }, { source: 'f.jsonl', line: 3, message: 'bad' }]);
      assert.ok(store.changeCounter() > c0);
    });

    it('stores registered models with versions, stages and aliases', () => {
      store.apply({ registeredModels: [{ name: 'churn', description: 'd', versions: [
        { version: 2, stage: 'Production', runId: RUN_B, source: 's2', aliases: ['champion'] },
        { version: 1, stage: 'Archived', runId: RUN_A, source: 's1', aliases: [] },
      ] }] });
      store.apply({ registeredModels: [{ name: 'churn', description: 'd2', versions: [
        { version: 1, stage: 'Archived', runId: RUN_A, source: 's1', aliases: [] },
        { version: 2, stage: 'Production', runId: RUN_B, source: 's2', aliases: ['champion', 'prod'] },
      ] }] });
      assert.deepEqual(store.listRegisteredModels(), [{ name: 'churn', description: 'd2', versions: [
        { version: 1, stage: 'Archived', runId: RUN_A, source: 's1', aliases: [] },
        { version: 2, stage: 'Production', runId: RUN_B, source: 's2', aliases: ['champion', 'prod'] },
      ] }]);
    });

    it('picks the primary metric by setting, then tag, then preference', () => {
      store.apply({ runs: [run(RUN_A, 'e', 1), run(RUN_B, 'e', 2)], metrics: [
        { runId: RUN_A, key: 'zeta', value: 1, step: 0, ts: 0 }, { runId: RUN_A, key: 'val_loss', value: 0.3, step: 0, ts: 0 },
        { runId: RUN_B, key: 'zeta', value: 1, step: 0, ts: 0 }, { runId: RUN_B, key: 'val_loss', value: 0.3, step: 0, ts: 0 },
      ], tags: [{ runId: RUN_B, key: 'modelcloud.primary_metric', value: 'zeta' }] });
      const runs = store.listRuns(store.listExperiments()[0].id);
      assert.deepEqual(runs.map((r) => r.primaryMetric?.key), ['zeta', 'val_loss']);
      // the user's setting beats the tag when the run logged that metric; otherwise it is ignored
      const configured = store.listRuns(store.listExperiments()[0].id, { primaryMetric: 'val_loss' });
      assert.deepEqual(configured.map((r) => r.primaryMetric?.key), ['val_loss', 'val_loss']);
      const absent = store.listRuns(store.listExperiments()[0].id, { primaryMetric: 'nope' });
      assert.deepEqual(absent.map((r) => r.primaryMetric?.key), ['zeta', 'val_loss']);
    });

    it('migrates a database at an older schema version and keeps its data', () => {
      store.close();
      const path = join(dir, 'old.db');
      const db = openSqlite(path, { driver });
      migrate(db, path, 1);
      db.exec("INSERT INTO experiments (name, created_ms) VALUES ('legacy', 1)");
      db.exec(`INSERT INTO runs (id, experiment_id, name, status, start_ms, origin) VALUES ('${RUN_A}', 1, 'kept', 'FINISHED', 5, 'mlflow')`);
      assert.equal(schemaVersion(db), 1);
      db.close();
      store = new SqliteTrackingStore(path, { driver });
      assert.equal(store.getRun(RUN_A)!.name, 'kept');
      assert.deepEqual(store.listExperiments().map((e) => [e.name, e.runCount]), [['legacy', 1]]);
      store.apply({ registeredModels: [{ name: 'm', description: null, versions: [] }] });
      assert.equal(store.listRegisteredModels().length, 1);
    });

    it('refuses a database from a newer Modelcloud with a message naming both versions', () => {
      store.close();
      const path = join(dir, 'new.db');
      const db = openSqlite(path, { driver });
      db.exec('PRAGMA user_version = 99');
      db.close();
      assert.throws(() => new SqliteTrackingStore(path, { driver }),
        new RegExp(`schema version 99, but this Modelcloud knows versions up to ${LATEST_SCHEMA_VERSION}.*update`));
      store = open();
    });
  });
}

describe('openSqlite', () => {
  it('rolls a transaction back when its function throws, with either driver', () => {
    for (const driver of drivers) {
      const db = openSqlite(':memory:', { driver });
      db.exec('CREATE TABLE t (x)');
      assert.throws(() => db.transaction(() => { db.prepare('INSERT INTO t VALUES (?)').run(1); throw new Error('boom'); }), /boom/);
      db.transaction(() => db.transaction(() => db.prepare('INSERT INTO t VALUES (?)').run(2)));
      assert.deepEqual(db.prepare('SELECT x FROM t').all().map((r) => r.x), [2]);
      db.close();
    }
  });

  it('never loads better-sqlite3 under Electron or Node < 22', () => {
    assert.match(betterSqliteSkipReason({ ...process.versions, electron: '37.0.0' })!, /Electron/);
    assert.match(betterSqliteSkipReason({ ...process.versions, node: '20.19.0' })!, /Node 20\.19\.0 < 22/);
    assert.equal(betterSqliteSkipReason({ ...process.versions, node: '24.1.0' }), undefined);
  });
});
