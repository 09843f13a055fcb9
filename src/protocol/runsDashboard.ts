// The Runs dashboard's host<->webview contract. Both sides import it: the host from
// src/features/runsDashboard, the browser code from webview/runs. Pure types and constants.
//
// Flow: webview says `ready` → host sends `init` (full state: experiments, column keys, saved
// columns). The webview then asks for what it shows with request/reply messages carrying a
// `requestId` (fetchRows → rows | queryError, fetchGroups → groups | queryError). When the
// store changes the host sends `invalidate` (a delta: the new total for the last query, plus new
// column keys when they changed); the webview refetches only its visible window. A selection
// that spans rows the webview has not loaded (Shift+click far away, Ctrl+A) is resolved by the
// host: resolveRange → range (the ids of rows [from, to] in the query's order).

import type { RunSummary } from '../core/tracking/types';

export const RUNS_DASHBOARD_VIEW_TYPE = 'modelcloud.runsDashboard';
/** The bundle under dist/webview/ (runs.js, runs.css). */
export const RUNS_DASHBOARD_BUNDLE = 'runs';

/**
 * A column id: `attributes.<name>` for the built-in columns (status, name, experiment, start_time,
 * duration), else `params.<key>`, `metrics.<key>` or `tags.<key>` — the same prefixes as the filter
 * syntax, so a column id is also what a user types in the filter box.
 */
export type ColumnId = string;

export interface ColumnState {
  id: ColumnId;
  /** Pixels. */
  width: number;
  /** Pinned columns stay at the left edge while the table scrolls horizontally. */
  pinned: boolean;
}

export interface ColumnKeys {
  params: string[];
  metrics: string[];
  tags: string[];
}

export type SortDirection = 'asc' | 'desc';

export interface SortState {
  column: ColumnId;
  direction: SortDirection;
}

/** What the table shows: the filter text (MLflow search syntax, '' = all runs) and the sort. */
export interface RunsQuery {
  filter: string;
  sort?: SortState;
}

/** One table row: a run's attributes plus the values of the requested param/metric/tag columns. */
/** The run attributes every run view shows. */
export type RunRowAttribute = 'id' | 'name' | 'experiment' | 'status' | 'startMs' | 'endMs';

export interface RunRow extends Pick<RunSummary, RunRowAttribute> {
  params: Record<string, string>;
  /** null is NaN (SQLite cannot store NaN); a missing key means the run never logged it. */
  metrics: Record<string, number | null>;
  tags: Record<string, string>;
}

export interface MetricStats {
  mean: number | null;
  min: number | null;
  max: number | null;
}

export interface RunGroup {
  /** The param/tag value shared by the group; null for runs without it. */
  value: string | null;
  count: number;
  metrics: Record<string, MetricStats>;
}

/** A filter the query parser rejected: where (0-based offset into the filter text) and why. */
export interface QueryErrorInfo {
  message: string;
  offset: number;
  length: number;
}

export type ExportFormat = 'csv' | 'json';

// ---- webview → host -------------------------------------------------------------------------

export interface FetchRowsRequest {
  type: 'fetchRows';
  requestId: number;
  query: RunsQuery;
  offset: number;
  limit: number;
  /** Which params/metrics/tags each row should carry (the visible columns). */
  columns: ColumnId[];
}

export interface FetchGroupsRequest {
  type: 'fetchGroups';
  requestId: number;
  query: RunsQuery;
  /** `params.<key>` or `tags.<key>`. */
  groupBy: ColumnId;
  /** Metric keys (without the `metrics.` prefix) to aggregate per group. */
  metrics: string[];
}

export interface SaveColumnsMessage {
  type: 'saveColumns';
  columns: ColumnState[];
}

export interface CompareMessage {
  type: 'compare';
  runIds: string[];
}

export interface ExportMessage {
  type: 'export';
  format: ExportFormat;
  query: RunsQuery;
  columns: ColumnId[];
  /** The selected runs; empty or absent = every run the filter matches. */
  runIds?: string[];
}

/** The ids of rows [from, to] (inclusive, 0-based, in the query's order), loaded or not. */
export interface ResolveRangeRequest {
  type: 'resolveRange';
  requestId: number;
  query: RunsQuery;
  from: number;
  to: number;
}

export type RunsDashboardToHost =
  | FetchRowsRequest | FetchGroupsRequest | ResolveRangeRequest | SaveColumnsMessage | CompareMessage | ExportMessage;

// ---- host → webview -------------------------------------------------------------------------

export interface InitMessage {
  type: 'init';
  title: string;
  experiments: Array<{ id: number; name: string }>;
  keys: ColumnKeys;
  /** The saved column layout (workspace state), already checked; the webview may start with it. */
  columns: ColumnState[];
  /** Whether the command the Compare button runs is registered (so the button can say why not). */
  compareAvailable: boolean;
}

export interface RowsReply {
  type: 'rows';
  requestId: number;
  /** How many runs match the query in all. */
  total: number;
  offset: number;
  rows: RunRow[];
}

export interface GroupsReply {
  type: 'groups';
  requestId: number;
  groups: RunGroup[];
}

export interface QueryErrorReply {
  type: 'queryError';
  requestId: number;
  error: QueryErrorInfo;
}

export interface InvalidateMessage {
  type: 'invalidate';
  /** The new total of the last query the webview asked for. */
  total: number;
  /** Present when the set of param/metric/tag keys changed. */
  keys?: ColumnKeys;
}

/** Something to show in the dashboard's status line (export done, compare unavailable, ...). */
export interface NoticeMessage {
  type: 'notice';
  level: 'info' | 'error';
  message: string;
}

export interface RangeReply {
  type: 'range';
  requestId: number;
  from: number;
  to: number;
  /** One id per row from `from` to `to` (fewer when the query now matches fewer runs). */
  ids: string[];
}

export type RunsDashboardReply = RowsReply | GroupsReply | RangeReply | QueryErrorReply;
export type RunsDashboardToView = InitMessage | RunsDashboardReply | InvalidateMessage | NoticeMessage;

/** Command the Compare button runs, with the selected run ids as its argument. */
export const COMPARE_RUNS_COMMAND = 'modelcloud.compareRuns';
