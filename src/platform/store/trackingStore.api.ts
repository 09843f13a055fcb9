// The contract between the tracking store (src/platform/store) and its users: the
// Experiments tree, commands, the CLI, ingest, and later the dashboards. Implemented by
// SqliteTrackingStore in ./sqliteTrackingStore.ts. Synchronous on purpose: SQLite in WAL mode
// answers these in microseconds, and async wrappers would only add latency to tree refreshes.

import type {
  ExperimentSummary, RunSummary, RunDetail, RunStatus, RunOrigin, RunSource, GitInfo,
  MetricPoint, ArtifactRecord, IngestProblem,
} from '../../core/tracking/types';
import type { ModelRegistration } from '../registry/registryStore';

export interface RunUpsert {
  id: string;
  experiment: string;
  name: string;
  status: RunStatus;
  startMs: number | null;
  endMs?: number | null;
  user?: string | null;
  origin: RunOrigin;
  source?: RunSource;
  git?: GitInfo;
  pythonVersion?: string | null;
  host?: string | null;
  pid?: number | null;
  pipHash?: string | null;
  /** MLflow lifecycle_stage 'deleted' and seed del_flag=1 arrive as soft-deleted runs. */
  deleted?: boolean;
}

/** A batch of changes applied in one transaction (ingest calls this per file chunk). */
export interface IngestBatch {
  /**
   * Runs whose rows (params, metrics, tags, artifacts, the run itself) are dropped first, in the same
   * transaction: ingest uses it when a source file shrank or was replaced and is read again from 0.
   */
  resetRuns?: string[];
  runs?: RunUpsert[];
  params?: Array<{ runId: string; key: string; value: string }>;
  tags?: Array<{ runId: string; key: string; value: string }>;
  metrics?: Array<{ runId: string } & MetricPoint>;
  /**
   * The same as `metrics`, in the run log's own columnar shape (values NaN/±Infinity as numbers), so
   * bulk ingest hands parsed arrays over without building an object per point.
   */
  metricColumns?: Array<{
    runId: string; keys: readonly string[]; values: readonly number[]; steps: readonly number[]; times: readonly number[];
  }>;
  artifacts?: Array<{ runId: string } & ArtifactRecord>;
  statuses?: Array<{ runId: string; status: RunStatus; endMs: number | null }>;
  /**
   * Remembered position per ingest source (byte offset, row id, ...), saved atomically with the data.
   * With `expected` set (null = no cursor yet) the batch applies only if the stored cursor still has
   * that value; otherwise apply() throws CursorConflictError and changes nothing — another process
   * (the CLI, a second window) ingested the same source first.
   */
  cursors?: Array<{ source: string; cursor: string; expected?: string | null }>;
  problems?: IngestProblem[];
  registeredModels?: RegisteredModelSummary[];
  /** Model versions registered by run-log `t:'model'` events (after the run's artifacts). */
  modelRegistrations?: ModelRegistration[];
}

/** A registered model as read from an MLflow registry (mlruns/models/); the full registry comes later. */
export interface RegisteredModelSummary {
  name: string;
  description: string | null;
  versions: Array<{ version: number; stage: string; runId: string | null; source: string | null; aliases: string[] }>;
}

export interface ListRunsOptions {
  includeDeleted?: boolean;
  /** The metric to show as each run's primaryMetric when the run logged it (the user's setting). */
  primaryMetric?: string;
  limit?: number;
  offset?: number;
}

/** Which runs a search covers; `filter` uses MLflow's search syntax (src/core/query). */
export interface RunFilterOptions {
  /** undefined: every experiment; []: none. */
  experimentIds?: number[];
  /** e.g. "metrics.f1 > 0.9 and params.depth = '5'"; an invalid one throws QuerySyntaxError. */
  filter?: string;
  includeDeleted?: boolean;
}

export interface SearchRunsOptions extends RunFilterOptions {
  /** e.g. "metrics.f1 DESC, attributes.start_time"; default newest first. NULLs (missing, NaN) sort last. */
  orderBy?: string;
  limit?: number;
  offset?: number;
  /** The only keys whose values are fetched for each returned run. */
  columns?: { params?: string[]; metrics?: string[]; tags?: string[] };
}

/** A run with the requested columns' values; keys the run lacks are absent, a NaN metric is null. */
export type SearchedRun = RunSummary & {
  params: Record<string, string>;
  metrics: Record<string, number | null>;
  tags: Record<string, string>;
};

