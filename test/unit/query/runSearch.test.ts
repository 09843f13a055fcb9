// store.searchRuns / groupRuns / listColumnKeys against real SQLite files, once per driver: the
// compiled SQL executed for real, results checked against what each filter means.
import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteTrackingStore } from '../../../src/platform/store/sqliteTrackingStore';
import { betterSqliteSkipReason, openSqlite, type SqliteDriverName } from '../../../src/platform/store/sqliteDriver';
import { QuerySyntaxError } from '../../../src/core/query/errors';
import { MAX_CONDITIONS } from '../../../src/core/query/parser';
import type { IngestBatch, RunUpsert } from '../../../src/platform/store/trackingStore.api';

const id = (letter: string): string => letter.repeat(32);
const A = id('a'); const B = id('b'); const C = id('c'); const D = id('d'); const E = id('e'); const F = id('f'); const G = id('0');

function run(runId: string, experiment: string, name: string, extra: Partial<RunUpsert>): RunUpsert {
  return { id: runId, experiment, name, status: 'FINISHED', startMs: null, origin: 'modelcloud', ...extra };
}

/** Seven runs covering NaN, missing keys, null users/start times, a deleted run and a deleted experiment. */
function fixture(): IngestBatch {
  const params: Array<[string, string, string]> = [
    [A, 'depth', '5'], [A, 'lr', '0.1'], [B, 'depth', '10'], [B, 'lr', '0.01'], [C, 'depth', '5'], [C, 'seed', '2'],
    [D, 'depth', '5'], [E, 'depth', "it's"], [F, 'depth', '5'], [G, 'depth', '5'],
  ];
  const metrics: Array<[string, string, number]> = [
    [A, 'f1', 0.95], [A, 'train/loss', 0.05], [B, 'f1', 0.8], [B, 'train/loss', NaN], [C, 'f1', 0.91],
    [D, 'f1', 0.99], [D, 'accuracy', 0.7], [E, 'f1', -1], [F, 'f1', 0.99], [G, 'f1', 0.5],
  ];
  const tags: Array<[string, string, string]> = [
    [A, 'model_name', 'WineNet'], [A, 'team', 'x'], [B, 'model_name', 'winenet-small'], [C, 'model_name', 'Wine%Special'],
    [E, 'model_name', 'a*b[c]?'],
  ];
  return {
    runs: [
      run(A, 'wine', 'wine-a', { startMs: 1000, user: 'ann' }),
      run(B, 'wine', 'wine-b', { startMs: 2000, user: 'bob', status: 'FAILED' }),
      run(C, 'wine', 'wine-c', { startMs: 3000, status: 'RUNNING' }),
      run(D, 'iris', 'iris-d', { startMs: 4000, endMs: 5000, user: 'ann' }),
      run(E, 'iris', 'iris-e', {}),
      run(F, 'wine', 'wine-deleted', { startMs: 5000, deleted: true }),
      run(G, 'old', 'old-run', { startMs: 6000 }),
    ],
    params: params.map(([runId, key, value]) => ({ runId, key, value })),
    metrics: metrics.map(([runId, key, value]) => ({ runId, key, value, step: 1, ts: 1 })),
    tags: tags.map(([runId, key, value]) => ({ runId, key, value })),
  };
}

const drivers: SqliteDriverName[] = betterSqliteSkipReason() === undefined ? ['better-sqlite3', 'node:sqlite'] : ['node:sqlite'];

