// The run card contract between the Python kernel side (src/python/modelcloud/notebook/run_card.py)
// and the VS Code notebook renderer (webview side) / CodeLens (host side).
//
// Inside a `%%mc_run` cell the kernel displays ONE output with the MIME type RUN_CARD_MIME whose
// data is a RunCardPayload (plus a self-contained `text/html` fallback for other frontends). The
// output is created with a display_id and updated in place about once a second while the cell runs,
// and a last time when the run ends (status FINISHED or FAILED, endMs set).
// Keep this file and run_card.py in step: `schema` is bumped on any incompatible change.

/** The MIME type of a run card output. */
export const RUN_CARD_MIME = 'application/vnd.modelcloud.run+json';

/** The payload schema this file describes. Renderers should show a "newer format" note for higher values. */
export const RUN_CARD_SCHEMA = 1;

/** At most this many params are in `params`; `paramsTruncated` counts the rest. */
export const RUN_CARD_MAX_PARAMS = 20;

/** At most this many points are in a metric's `spark` (downsampled, first and last point kept). */
export const RUN_CARD_MAX_SPARK_POINTS = 60;

export type RunCardStatus = 'RUNNING' | 'FINISHED' | 'FAILED' | 'KILLED';

export interface RunCardMetric {
  /** The value logged at the highest step (NaN/Infinity arrive as null). */
  last: number | null;
  /** The step of `last`. */
  step: number;
  /** Values in step order, downsampled to at most RUN_CARD_MAX_SPARK_POINTS (null for NaN/Infinity). */
  spark: Array<number | null>;
}

export interface RunCardNotebook {
  /** Absolute path of the notebook file, or null when the kernel cannot tell. */
  path: string | null;
  /** The cell's execution count (IPython's `In [n]`), or null. */
  cell: number | null;
  /** sha256 (hex) of the cell source as executed (the `%%mc_run` line included). */
  sourceSha256: string;
}

export interface RunCardPayload {
  schema: 1;
  /** 32 lowercase hex digits; the id used by the run dashboard and the CLI. */
  runId: string;
  runName: string;
  experiment: string;
  status: RunCardStatus;
  /** Epoch milliseconds. */
  startMs: number;
  /** Epoch milliseconds; null while RUNNING. */
  endMs: number | null;
  /** Absolute path of the `.modelcloud` store the run logs into. */
  storeDir: string;
  /** Param name -> value (strings, as logged); at most RUN_CARD_MAX_PARAMS, sorted by name. */
  params: Record<string, string>;
  /** How many params were left out of `params`. */
  paramsTruncated: number;
  /** Metric name -> summary; keys sorted. */
  metrics: Record<string, RunCardMetric>;
  notebook: RunCardNotebook;
}

/** A light structural check for data arriving from a kernel (it is untrusted JSON). */
export function isRunCardPayload(value: unknown): value is RunCardPayload {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    v.schema === RUN_CARD_SCHEMA &&
    typeof v.runId === 'string' &&
    typeof v.runName === 'string' &&
    typeof v.experiment === 'string' &&
    typeof v.status === 'string' &&
    typeof v.startMs === 'number' &&
    (v.endMs === null || typeof v.endMs === 'number') &&
    typeof v.storeDir === 'string' &&
    typeof v.params === 'object' && v.params !== null &&
    typeof v.paramsTruncated === 'number' &&
    typeof v.metrics === 'object' && v.metrics !== null &&
    typeof v.notebook === 'object' && v.notebook !== null
  );
}
