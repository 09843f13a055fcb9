// Run search over the tracking store: the MLflow-style filter and order-by compiled by
// src/core/query into SQL, one page of run ids selected, then only that page's summaries and only
// the requested columns fetched, so a page of 100 rows costs the same at 100 or 100,000 runs.
import type { RunSummary } from '../../core/tracking/types';
import { parseSearchFilter, parseOrderBy, parseFieldRef } from '../../core/query/parser';
import { compileRunSearch, compileGroupRuns, type CompiledSql, type RunSearchQuery } from '../../core/query/compileSql';
import { QuerySyntaxError } from '../../core/query/errors';
import type {
  ColumnKeys, GroupRunsOptions, RunFilterOptions, RunGroup, SearchRunsOptions, SearchRunsResult, SearchedRun,
} from './trackingStore.api';
import type { SqlDatabase, SqlStatement, SqlRow } from './sqliteDriver';

/** Prepared statements kept; filters vary, so the cache is bounded (least recently used dropped). */
const STATEMENT_CACHE_SIZE = 64;

const IN_JSON = 'IN (SELECT value FROM json_each(?))';

export class RunSearch {
  private readonly statements = new Map<string, SqlStatement>();

  constructor(
    private readonly db: SqlDatabase,
    /** Summaries of runs by surrogate key, in the order given (the store's own row mapping). */
    private readonly summarize: (rids: number[]) => RunSummary[],
  ) {}

  search(options: SearchRunsOptions): SearchRunsResult {
    const query = this.query(options);
    query.orderBy = parseOrderBy(options.orderBy ?? '');
    if (options.limit !== undefined) query.limit = options.limit;
    if (options.offset !== undefined) query.offset = options.offset;
    const { page, count, pageCounts } = compileRunSearch(query);
    const rows = this.all(page);
    const rids = rows.map((row) => Number(row.rid));
    const offset = Math.max(0, Math.floor(options.offset ?? 0));
    // A first page shorter than the limit is all there is; a counting page carries the total.
    const complete = offset === 0 && (query.limit === undefined || query.limit < 0 || rids.length < query.limit);
    const total = complete ? rids.length
      : pageCounts && rows.length > 0 ? Number(rows[0].total)
      : Number(this.all(count)[0].n);
    return { total, runs: this.withColumns(rids, options.columns ?? {}) };
  }

  group(options: GroupRunsOptions): RunGroup[] {
    const groupBy = parseFieldRef(options.groupBy);
    if (groupBy.entity === 'metric') {
      throw new QuerySyntaxError(options.groupBy, groupBy.span.offset, groupBy.span.length,
        'group by a param, tag or attribute (e.g. params.seed), not a metric');
    }
    const metrics = [...options.metrics];
    const rows = this.all(compileGroupRuns({ ...this.query(options), groupBy, metrics }));
    const groups = rows.map((row): RunGroup => ({
      value: row.value === null || row.value === undefined ? null : String(row.value),
      count: Number(row.n),
      metrics: Object.fromEntries(metrics.map((key, i) => [key, {
        mean: numberOrNull(row[`mean_${i}`]), min: numberOrNull(row[`min_${i}`]), max: numberOrNull(row[`max_${i}`]),
      }])),
    }));
    // Values in natural order (seed 2 before seed 10), runs without the key last.
    const collator = new Intl.Collator('en', { numeric: true });
    return groups.sort((a, b) => (a.value === null ? 1 : b.value === null ? -1 : collator.compare(a.value, b.value)));
  }

