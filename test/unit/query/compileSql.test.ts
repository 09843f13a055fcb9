// The SQL compiler: user text only ever reaches SQLite as bound parameters, and the compiled
// statements run as-is against a real store file (both drivers).
import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseSearchFilter, parseOrderBy, parseFieldRef } from '../../../src/core/query/parser';
import { compileRunSearch, compileGroupRuns, compileFilter, likeToGlob } from '../../../src/core/query/compileSql';
import { SqliteTrackingStore } from '../../../src/platform/store/sqliteTrackingStore';
import { betterSqliteSkipReason, openSqlite, type SqliteDriverName } from '../../../src/platform/store/sqliteDriver';

const HOSTILE = [
  "'; DROP TABLE runs; --", 'x" OR 1=1 --', 'Robert`); DELETE FROM params; --', '模型 🚀', 'a'.repeat(10_000), '?', '%_*[]',
];

describe('compileSql', () => {
  it('binds every value and every key: no user text in the SQL', () => {
    for (const text of HOSTILE) {
      const quoted = text.replace(/'/g, "''");
      const key = text.replace(/`/g, '``');
      const filter = parseSearchFilter(`params.\`${key}\` = '${quoted}' and tags.\`${key}\` LIKE '${quoted}' and metrics.\`${key}\` > 1
        and attributes.run_id IN ('${quoted}') and tags.\`${key}\` IS NULL and attributes.run_name ILIKE '${quoted}'`);
      const { page, count } = compileRunSearch({ filter, orderBy: parseOrderBy(`params.\`${key}\` DESC, metrics.\`${key}\``), limit: 10 });
      for (const sql of [page.sql, count.sql]) {
        if (text !== '?') assert.ok(!sql.includes(text), `user text in SQL: ${text.slice(0, 40)}`);
        assert.ok(!/DROP|DELETE|模型/.test(sql));
      }
      assert.ok(page.params.includes(text));
      assert.equal(page.sql.split('?').length - 1, page.params.length, 'one parameter per placeholder');
      assert.equal(count.sql.split('?').length - 1, count.params.length);
    }
  });

  it('writes each operator as the SQL it means', () => {
    const sql = (text: string): string => compileFilter(parseSearchFilter(text)).sql;
    assert.match(sql("attributes.status = 'RUNNING'"), /^r\.status = \?$/);
    assert.match(sql("attributes.run_name LIKE 'a%'"), /^r\.name GLOB \?$/);
    assert.match(sql("attributes.run_name ILIKE 'a%'"), /^r\.name LIKE \?$/);
    assert.match(sql("attributes.run_id NOT IN ('a')"), /^r\.id NOT IN \(SELECT value FROM json_each\(\?\)\)$/);
    assert.match(sql('attributes.end_time IS NULL'), /^r\.end_ms IS NULL$/);
    assert.match(sql('attributes.user IS NOT NULL'), /^r\.user IS NOT NULL$/);
    assert.match(sql('metrics.m IN (1, 1e999)'), /\+value IN \(\?, \?\)|value IN \(\?, \?\)/);
    assert.match(sql('params.p IS NULL'), /^NOT EXISTS \(SELECT 1 FROM params WHERE key = \? AND rid = r\.rid\)$/);
    assert.match(sql('tags.t IS NOT NULL'), /^EXISTS \(SELECT 1 FROM tags WHERE key = \? AND rid = r\.rid\)$/);
  });

  it('starts from the most selective condition and checks the others per run', () => {
    const sql = compileFilter(parseSearchFilter("metrics.m > 0.5 and params.p = 'v' and tags.t LIKE 'x%'")).sql;
    assert.match(sql, /^EXISTS \(SELECT 1 FROM metric_latest .* \+value > \? .*\) AND r\.rid IN \(SELECT rid FROM params WHERE key = \? AND value = \?\) AND EXISTS \(SELECT 1 FROM tags .* \+value GLOB \?/);
    // A run id condition lets SQLite start from the runs.id index itself.
    assert.ok(!compileFilter(parseSearchFilter("params.p = 'v' and attributes.run_id = 'x'")).sql.includes('r.rid IN'));
    // Negations never drive.
    assert.ok(!compileFilter(parseSearchFilter("params.p != 'v' and tags.t NOT IN ('a')")).sql.includes('r.rid IN'));
  });

  it('turns LIKE patterns into case-sensitive GLOB patterns with GLOB wildcards escaped', () => {
    assert.equal(likeToGlob('Wine%'), 'Wine*');
    assert.equal(likeToGlob('a_c'), 'a?c');
    assert.equal(likeToGlob('*?[x]%'), '[*][?][[]x]*');
    assert.equal(likeToGlob('模型%🚀'), '模型*🚀');
  });

  it('orders NULLs last with a stable tie-break', () => {
    const { page } = compileRunSearch({ orderBy: parseOrderBy('metrics.f1 DESC, params.p') });
    assert.match(page.sql, /ORDER BY \(SELECT value FROM metric_latest .*\) DESC NULLS LAST, \(SELECT value FROM params .*\) ASC NULLS LAST, r\.start_ms DESC, r\.id LIMIT/);
  });

  const drivers: SqliteDriverName[] = betterSqliteSkipReason() === undefined ? ['better-sqlite3', 'node:sqlite'] : ['node:sqlite'];
  for (const driver of drivers) {
    it(`runs the compiled statements against a real store (${driver})`, () => {
      const dir = mkdtempSync(join(tmpdir(), 'mc-compile-'));
      try {
        const path = join(dir, 'tracking.db');
        const store = new SqliteTrackingStore(path, { driver });
        store.apply({
          runs: ['1', '2', '3'].map((n, i) => ({ id: n.repeat(32), experiment: 'e', name: `r${n}`, status: 'FINISHED', startMs: i, origin: 'modelcloud' })),
          params: [{ runId: '1'.repeat(32), key: 'p', value: HOSTILE[0] }, { runId: '2'.repeat(32), key: 'p', value: 'x' }],
          metrics: [{ runId: '1'.repeat(32), key: 'm', value: 2, step: 0, ts: 0 }, { runId: '3'.repeat(32), key: 'm', value: 3, step: 0, ts: 0 }],
        });
        store.close();
        const db = openSqlite(path, { driver });
        const { page, count } = compileRunSearch({ filter: parseSearchFilter(`params.p = '${HOSTILE[0].replace(/'/g, "''")}' and metrics.m >= 2`), orderBy: parseOrderBy('metrics.m DESC') });
        assert.deepEqual(db.prepare(page.sql).all(...page.params).map((r) => Number(r.rid)), [1]);
        assert.equal(Number(db.prepare(count.sql).get(...count.params)!.n), 1);
        const all = compileRunSearch({ orderBy: parseOrderBy('metrics.m DESC') });
        assert.deepEqual(db.prepare(all.page.sql).all(...all.page.params).map((r) => Number(r.rid)), [3, 1, 2]);
        const grouped = compileGroupRuns({ filter: parseSearchFilter(''), groupBy: parseFieldRef('params.p'), metrics: ['m'] });
        const rows = db.prepare(grouped.sql).all(...grouped.params) as Array<{ value: string | null; n: number; mean_0: number | null }>;
        assert.deepEqual(rows.map((r) => [r.value, Number(r.n), r.mean_0]).sort(), [[HOSTILE[0], 1, 2], [null, 1, 3], ['x', 1, null]].sort());
        db.close();
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});
