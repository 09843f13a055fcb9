// The run-log event format (version 1): a public contract between the Python client
// (src/python/modelcloud) that writes `.modelcloud/runs/<run_id>.jsonl` and every reader
// (the extension, the CLI, anyone's scripts). Documented in README.md, "Run log format".
//
// One JSON object per line, UTF-8, '\n' terminated. A line without its '\n' is still being
// written and is not read yet. Strict JSON: non-finite metric values are the strings
// "NaN", "Infinity" and "-Infinity". Unknown fields are ignored; unknown `t` values are
// skipped (and reported) so old readers survive new writers within one major version `v`.

export const RUN_LOG_VERSION = 1;

interface EventBase {
  /** Format version; readers accept events whose v they know. */
  v: 1;
  /** Wall-clock time of the event, epoch milliseconds. */
  ts: number;
}

/** First line of every run log. */
export interface RunStartEvent extends EventBase {
  t: 'run_start';
  /** 32 lowercase hex digits; also the file name. */
  run: string;
  experiment: string;
  name: string;
  user?: string;
  /** Process id and host of the logging process: lets readers mark a run whose process died as KILLED. */
  pid?: number;
  host?: string;
  /** cell: for notebooks, the execution count (n of "In [n]") of the cell that started the run. */
  source?: { kind: 'script' | 'notebook' | 'unknown'; path?: string; cell?: number };
  git?: { commit?: string; branch?: string; dirty?: boolean };
  python?: string;
  /** sha256 of `pip freeze` output, to tell environments apart. */
  pip_hash?: string;
  tags?: Record<string, string>;
}

export interface ParamsEvent extends EventBase {
  t: 'params';
  /** Values are strings (the client str()s them, as MLflow does). */
  params: Record<string, string>;
}

export type JsonMetricValue = number | 'NaN' | 'Infinity' | '-Infinity';

/**
 * Metric points, batched in columns: point i is (keys[i], values[i], steps[i], times[i]); all four
 * arrays have one length. Columns rather than one [key, value, step, ts] array per point because
 * arrays of plain numbers parse more than twice as fast, which bounds bulk ingest.
 */
export interface MetricsEvent extends EventBase {
  t: 'metrics';
  keys: string[];
  values: JsonMetricValue[];
  /** Integers. */
  steps: number[];
  /** Epoch milliseconds at which each point was logged. */
  times: number[];
}

export interface TagsEvent extends EventBase {
  t: 'tags';
  tags: Record<string, string>;
}

/** A file logged with the run; its bytes live at .modelcloud/artifacts/<sha[0:2]>/<sha[2:]>. */
export interface ArtifactEvent extends EventBase {
  t: 'artifact';
  /** Path of the artifact inside the run (usually the file's base name). */
  path: string;
  size: number;
  sha256: string;
}

export interface RunEndEvent extends EventBase {
  t: 'run_end';
  status: 'FINISHED' | 'FAILED' | 'KILLED';
}

/**
 * A model saved with the run (added in v1, issue #5). Its files were logged just before as
 * ordinary `artifact` events under `<path>/<file>`; `files` lists them relative to `path`.
 * With `register` true, readers register it as a new version of model `name` (and point `alias`
 * at that version when given).
 */
export interface ModelEvent extends EventBase {
  t: 'model';
  name: string;
  /** The model's artifact folder inside the run, e.g. "model". */
  path: string;
  files: Array<{ path: string; sha256: string; size: number }>;
  flavor: 'pickle' | 'joblib' | 'file';
  /** Input/output signature when known. */
  signature: { inputs?: unknown; outputs?: unknown } | null;
  register: boolean;
  alias: string | null;
}

export type RunEvent = RunStartEvent | ParamsEvent | MetricsEvent | TagsEvent | ArtifactEvent | ModelEvent | RunEndEvent;