  columnKeys(experimentIds?: number[]): ColumnKeys {
    if (experimentIds === undefined) {
      return {
        params: this.distinctKeys('params'),
        tags: this.distinctKeys('tags'),
        metrics: this.all({ sql: `SELECT key FROM metric_keys k
          WHERE EXISTS (SELECT 1 FROM metric_latest l WHERE l.kid = k.kid) ORDER BY key`, params: [] }).map((row) => String(row.key)),
      };
    }
    const experiments = JSON.stringify(experimentIds);
    const inExperiments = (table: string): string[] => this.distinctKeys(table).filter((key) => this.all({
      sql: `SELECT 1 AS found FROM ${table} t JOIN runs r ON r.rid = t.rid WHERE t.key = ? AND r.experiment_id ${IN_JSON} LIMIT 1`,
      params: [key, experiments],
    }).length > 0);
    return {
      params: inExperiments('params'),
      tags: inExperiments('tags'),
      metrics: this.all({ sql: `SELECT key FROM metric_keys k WHERE EXISTS (SELECT 1 FROM metric_latest l JOIN runs r ON r.rid = l.rid
        WHERE l.kid = k.kid AND r.experiment_id ${IN_JSON}) ORDER BY key`, params: [experiments] }).map((row) => String(row.key)),
    };
  }

  private query(options: RunFilterOptions): RunSearchQuery {
    return {
      filter: parseSearchFilter(options.filter ?? ''),
      experimentIds: options.experimentIds,
      includeDeleted: options.includeDeleted ?? false,
    };
  }

  /**
   * Distinct keys of params or tags by hopping through the (key, value) index one key at a time
   * (a loose index scan): 20 lookups for 20 keys instead of reading 2,000,000 rows.
   */
  private distinctKeys(table: string): string[] {
    return this.all({
      sql: `WITH RECURSIVE k(key) AS (
          SELECT (SELECT min(key) FROM ${table})
          UNION ALL SELECT (SELECT min(key) FROM ${table} WHERE key > k.key) FROM k WHERE k.key IS NOT NULL)
        SELECT key FROM k WHERE key IS NOT NULL`,
      params: [],
    }).map((row) => String(row.key));
  }

  private withColumns(rids: number[], columns: NonNullable<SearchRunsOptions['columns']>): SearchedRun[] {
    const runs: SearchedRun[] = this.summarize(rids).map((summary) => ({ ...summary, params: {}, metrics: {}, tags: {} }));
    if (rids.length === 0) return runs;
    const byRid = new Map<number, SearchedRun>(rids.map((rid, i) => [rid, runs[i]]));
    const ridsJson = JSON.stringify(rids);
    const fetch = (sql: string, keys: string[] | undefined, put: (run: SearchedRun, key: string, value: unknown) => void): void => {
      if (!keys || keys.length === 0) return;
      for (const row of this.all({ sql, params: [ridsJson, JSON.stringify(keys)] })) {
        const run = byRid.get(Number(row.rid));
        if (run) put(run, String(row.key), row.value);
      }
    };
    // CROSS JOIN fixes the order: start from the page's runs and look keys up by primary key, never
    // from the (key, value) indexes, which would read every run's value of each requested key.
    fetch(`SELECT p.rid AS rid, p.key AS key, p.value AS value FROM json_each(?) j CROSS JOIN params p ON p.rid = j.value
        WHERE p.key ${IN_JSON}`, columns.params,
      (run, key, value) => { run.params[key] = String(value); });
    fetch(`SELECT t.rid AS rid, t.key AS key, t.value AS value FROM json_each(?) j CROSS JOIN tags t ON t.rid = j.value
        WHERE t.key ${IN_JSON}`, columns.tags,
      (run, key, value) => { run.tags[key] = String(value); });
    fetch(`SELECT l.rid AS rid, k.key AS key, l.value AS value FROM json_each(?) j CROSS JOIN metric_latest l ON l.rid = j.value
        JOIN metric_keys k ON k.kid = l.kid WHERE k.key ${IN_JSON}`, columns.metrics,
      (run, key, value) => { run.metrics[key] = numberOrNull(value); });
    return runs;
  }

  private all(compiled: CompiledSql): SqlRow[] {
    return this.statement(compiled.sql).all(...compiled.params);
  }

  private statement(sql: string): SqlStatement {
    let statement = this.statements.get(sql);
    if (statement) {
      this.statements.delete(sql);
    } else {
      statement = this.db.prepare(sql);
      if (this.statements.size >= STATEMENT_CACHE_SIZE) this.statements.delete(this.statements.keys().next().value!);
    }
    this.statements.set(sql, statement);
    return statement;
  }
}

function numberOrNull(value: unknown): number | null {
  return value === null || value === undefined ? null : Number(value);
}
