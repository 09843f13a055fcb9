// Parsers for MLflow's file store (mlruns/): the flat meta.yaml files, metric lines and run
// status codes. Pure: callers read the files. Formats: shared/notes/anchors.md.
import type { RunStatus } from '../tracking/types';
import type { LineProblem } from './runLogParser';

export type FlatYamlValue = string | number | null | [];

export interface ParsedFlatYaml {
  values: Record<string, FlatYamlValue>;
  problems: LineProblem[];
}

/**
 * MLflow writes meta.yaml with yaml.safe_dump of a flat dict: `key: value` per line, strings
 * sometimes quoted, numbers, `null`, and `[]` for empty lists. Anything richer is reported and
 * skipped, never thrown: one odd file must not stop an ingest.
 */
export function parseFlatYaml(text: string): ParsedFlatYaml {
  const values: Record<string, FlatYamlValue> = {};
  const problems: LineProblem[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i];
    if (raw.trim() === '' || raw.trimStart().startsWith('#') || raw === '---') continue;
    const match = /^([A-Za-z_][\w.-]*):(?:\s+(.*))?$/.exec(raw.trimEnd());
    if (!match) {
      problems.push({ line: i + 1, message: `not a flat "key: value" line (${truncate(raw)}); skipped — nested YAML is not read` });
      continue;
    }
    const value = parseScalar(match[2] ?? '');
    if (value === undefined) {
      problems.push({ line: i + 1, message: `value of "${match[1]}" is not a simple scalar (${truncate(match[2] ?? '')}); skipped` });
      continue;
    }
    values[match[1]] = value;
  }
  return { values, problems };
}

function parseScalar(text: string): FlatYamlValue | undefined {
  const s = text.trim();
  if (s === '' || s === 'null' || s === '~' || s === 'Null' || s === 'NULL') return null;
  if (s === '[]') return [];
  if (s.startsWith("'")) {
    if (!s.endsWith("'") || s.length < 2) return undefined;
    return s.slice(1, -1).replace(/''/g, "'");
  }
  if (s.startsWith('"')) {
    try { return JSON.parse(s) as string; } catch { return undefined; }
  }
  if (/^[-+]?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(s)) return Number(s);
  if (/^[[{&*!|>%@`]/.test(s)) return undefined;
  return s;
}

function truncate(s: string): string {
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

/** A value written by Python's str(float): also nan, inf, -inf (any case), and Infinity. */
export function parseMlflowFloat(text: string): number | undefined {
  const s = text.trim();
  const lower = s.toLowerCase();
  if (lower === 'nan' || lower === '-nan' || lower === '+nan') return NaN;
  if (lower === 'inf' || lower === 'infinity' || lower === '+inf' || lower === '+infinity') return Infinity;
  if (lower === '-inf' || lower === '-infinity') return -Infinity;
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(s)) return undefined;
  return Number(s);
}

export interface MlflowMetricPoint {
  value: number;
  step: number;
  ts: number;
}

/** `<timestamp_ms> <value> <step>`; very old files have only `<timestamp_ms> <value>` (step 0). */
export function parseMlflowMetricLine(line: string): MlflowMetricPoint | string {
  const fields = line.trim().split(/\s+/);
  if (fields.length !== 2 && fields.length !== 3) {
    return `expected "<timestamp_ms> <value> <step>", got ${fields.length} field(s)`;
  }
  const ts = Number(fields[0]);
  if (!/^-?\d+$/.test(fields[0]) || !Number.isSafeInteger(ts)) return `timestamp "${fields[0]}" is not an integer (epoch ms)`;
  const value = parseMlflowFloat(fields[1]);
  if (value === undefined) return `value "${fields[1]}" is not a number`;
  let step = 0;
  if (fields.length === 3) {
    step = Number(fields[2]);
    if (!/^-?\d+$/.test(fields[2]) || !Number.isSafeInteger(step)) return `step "${fields[2]}" is not an integer`;
  }
  return { value, step, ts };
}

const MLFLOW_STATUS: Record<number, RunStatus> = { 1: 'RUNNING', 2: 'SCHEDULED', 3: 'FINISHED', 4: 'FAILED', 5: 'KILLED' };

/** MLflow's RunStatus enum (ints in meta.yaml; some writers use the names). */
export function mlflowStatus(value: FlatYamlValue | undefined): RunStatus | undefined {
  if (typeof value === 'number') return MLFLOW_STATUS[value];
  if (typeof value === 'string') {
    const asNumber = Number(value);
    if (Number.isInteger(asNumber) && MLFLOW_STATUS[asNumber]) return MLFLOW_STATUS[asNumber];
    const upper = value.toUpperCase();
    if (Object.values(MLFLOW_STATUS).includes(upper as RunStatus)) return upper as RunStatus;
  }
  return undefined;
}
