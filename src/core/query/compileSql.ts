// Search AST → parameterised SQL over the tracking store's schema (see
// src/platform/store/migrations.ts): runs r JOIN experiments e, metric_latest + metric_keys, params,
// tags. Every user value and every key is a bound parameter; the SQL text is built only from our own
// constants, so no input can change the statement's shape beyond the number of conditions.
import type { AttributeName, Condition, FieldRef, OrderTerm, SearchFilter } from './ast';

export type SqlParam = string | number | null;

export interface CompiledSql {
  sql: string;
  params: SqlParam[];
}

export interface RunSearchQuery {
  filter?: SearchFilter;
  orderBy?: OrderTerm[];
  /** undefined: every experiment; []: none. */
  experimentIds?: number[];
  includeDeleted?: boolean;
  limit?: number;
  offset?: number;
}

const ATTRIBUTE_COLUMNS: Record<AttributeName, string> = {
  run_id: 'r.id',
  run_name: 'r.name',
  status: 'r.status',
  start_time: 'r.start_ms',
  end_time: 'r.end_ms',
  user: 'r.user',
  experiment: 'e.name',
  experiment_id: 'r.experiment_id',
};

const METRIC_KID = '(SELECT kid FROM metric_keys WHERE key = ?)';
const FROM_RUNS = 'FROM runs r JOIN experiments e ON e.id = r.experiment_id';

/**
 * The SELECT of one page of matching runs (column `rid`, in order; and `total`, the number of all
 * matches, when `pageCounts`) and the COUNT of all matches.
 * One selective condition is written as `r.rid IN (SELECT rid ...)` so SQLite can start from the
 * matching rows of an index instead of scanning every run; the others are checked per run with
 * EXISTS (a primary-key lookup each), which beats materialising their whole match sets.
 */
export function compileRunSearch(query: RunSearchQuery): { page: CompiledSql; count: CompiledSql; pageCounts: boolean } {
  const where = compileWhere(query);
  const order = compileOrderBy(query.orderBy ?? []);
  const limit = query.limit === undefined ? -1 : Math.max(0, Math.floor(query.limit));
  const offset = Math.max(0, Math.floor(query.offset ?? 0));
  // A filter or a custom order makes SQLite read and sort every match anyway: counting them in the
  // same pass (count(*) OVER ()) saves a second query doing the same lookups. The default
  // newest-first view without a filter reads just one page off the runs_by_start index, so there a
  // separate COUNT is cheaper than a window that would force reading every run.
  const pageCounts = (query.filter?.conditions.length ?? 0) > 0 || (query.orderBy?.length ?? 0) > 0;
  return {
    pageCounts,
    page: {
      sql: `SELECT r.rid AS rid${pageCounts ? ', count(*) OVER () AS total' : ''} ${FROM_RUNS} WHERE ${where.sql} ORDER BY ${order.sql} LIMIT ? OFFSET ?`,
      params: [...where.params, ...order.params, limit, offset],
    },
    count: { sql: `SELECT count(*) AS n ${FROM_RUNS} WHERE ${where.sql}`, params: where.params },
  };
}

/**
 * Per distinct value of `groupBy` (a param, tag or attribute): the number of matching runs and
 * columns mean_i, min_i, max_i for metrics[i] (runs lacking the metric, or with NaN, are skipped).
 */
export function compileGroupRuns(query: RunSearchQuery & { groupBy: FieldRef; metrics: string[] }): CompiledSql {
  const where = compileWhere(query);
  const group = valueExpression(query.groupBy);
  const metricColumns = query.metrics.map((_, i) => `, (SELECT value FROM metric_latest WHERE rid = r.rid AND kid = ${METRIC_KID}) AS m${i}`);
  const aggregates = query.metrics.map((_, i) => `, avg(m${i}) AS mean_${i}, min(m${i}) AS min_${i}, max(m${i}) AS max_${i}`);
  // MATERIALIZED: each metric is looked up once per run, not once per aggregate.
  return {
    sql: `WITH base AS MATERIALIZED (SELECT ${group.sql} AS value${metricColumns.join('')} ${FROM_RUNS} WHERE ${where.sql})
      SELECT value, count(*) AS n${aggregates.join('')} FROM base GROUP BY value`,
    params: [...group.params, ...query.metrics, ...where.params],
  };
}

