// Value conversions for the seed project's tracking database (model_track_center.db:
// model_task, model_track, model_metric, model_params). Pure.

/** SQLite's CURRENT_TIMESTAMP text, 'YYYY-MM-DD HH:MM:SS' in UTC, → epoch ms; undefined if not that shape. */
export function parseSeedTimestamp(text: unknown): number | undefined {
  if (typeof text !== 'string') return undefined;
  const m = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(\.\d+)?Z?$/.exec(text.trim());
  if (!m) return undefined;
  const ms = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6], m[7] ? Math.round(Number(m[7]) * 1000) : 0);
  return Number.isNaN(ms) ? undefined : ms;
}

/** model_metric.metric_value: a REAL, or text such as '0.1234' (the seed writes '%.4f'). */
export function parseSeedMetricValue(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value !== 'string') return undefined;
  const s = value.trim();
  const lower = s.toLowerCase();
  if (lower === 'nan') return NaN;
  if (lower === 'inf' || lower === 'infinity') return Infinity;
  if (lower === '-inf' || lower === '-infinity') return -Infinity;
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(s)) return undefined;
  return Number(s);
}

/** The run id of a seed model row: stable across ingests and machines (for one workspace layout). */
export function seedRunIdInput(relativeDbPath: string, modelId: number): string {
  return `seed:${relativeDbPath.split('\\').join('/')}:${modelId}`;
}