for (const driver of drivers) {
  describe(`run search in the store (${driver})`, () => {
    let dir: string;
    let store: SqliteTrackingStore;
    const ids = (filter: string, orderBy?: string): string[] => store.searchRuns({ filter, orderBy }).runs.map((r) => r.id[0]);

    before(() => {
      dir = mkdtempSync(join(tmpdir(), 'mc-search-'));
      store = new SqliteTrackingStore(join(dir, 'tracking.db'), { driver });
      store.apply(fixture());
      store.softDeleteExperiment(store.listExperiments().find((e) => e.name === 'old')!.id);
    });
    after(() => {
      store.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it('returns every live run newest first without a filter (runs without a start time last)', () => {
      const result = store.searchRuns({});
      assert.equal(result.total, 5);
      assert.deepEqual(result.runs.map((r) => r.id[0]), ['d', 'c', 'b', 'a', 'e']);
      assert.equal(result.runs[0].name, 'iris-d');
      assert.deepEqual(result.runs[0].primaryMetric, { key: 'f1', value: 0.99 });
    });

    it('filters metrics with every operator; NaN matches no comparison', () => {
      assert.deepEqual(ids('metrics.f1 > 0.9'), ['d', 'c', 'a']);
      assert.deepEqual(ids('metrics.f1 >= 0.95'), ['d', 'a']);
      assert.deepEqual(ids('metrics.f1 < 0.9'), ['b', 'e']);
      assert.deepEqual(ids('metrics.f1 <= 0.8'), ['b', 'e']);
      assert.deepEqual(ids('metrics.f1 = -1'), ['e']);
      assert.deepEqual(ids('metrics.f1 != -1'), ['d', 'c', 'b', 'a']);
      assert.deepEqual(ids('metrics.f1 IN (0.8, 0.91)'), ['c', 'b']);
      assert.deepEqual(ids('metrics.f1 NOT IN (0.8, 0.91)'), ['d', 'a', 'e']);
      assert.deepEqual(ids('metrics.`train/loss` < 0.1'), ['a']);
      assert.deepEqual(ids('metrics.`train/loss` >= 0'), ['a']);
      assert.deepEqual(ids('metrics.`train/loss` IS NOT NULL'), ['b', 'a'], 'a NaN value is logged, so not null');
      assert.deepEqual(ids('metrics.accuracy IS NULL'), ['c', 'b', 'a', 'e']);
      assert.deepEqual(ids('metrics.nope > 0'), []);
    });

    it('filters params and tags with =, !=, LIKE (case-sensitive), ILIKE, IN, NOT IN and IS [NOT] NULL', () => {
      assert.deepEqual(ids("params.depth = '5'"), ['d', 'c', 'a']);
      assert.deepEqual(ids("params.depth != '5'"), ['b', 'e'], 'as in MLflow, != needs the param');
      assert.deepEqual(ids("params.depth = 'it''s'"), ['e']);
      assert.deepEqual(ids("params.depth IN ('10', \"it's\")"), ['b', 'e']);
      assert.deepEqual(ids("params.depth NOT IN ('10')"), ['d', 'c', 'a', 'e']);
      assert.deepEqual(ids('params.seed IS NULL'), ['d', 'b', 'a', 'e']);
      assert.deepEqual(ids('params.seed IS NOT NULL'), ['c']);
      assert.deepEqual(ids("tags.model_name LIKE 'Wine%'"), ['c', 'a']);
      assert.deepEqual(ids("tags.model_name ILIKE 'wine%'"), ['c', 'b', 'a']);
      assert.deepEqual(ids("tags.model_name LIKE '%net%'"), ['b']);
      assert.deepEqual(ids("tags.model_name LIKE 'Wine_et'"), ['a']);
      // GLOB's own wildcards in a LIKE pattern are plain characters.
      assert.deepEqual(ids("tags.model_name LIKE 'a*b[c]?'"), ['e']);
      assert.deepEqual(ids("tags.model_name LIKE 'a*b%'"), ['e']);
      assert.deepEqual(ids("tags.model_name LIKE 'a%c'"), []);
      // The string's own escape: \% is %. A backslash that reaches LIKE is a plain character (MLflow has no LIKE escape).
      assert.deepEqual(ids("tags.model_name LIKE 'Wine\\%Special'"), ['c']);
      assert.deepEqual(ids("tags.model_name LIKE 'Wine\\\\%'"), []);
    });

    it('filters attributes', () => {
      assert.deepEqual(ids("attributes.status IN ('FAILED', 'RUNNING')"), ['c', 'b']);
      assert.deepEqual(ids("attributes.status != 'FINISHED'"), ['c', 'b']);
      assert.deepEqual(ids("attributes.user = 'ann'"), ['d', 'a']);
      assert.deepEqual(ids('attributes.user IS NULL'), ['c', 'e']);
      assert.deepEqual(ids("run_name LIKE 'iris%'"), ['d', 'e']);
      assert.deepEqual(ids("attributes.run_name ILIKE 'WINE-%'"), ['c', 'b', 'a']);
      assert.deepEqual(ids('attributes.start_time > 1500'), ['d', 'c', 'b']);
      assert.deepEqual(ids('attributes.end_time IS NOT NULL'), ['d']);
      assert.deepEqual(ids(`attributes.run_id IN ('${A}', '${D}')`), ['d', 'a']);
      assert.deepEqual(ids(`attributes.run_id = '${B}'`), ['b']);
      assert.deepEqual(ids("attributes.experiment = 'iris'"), ['d', 'e']);
      const iris = store.listExperiments().find((e) => e.name === 'iris')!.id;
      assert.deepEqual(ids(`attributes.experiment_id = ${iris}`), ['d', 'e']);
    });

    it('combines conditions with AND', () => {
      assert.deepEqual(ids("metrics.f1 > 0.9 and params.depth = '5' and tags.model_name LIKE 'Wine%' and attributes.status = 'FINISHED'"), ['a']);
      assert.deepEqual(ids("metrics.f1 >= 0.95 AND params.depth = '5'"), ['d', 'a']);
      assert.deepEqual(ids("params.depth IN ('5') and metrics.accuracy IS NULL and attributes.user IS NOT NULL"), ['a']);
    });

    it('scopes by experiment and deletion', () => {
      const byName = new Map(store.listExperiments({ includeDeleted: true }).map((e) => [e.name, e.id]));
      assert.deepEqual(store.searchRuns({ experimentIds: [byName.get('iris')!] }).runs.map((r) => r.id[0]), ['d', 'e']);
      assert.deepEqual(store.searchRuns({ experimentIds: [] }).runs, []);
      assert.deepEqual(store.searchRuns({ filter: "params.depth = '5'", includeDeleted: true }).runs.map((r) => r.id[0]), ['0', 'f', 'd', 'c', 'a']);
      const deleted = store.searchRuns({ experimentIds: [byName.get('wine')!], includeDeleted: true, filter: 'metrics.f1 > 0.98' }).runs;
      assert.deepEqual(deleted.map((r) => [r.id[0], r.deleted]), [['f', true]]);
    });

    it('sorts by any field, NULLs last, ties newest first', () => {
      assert.deepEqual(ids('', 'metrics.f1 DESC'), ['d', 'a', 'c', 'b', 'e']);
      assert.deepEqual(ids('', 'metrics.f1'), ['e', 'b', 'c', 'a', 'd']);
      assert.deepEqual(ids('', 'metrics.accuracy DESC'), ['d', 'c', 'b', 'a', 'e']);
      assert.deepEqual(ids('', 'metrics.accuracy ASC'), ['d', 'c', 'b', 'a', 'e']);
      assert.deepEqual(ids('', 'metrics.`train/loss` ASC'), ['a', 'd', 'c', 'b', 'e'], 'NaN sorts with the missing values');
      assert.deepEqual(ids('', 'params.depth'), ['b', 'd', 'c', 'a', 'e']);
      assert.deepEqual(ids('', 'params.seed DESC, attributes.run_name DESC'), ['c', 'b', 'a', 'e', 'd']);
      assert.deepEqual(ids('', 'tags.model_name'), ['c', 'a', 'e', 'b', 'd']);
      assert.deepEqual(ids('', 'attributes.start_time ASC'), ['a', 'b', 'c', 'd', 'e']);
      assert.deepEqual(ids('', 'attributes.user DESC, attributes.start_time'), ['b', 'a', 'd', 'c', 'e']);
    });

    it('pages with limit and offset and still counts every match', () => {
      const page = store.searchRuns({ orderBy: 'metrics.f1 DESC', limit: 2, offset: 1 });
      assert.equal(page.total, 5);
      assert.deepEqual(page.runs.map((r) => r.id[0]), ['a', 'c']);
      const plain = store.searchRuns({ limit: 2, offset: 2 });
      assert.deepEqual([plain.total, plain.runs.map((r) => r.id[0])], [5, ['b', 'a']]);
      const past = store.searchRuns({ filter: 'metrics.f1 > 0', limit: 10, offset: 50 });
      assert.deepEqual([past.total, past.runs], [4, []]);
      assert.equal(store.searchRuns({ filter: 'metrics.f1 > 0', limit: 0 }).total, 4);
      assert.equal(store.searchRuns({ limit: 5 }).total, 5);
    });

    it('fetches only the requested columns', () => {
      const [a] = store.searchRuns({ filter: `attributes.run_id = '${A}'`, columns: { params: ['depth', 'missing'], metrics: ['train/loss', 'f1'], tags: ['team'] } }).runs;
      assert.deepEqual(a.params, { depth: '5' });
      assert.deepEqual(a.metrics, { f1: 0.95, 'train/loss': 0.05 });
      assert.deepEqual(a.tags, { team: 'x' });
      const [b] = store.searchRuns({ filter: `attributes.run_id = '${B}'`, columns: { metrics: ['train/loss'] } }).runs;
      assert.deepEqual([b.params, b.metrics, b.tags], [{}, { 'train/loss': null }, {}], 'NaN comes back as null');
      assert.deepEqual(store.searchRuns({ filter: `attributes.run_id = '${A}'` }).runs[0].params, {});
    });

    it('lets an invalid filter or order throw QuerySyntaxError, touching nothing', () => {
      assert.throws(() => store.searchRuns({ filter: 'metrics.f1 0.9' }), (e: unknown) => e instanceof QuerySyntaxError && e.column === 12);
      assert.throws(() => store.searchRuns({ orderBy: 'metrics.f1 DOWN' }), QuerySyntaxError);
      assert.throws(() => store.groupRuns({ groupBy: 'params.', metrics: [] }), QuerySyntaxError);
      assert.throws(() => store.groupRuns({ groupBy: 'metrics.f1', metrics: [] }), /group by a param, tag or attribute/);
    });

    it('treats hostile values as data: SQL, unicode, 10,000 characters, hundreds of conditions', () => {
      assert.deepEqual(ids("params.depth = '; DROP TABLE runs; --'"), []);
      assert.deepEqual(ids("params.`depth'; DROP TABLE runs; --` = 'x'"), []);
      assert.deepEqual(ids("tags.model_name LIKE '%'' OR 1=1 --'"), []);
      assert.equal(store.searchRuns({}).total, 5, 'runs table intact');
      const long = 'ü'.repeat(10_000);
      store.apply({ params: [{ runId: E, key: '模型 🚀', value: long }], tags: [{ runId: E, key: 'ключ', value: 'значение ✓' }] });
      assert.deepEqual(ids(`params.\`模型 🚀\` = '${long}' and tags.ключ LIKE 'знач%'`), ['e']);
      assert.deepEqual(ids(`params.\`模型 🚀\` LIKE '%${'ü'.repeat(5000)}'`), ['e']);
      const many = Array.from({ length: MAX_CONDITIONS }, (_, i) => (i % 2 ? 'metrics.f1 > -5' : "params.depth != 'x'")).join(' and ');
      assert.deepEqual(ids(many), ['d', 'c', 'b', 'a', 'e']);
    });

    it('groups runs by a param or tag with count and mean/min/max per metric', () => {
      const groups = store.groupRuns({ groupBy: 'params.depth', metrics: ['f1', 'accuracy'] });
      assert.deepEqual(groups.map((g) => [g.value, g.count]), [['5', 3], ['10', 1], ["it's", 1]]);
      const five = groups[0].metrics;
      assert.ok(Math.abs(five.f1.mean! - (0.95 + 0.91 + 0.99) / 3) < 1e-12);
      assert.deepEqual([five.f1.min, five.f1.max], [0.91, 0.99]);
      assert.deepEqual(five.accuracy, { mean: 0.7, min: 0.7, max: 0.7 });
      assert.deepEqual(groups[1].metrics.accuracy, { mean: null, min: null, max: null });
      const bySeed = store.groupRuns({ groupBy: 'params.seed', metrics: ['train/loss'], filter: "attributes.experiment = 'wine'" });
      assert.deepEqual(bySeed.map((g) => [g.value, g.count, g.metrics['train/loss'].mean]), [['2', 1, null], [null, 2, 0.05]]);
      const byTag = store.groupRuns({ groupBy: 'tags.team', metrics: [] });
      assert.deepEqual(byTag.map((g) => [g.value, g.count]), [['x', 1], [null, 4]]);
      assert.deepEqual(store.groupRuns({ groupBy: 'attributes.status', metrics: [] }).map((g) => [g.value, g.count]),
        [['FAILED', 1], ['FINISHED', 3], ['RUNNING', 1]]);
    });

    it('lists the column keys, all or per experiment', () => {
      const all = store.listColumnKeys();
      assert.deepEqual(all.metrics, ['accuracy', 'f1', 'train/loss']);
      assert.ok(all.params.includes('depth') && all.params.includes('lr') && all.params.includes('seed'));
      assert.ok(all.tags.includes('model_name') && all.tags.includes('team'));
      const iris = store.listExperiments().find((e) => e.name === 'iris')!.id;
      const scoped = store.listColumnKeys([iris]);
      assert.deepEqual(scoped.metrics, ['accuracy', 'f1']);
      assert.ok(scoped.params.includes('depth') && !scoped.params.includes('lr'));
      assert.ok(!scoped.tags.includes('team'));
      assert.deepEqual(store.listColumnKeys([]), { params: [], metrics: [], tags: [] });
    });

    it('migrates an existing store to the search indexes', () => {
      const db = openSqlite(store.path, { driver });
      const names = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'index'").all() as Array<{ name: string }>).map((r) => r.name);
      db.close();
      for (const name of ['params_by_key_value', 'tags_by_key_value', 'metric_latest_by_key_value', 'runs_by_start']) assert.ok(names.includes(name), name);
    });
  });
}