/** The boolean expression over r and e for the scope (experiments, deleted) and the filter. */
export function compileWhere(query: RunSearchQuery): CompiledSql {
  const parts: string[] = [];
  const params: SqlParam[] = [];
  if (query.experimentIds !== undefined) {
    parts.push('r.experiment_id IN (SELECT value FROM json_each(?))');
    params.push(JSON.stringify(query.experimentIds.map(Number).filter(Number.isInteger)));
  }
  if (!query.includeDeleted) parts.push('r.deleted_ms IS NULL AND e.deleted_ms IS NULL');
  const filter = compileFilter(query.filter ?? { conditions: [] });
  if (filter.sql !== '1') { parts.push(filter.sql); params.push(...filter.params); }
  return { sql: parts.length === 0 ? '1' : parts.join(' AND '), params };
}

/** The filter alone as a boolean expression over r (runs) and e (experiments); '1' when empty. */
export function compileFilter(filter: SearchFilter): CompiledSql {
  if (filter.conditions.length === 0) return { sql: '1', params: [] };
  const driver = chooseDriver(filter.conditions);
  const parts: string[] = [];
  const params: SqlParam[] = [];
  filter.conditions.forEach((condition, i) => {
    const compiled = compileCondition(condition, i === driver);
    parts.push(compiled.sql);
    params.push(...compiled.params);
  });
  return { sql: parts.join(' AND '), params };
}

/** ORDER BY list: the user's terms with NULLs (missing values, NaN) last, then newest first and id for stability. */
export function compileOrderBy(terms: OrderTerm[]): CompiledSql {
  const parts: string[] = [];
  const params: SqlParam[] = [];
  for (const term of terms) {
    const expr = valueExpression(term.field);
    parts.push(`${expr.sql} ${term.direction === 'DESC' ? 'DESC' : 'ASC'} NULLS LAST`);
    params.push(...expr.params);
  }
  // NULLs sort lowest in SQLite, so plain DESC already puts runs without a start time last, and the
  // runs_by_start index (start_ms DESC, id) delivers this order without sorting.
  parts.push('r.start_ms DESC', 'r.id');
  return { sql: parts.join(', '), params };
}

/** A field's value for one run r (NULL when the run lacks it): for sorting and grouping. */
export function valueExpression(field: FieldRef): CompiledSql {
  switch (field.entity) {
    case 'attribute': return { sql: ATTRIBUTE_COLUMNS[field.key], params: [] };
    case 'metric': return { sql: `(SELECT value FROM metric_latest WHERE rid = r.rid AND kid = ${METRIC_KID})`, params: [field.key] };
    case 'param': return { sql: '(SELECT value FROM params WHERE rid = r.rid AND key = ?)', params: [field.key] };
    case 'tag': return { sql: '(SELECT value FROM tags WHERE rid = r.rid AND key = ?)', params: [field.key] };
  }
}

/** MLflow's LIKE is case-sensitive, SQLite's is not: LIKE becomes GLOB with % → *, _ → ?, and GLOB's own wildcards escaped. */
export function likeToGlob(pattern: string): string {
  let glob = '';
  for (const c of pattern) {
    if (c === '%') glob += '*';
    else if (c === '_') glob += '?';
    else if (c === '*' || c === '?' || c === '[') glob += `[${c}]`;
    else glob += c;
  }
  return glob;
}

/**
 * The condition most likely to match the fewest runs, which SQLite should start from, or -1 when
 * none helps (or a run id condition is there: SQLite then starts from the runs.id index by itself).
 * Lower rank = more selective, from experience with real stores: an exact param/tag value beats an
 * exact metric value beats a metric range beats a LIKE; negations and IS NOT NULL match most runs.
 */
