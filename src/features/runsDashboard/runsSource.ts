// What the Runs dashboard reads from the tracking store, and the translation between the
// dashboard's contract (RunsQuery, column ids) and the store's query API (MLflow filter text,
// order-by clause, key lists). The store parses the filter in src/core/query; a filter it rejects
// comes back as a QueryErrorInfo pointing at the offending token, never as an exception.
import type { ExperimentSummary, RunSummary } from '../../core/tracking/types';
import type { ColumnId, ColumnKeys, QueryErrorInfo, RunGroup, RunRow, RunsQuery } from '../../protocol/runsDashboard';
import { requestedKeys } from '../../core/runsTable/columns';
import { orderByClause } from '../../core/runsTable/orderBy';

interface SearchOptions {
  experimentIds?: number[];
  filter?: string;
  orderBy?: string;
  limit?: number;
  offset?: number;
  includeDeleted?: boolean;
  columns?: { params?: string[]; metrics?: string[]; tags?: string[] };
}

/** The part of the tracking store the dashboard uses (TrackingStore implements it). */
export interface RunsDashboardStore {
  listExperiments(options?: { includeDeleted?: boolean }): ExperimentSummary[];
  searchRuns(options: SearchOptions): {
    total: number;
    runs: Array<RunSummary & { params: Record<string, string>; metrics: Record<string, number | null>; tags: Record<string, string> }>;
  };
  listColumnKeys(experimentIds?: number[]): ColumnKeys;
  groupRuns(options: Omit<SearchOptions, 'columns' | 'limit' | 'offset'> & { groupBy: string; metrics: string[] }): Array<{
    value: string | null; count: number; metrics: Record<string, { mean: number | null; min: number | null; max: number | null }>;
  }>;
  changeCounter(): number;
}

export type Outcome<T> = { ok: true; value: T } | { ok: false; error: QueryErrorInfo };

export class RunsSource {
  /** experimentIds undefined = every experiment, including ones created later. */
  constructor(private readonly store: RunsDashboardStore, readonly experimentIds: number[] | undefined) {}

  rows(query: RunsQuery, offset: number, limit: number, columns: readonly ColumnId[]): Outcome<{ total: number; rows: RunRow[] }> {
    return attempt(() => {
      const result = this.store.searchRuns({
        ...this.scope(query),
        offset: Math.max(0, Math.floor(offset)),
        limit: Math.max(0, Math.floor(limit)),
        columns: requestedKeys(columns),
      });
      return { total: result.total, rows: result.runs.map(toRow) };
    });
  }

  /** Every run the query matches (exports), with the given keys, or all keys when none are given. */
  allRows(query: RunsQuery, columns?: readonly ColumnId[]): Outcome<RunRow[]> {
    return attempt(() => {
      const keys = columns ? requestedKeys(columns) : this.keys();
      return this.store.searchRuns({ ...this.scope(query), columns: keys }).runs.map(toRow);
    });
  }

  /** The ids of rows [from, to] (inclusive, either order) of the query: a selection range, loaded or not. */
  idsInRange(query: RunsQuery, from: number, to: number): Outcome<string[]> {
    const first = Math.max(0, Math.floor(Math.min(from, to)));
    const last = Math.max(0, Math.floor(Math.max(from, to)));
    return attempt(() => this.store.searchRuns({
      ...this.scope(query), offset: first, limit: last - first + 1, columns: requestedKeys([]),
    }).runs.map((run) => run.id));
  }

  total(query: RunsQuery): Outcome<number> {
    return attempt(() => this.store.searchRuns({ ...this.scope(query), limit: 0 }).total);
  }

  groups(query: RunsQuery, groupBy: ColumnId, metrics: string[]): Outcome<RunGroup[]> {
    return attempt(() => this.store.groupRuns({ ...this.scope(query), groupBy, metrics }));
  }

  keys(): ColumnKeys {
    return this.store.listColumnKeys(this.experimentIds);
  }

  experiments(): Array<{ id: number; name: string }> {
    const all = this.store.listExperiments();
    const wanted = this.experimentIds;
    return all.filter((e) => !wanted || wanted.includes(e.id)).map((e) => ({ id: e.id, name: e.name }));
  }

  changeCounter(): number {
    return this.store.changeCounter();
  }

  private scope(query: RunsQuery): SearchOptions {
    const filter = query.filter.trim();
    return {
      experimentIds: this.experimentIds,
      filter: filter === '' ? undefined : filter,
      orderBy: orderByClause(query.sort),
    };
  }
}

function toRow(run: ReturnType<RunsDashboardStore['searchRuns']>['runs'][number]): RunRow {
  return {
    id: run.id, name: run.name, experiment: run.experiment, status: run.status, startMs: run.startMs, endMs: run.endMs,
    params: run.params, metrics: run.metrics, tags: run.tags,
  };
}

/** Runs a store query; a query syntax error (anything carrying offset and length) becomes an Outcome. */
function attempt<T>(fn: () => T): Outcome<T> {
  try {
    return { ok: true, value: fn() };
  } catch (error) {
    const info = queryErrorInfo(error);
    if (info) return { ok: false, error: info };
    throw error;
  }
}

export function queryErrorInfo(error: unknown): QueryErrorInfo | undefined {
  if (!(error instanceof Error)) return undefined;
  // QuerySyntaxError (src/core/query) carries offset, length and the reason without "at column N":
  // the dashboard draws a caret under the column instead.
  const { offset, length, reason } = error as Error & { offset?: unknown; length?: unknown; reason?: unknown };
  if (typeof offset !== 'number') return undefined;
  return {
    message: typeof reason === 'string' && reason !== '' ? reason : error.message,
    offset,
    length: typeof length === 'number' && length > 0 ? length : 1,
  };
}
