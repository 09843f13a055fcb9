// Parses run-log text (format v1, see runEvents.ts) into validated events. Pure: the caller
// reads the bytes and remembers where it stopped.
import { RUN_LOG_VERSION, type RunEvent, type JsonMetricValue } from './runEvents';

export interface LineProblem {
  /** 1-based line number in the file. */
  line: number;
  message: string;
}

export interface ParsedRunLogChunk {
  events: Array<{ line: number; event: RunEvent }>;
  problems: LineProblem[];
  /** Characters of `text` consumed: everything up to and including the last '\n'. */
  consumed: number;
  /** Complete lines consumed (blank ones included), so the caller can number the next chunk. */
  lines: number;
}

const RUN_ID = /^[0-9a-f]{32}$/;
const FORMAT_HINT = 'each line must be one JSON event as described in README.md, "Run log format"';

/**
 * Parses every complete line of `text`. A trailing line without '\n' is still being written, so it
 * is left for the next call. Bad lines are skipped and reported; they never stop the rest.
 */
export function parseRunLogChunk(text: string, firstLineNumber: number): ParsedRunLogChunk {
  const events: ParsedRunLogChunk['events'] = [];
  const problems: LineProblem[] = [];
  let start = 0;
  let line = firstLineNumber;
  for (;;) {
    const end = text.indexOf('\n', start);
    if (end < 0) break;
    const raw = text.slice(start, end);
    start = end + 1;
    const lineNo = line++;
    if (raw.trim() === '') continue;
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch (error) {
      problems.push({ line: lineNo, message: `not valid JSON (${(error as Error).message}); line skipped — ${FORMAT_HINT}` });
      continue;
    }
    const checked = validateRunEvent(json);
    if (typeof checked === 'string') problems.push({ line: lineNo, message: `${checked}; line skipped` });
    else events.push({ line: lineNo, event: checked });
  }
  return { events, problems, consumed: start, lines: line - firstLineNumber };
}

/** The event, or what is wrong with it (with a hint how to fix it). */
export function validateRunEvent(json: unknown): RunEvent | string {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return `expected a JSON object — ${FORMAT_HINT}`;
  const e = json as Record<string, unknown>;
  if (typeof e.v !== 'number') return 'missing format version "v" (expected 1)';
  if (e.v !== RUN_LOG_VERSION) {
    return e.v > RUN_LOG_VERSION
      ? `event format v${e.v} is newer than this reader (v${RUN_LOG_VERSION}); update the Modelcloud extension/CLI`
      : `unknown event format v${e.v} (expected ${RUN_LOG_VERSION})`;
  }
  if (!isFiniteNumber(e.ts)) return 'missing or non-numeric "ts" (epoch milliseconds)';
  switch (e.t) {
    case 'run_start':
      if (typeof e.run !== 'string' || !RUN_ID.test(e.run)) return 'run_start: "run" must be 32 lowercase hex digits';
      if (typeof e.experiment !== 'string' || e.experiment === '') return 'run_start: "experiment" must be a non-empty string';
      if (typeof e.name !== 'string') return 'run_start: "name" must be a string';
      if (e.tags !== undefined && !isStringRecord(e.tags)) return 'run_start: "tags" must map strings to strings';
      if (e.pid !== undefined && !Number.isInteger(e.pid)) return 'run_start: "pid" must be an integer';
      return e as unknown as RunEvent;
    case 'params':
      if (!isStringRecord(e.params)) return 'params: "params" must map strings to strings (the client str()s values)';
      return e as unknown as RunEvent;
    case 'tags':
      if (!isStringRecord(e.tags)) return 'tags: "tags" must map strings to strings';
      return e as unknown as RunEvent;
    case 'metrics': {
      const { keys, values, steps, times } = e;
      if (!Array.isArray(keys) || !Array.isArray(values) || !Array.isArray(steps) || !Array.isArray(times)) {
        return 'metrics: "keys", "values", "steps" and "times" must be arrays (one column per field)';
      }
      if (values.length !== keys.length || steps.length !== keys.length || times.length !== keys.length) {
        return `metrics: columns differ in length (keys ${keys.length}, values ${values.length}, steps ${steps.length}, times ${times.length})`;
      }
      const bad = firstBadPoint(keys, values, steps, times);
      if (bad >= 0) {
        return `metrics: point ${bad} must be key:string, value:number|"NaN"|"Infinity"|"-Infinity", step:int, time:number; ` +
          `got ${JSON.stringify([keys[bad], values[bad], steps[bad], times[bad]]).slice(0, 80)}`;
      }
      return e as unknown as RunEvent;
    }
    case 'artifact':
      if (typeof e.path !== 'string' || e.path === '') return 'artifact: "path" must be a non-empty string';
      if (!Number.isInteger(e.size) || (e.size as number) < 0) return 'artifact: "size" must be a non-negative integer';
      if (typeof e.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(e.sha256)) return 'artifact: "sha256" must be 64 lowercase hex digits';
      return e as unknown as RunEvent;
    case 'model':
      return validateModelEvent(e);
    case 'run_end':
      if (e.status !== 'FINISHED' && e.status !== 'FAILED' && e.status !== 'KILLED') return 'run_end: "status" must be FINISHED, FAILED or KILLED';
      return e as unknown as RunEvent;
    default:
      return `unknown event type t=${JSON.stringify(e.t)} (known: run_start, params, metrics, tags, artifact, model, run_end); a newer writer may need a newer reader`;
  }
}