function chooseDriver(conditions: Condition[]): number {
  let best = -1;
  let bestRank = Infinity;
  conditions.forEach((c, i) => {
    let rank = Infinity;
    if (c.field.entity === 'attribute') {
      if (c.field.key === 'run_id' && ((c.kind === 'compare' && c.op === '=') || (c.kind === 'in' && !c.negated))) rank = -1;
    } else if (c.kind === 'compare') {
      if (c.op === '=') rank = c.field.entity === 'metric' ? 2 : 1;
      else if (c.op !== '!=') rank = 3;
    } else if (c.kind === 'in' && !c.negated) {
      rank = c.field.entity === 'metric' ? 2 : 1;
    } else if (c.kind === 'like') {
      rank = 4;
    }
    if (rank < bestRank) { bestRank = rank; best = i; }
  });
  return bestRank < 0 ? -1 : best;
}

function compileCondition(c: Condition, drive: boolean): CompiledSql {
  if (c.field.entity === 'attribute') return compileAttributeCondition(c, ATTRIBUTE_COLUMNS[c.field.key]);
  // metrics, params, tags: the run has a row for the key whose value satisfies the predicate (as in
  // MLflow, `!=` and NOT IN also require the key); IS NULL means the run never logged the key.
  const table = c.field.entity === 'metric' ? 'metric_latest' : c.field.entity === 'param' ? 'params' : 'tags';
  const keyTest = c.field.entity === 'metric' ? `kid = ${METRIC_KID}` : 'key = ?';
  if (c.kind === 'null') {
    return { sql: `${c.negated ? '' : 'NOT '}EXISTS (SELECT 1 FROM ${table} WHERE ${keyTest} AND rid = r.rid)`, params: [c.field.key] };
  }
  if (drive) {
    const predicate = valuePredicate(c, 'value');
    return { sql: `r.rid IN (SELECT rid FROM ${table} WHERE ${keyTest} AND ${predicate.sql})`, params: [c.field.key, ...predicate.params] };
  }
  // `+value` keeps SQLite off the (key, value) index here: without statistics it may otherwise range-scan
  // every run's value of the key once per candidate run (measured: 12 s instead of 30 ms at 100,000 runs).
  // This check must be the primary-key lookup (rid, key).
  const predicate = valuePredicate(c, '+value');
  return { sql: `EXISTS (SELECT 1 FROM ${table} WHERE ${keyTest} AND ${predicate.sql} AND rid = r.rid)`, params: [c.field.key, ...predicate.params] };
}

function compileAttributeCondition(c: Condition, column: string): CompiledSql {
  if (c.kind === 'null') return { sql: `${column} IS ${c.negated ? 'NOT ' : ''}NULL`, params: [] };
  return valuePredicate(c, column);
}

/** The test on a value column (empty sql for IS [NOT] NULL, which only asks whether the row exists). */
function valuePredicate(c: Condition, column: string): CompiledSql {
  switch (c.kind) {
    case 'compare': return { sql: `${column} ${c.op} ?`, params: [c.value] };
    case 'like': return c.op === 'LIKE'
      ? { sql: `${column} GLOB ?`, params: [likeToGlob(c.pattern)] }
      // SQLite's LIKE ignores case for ASCII letters, which is what ILIKE asks for.
      : { sql: `${column} LIKE ?`, params: [c.pattern] };
    case 'in': {
      const not = c.negated ? 'NOT ' : '';
      if (c.values.every((v) => typeof v === 'string' || Number.isFinite(v))) {
        // One JSON parameter however long the list: the statement text stays the same.
        return { sql: `${column} ${not}IN (SELECT value FROM json_each(?))`, params: [JSON.stringify(c.values)] };
      }
      return { sql: `${column} ${not}IN (${c.values.map(() => '?').join(', ')})`, params: [...c.values] };
    }
    case 'null': return { sql: '', params: [] };
  }
}