export interface SearchRunsResult {
  /** All matches, whatever limit/offset say. */
  total: number;
  runs: SearchedRun[];
}

export interface GroupRunsOptions extends RunFilterOptions {
  /** 'params.X' or 'tags.X' (attributes.status, attributes.user, ... work too). */
  groupBy: string;
  metrics: string[];
}

export interface RunGroup {
  /** null: the runs without that param or tag. */
  value: string | null;
  count: number;
  /** Over the group's runs that logged the metric (NaN skipped); null when none did. */
  metrics: Record<string, { mean: number | null; min: number | null; max: number | null }>;
}

export interface ColumnKeys {
  params: string[];
  metrics: string[];
  tags: string[];
}

/** What metricHistoryForChart() returns. */
export interface ChartHistory {
  /** (step, ts, value) triples sorted by (step, ts). */
  packed: Float64Array;
  /** Points in the full history. */
  totalPoints: number;
  /** True when sealed chunks were read as their level of detail rather than point by point. */
  reduced: boolean;
}

export interface TrackingStore {
  /** 'better-sqlite3' or 'node:sqlite': logged at startup. */
  readonly driverName: string;
  readonly path: string;

  listExperiments(options?: { includeDeleted?: boolean }): ExperimentSummary[];
  /** Newest first (start time desc, then id). */
  listRuns(experimentId: number, options?: ListRunsOptions): RunSummary[];
  listDeletedRuns(): RunSummary[];
  getRun(runId: string): RunDetail | undefined;
  /** Every run with its latest metrics, params and tags (for the CLI's --json and exports). */
  listRunDetails(filter?: { experiment?: string; includeDeleted?: boolean }): RunDetail[];
  metricHistory(runId: string, key: string): MetricPoint[];
  /** Runs matching an MLflow-style filter, sorted and paged (the runs dashboard, `modelcloud runs --filter`). */
  searchRuns(options: SearchRunsOptions): SearchRunsResult;
  /** Every param, metric and tag key logged in these experiments (all when undefined), sorted. */
  listColumnKeys(experimentIds?: number[]): ColumnKeys;
  /** Matching runs grouped by a param or tag value, with count and mean/min/max of metrics (runs over seeds). */
  groupRuns(options: GroupRunsOptions): RunGroup[];
  /**
   * The same history packed as (step, ts, value) triples in one Float64Array, sorted like
   * metricHistory(), NaN kept as NaN: what chart downsampling reads, without one object per
   * point (histories have millions of points).
   */
  metricHistoryPacked(runId: string, key: string): Float64Array;
  /**
   * The history for a chart of about `maxPoints` points, packed and sorted like
   * metricHistoryPacked(). Up to maxPoints × 64 points it is every point (exact); longer, sealed
   * chunks come as their level of detail (first/min/max/last of every 64 points, so extremes
   * survive) and the unsealed tail as it is. `totalPoints` counts the full history.
   */
  metricHistoryForChart(runId: string, key: string, maxPoints: number): ChartHistory;

  renameRun(runId: string, name: string): void;
  setTag(runId: string, key: string, value: string): void;
  deleteTag(runId: string, key: string): void;
  softDeleteRun(runId: string): void;
  restoreRun(runId: string): void;
  /**
   * Deletes a soft-deleted run for good: its params, tags, metrics, artifact records and the run.
   * Returns the sha256 of every artifact blob no other run references any more, so the caller can
   * delete those files. Throws when the run does not exist or is not soft-deleted (delete it first).
   */
  purgeRun(runId: string): { artifactsFreed: string[] };
  renameExperiment(experimentId: number, name: string): void;
  softDeleteExperiment(experimentId: number): void;
  restoreExperiment(experimentId: number): void;

  listRegisteredModels(): RegisteredModelSummary[];

  apply(batch: IngestBatch): void;
  getCursor(source: string): string | undefined;
  problemCount(): number;
  recentProblems(limit: number): Array<IngestProblem & { ts: number }>;

  /** Bumps on every write; lets views skip refreshes when nothing changed. */
  changeCounter(): number;
  close(): void;
}

/** Another ingest (the CLI, a second window) advanced this source's cursor first: nothing was written. */
export class CursorConflictError extends Error {
  constructor(readonly source: string) {
    super(`ingest of ${source} was already advanced by another process; it continues from there on the next change`);
    this.name = 'CursorConflictError';
  }
}