function validateModelEvent(e: Record<string, unknown>): RunEvent | string {
  if (typeof e.name !== 'string' || !/^[^/@\s]+$/.test(e.name)) return 'model: "name" must be a non-empty string without \'/\', \'@\' or whitespace';
  if (typeof e.path !== 'string' || e.path === '') return 'model: "path" must be the model\'s artifact folder (e.g. "model")';
  if (!Array.isArray(e.files) || e.files.length === 0) return 'model: "files" must be a non-empty array of {path, sha256, size}';
  for (const [i, f] of e.files.entries()) {
    const file = f as Record<string, unknown> | null;
    if (typeof file !== 'object' || file === null || typeof file.path !== 'string' || file.path === ''
      || typeof file.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(file.sha256) || !Number.isInteger(file.size) || (file.size as number) < 0) {
      return `model: files[${i}] must be {path: non-empty string, sha256: 64 lowercase hex digits, size: non-negative integer}`;
    }
  }
  if (e.flavor !== 'pickle' && e.flavor !== 'joblib' && e.flavor !== 'file') return 'model: "flavor" must be pickle, joblib or file';
  if (e.signature !== null && e.signature !== undefined && (typeof e.signature !== 'object' || Array.isArray(e.signature))) {
    return 'model: "signature" must be null or an object {inputs, outputs}';
  }
  if (typeof e.register !== 'boolean') return 'model: "register" must be true or false';
  if (e.alias !== null && e.alias !== undefined && (typeof e.alias !== 'string' || !/^[^/@\s]+$/.test(e.alias) || /^\d+$/.test(e.alias))) {
    return 'model: "alias" must be null or a name without \'/\', \'@\' or whitespace that is not a number';
  }
  return { ...e, signature: e.signature ?? null, alias: e.alias ?? null } as unknown as RunEvent;
}

/** JSON metric value → number; NaN stays NaN here (the store turns it into NULL). */
export function metricValueFromJson(value: JsonMetricValue): number {
  if (typeof value === 'number') return value;
  if (value === 'NaN') return NaN;
  return value === 'Infinity' ? Infinity : -Infinity;
}

/** Index of the first malformed point, or -1. The hot loop of bulk ingest: keep it flat. */
function firstBadPoint(keys: unknown[], values: unknown[], steps: unknown[], times: unknown[]): number {
  for (let i = 0; i < keys.length; i++) {
    const value = values[i];
    const step = steps[i];
    const time = times[i];
    if (typeof keys[i] !== 'string' || typeof step !== 'number' || typeof time !== 'number') return i;
    if (step % 1 !== 0 || time - time !== 0) return i; // step an integer; time finite
    if (typeof value !== 'number' && value !== 'NaN' && value !== 'Infinity' && value !== '-Infinity') return i;
  }
  return -1;
}

function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

function isStringRecord(value: unknown): value is Record<string, string> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  for (const v of Object.values(value)) if (typeof v !== 'string') return false;
  return true;
}
