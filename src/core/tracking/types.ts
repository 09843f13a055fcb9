// Domain types shared by the store, the tree, the CLI and (later) the dashboards.
// Pure data: no vscode, no I/O.

export type RunStatus = 'RUNNING' | 'FINISHED' | 'FAILED' | 'KILLED' | 'SCHEDULED';

/** Where a run's rows came from; decides how ingest keys and refreshes it. */
export type RunOrigin = 'modelcloud' | 'mlflow' | 'seed';

export interface RunSource {
  /** 'script' | 'notebook' | 'unknown' */
  kind: 'script' | 'notebook' | 'unknown';
  /** Absolute or workspace-relative path of the script or notebook. */
  path?: string;
  /**
   * When kind === 'notebook': the execution count of the cell that started the run (the n of
   * "In [n]"), which is what a kernel knows; Open Source reveals the cell with that execution order.
   */
  cell?: number;
}

export interface GitInfo {
  commit?: string;
  branch?: string;
  dirty?: boolean;
}

export interface ExperimentSummary {
  id: number;
  name: string;
  runCount: number;
  runningCount: number;
  lastStartMs: number | null;
  deleted: boolean;
}

export interface MetricValue {
  /** null means NaN (SQLite cannot store NaN). */
  value: number | null;
  step: number;
  ts: number;
}

export interface RunSummary {
  id: string;
  experimentId: number;
  experiment: string;
  name: string;
  status: RunStatus;
  startMs: number | null;
  endMs: number | null;
  user: string | null;
  origin: RunOrigin;
  source: RunSource;
  git: GitInfo;
  pythonVersion: string | null;
  host: string | null;
  deleted: boolean;
  /** The metric shown as the tree description (see primaryMetricKey). */
  primaryMetric?: { key: string; value: number | null };
}

export interface ArtifactRecord {
  path: string;
  size: number;
  sha256: string;
}

export interface RunDetail extends RunSummary {
  params: Record<string, string>;
  metrics: Record<string, MetricValue>;
  tags: Record<string, string>;
  artifacts: ArtifactRecord[];
}

export interface MetricPoint {
  key: string;
  value: number | null;
  step: number;
  ts: number;
}

/** A problem found while ingesting: reported, never fatal. */
export interface IngestProblem {
  /** File (or db) the problem is in. */
  source: string;
  /** 1-based line number when the source is line-oriented. */
  line?: number;
  message: string;
}
