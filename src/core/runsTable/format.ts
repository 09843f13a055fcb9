// Cell values and their text in the runs table and in exports. Pure.
import { formatDuration, formatMetricValue, runDurationMs } from '../experiments/format';
import type { ColumnId, RunRow } from '../../protocol/runsDashboard';
import { parseColumnId } from './columns';

/** The raw value of a cell: what exports write. undefined = the run has no such value. */
export type CellValue = string | number | null | undefined;

export function cellValue(row: RunRow, id: ColumnId, nowMs: number): CellValue {
  const parsed = parseColumnId(id);
  if (!parsed) return undefined;
  switch (parsed.kind) {
    case 'param': return row.params[parsed.key];
    case 'tag': return row.tags[parsed.key];
    // A present key with null is a logged NaN; an absent key is "never logged".
    case 'metric': return parsed.key in row.metrics ? row.metrics[parsed.key] : undefined;
    case 'attribute':
      switch (parsed.key) {
        case 'status': return row.status;
        case 'run_name': return row.name.trim() !== '' ? row.name : row.id.slice(0, 8);
        case 'experiment': return row.experiment;
        case 'start_time': return row.startMs ?? undefined;
        case 'duration': return runDurationMs(row, nowMs);
        default: return undefined;
      }
  }
}

/** The text a cell shows. Missing values show as an em dash, NaN as "NaN", infinities as ±∞. */
export function cellText(row: RunRow, id: ColumnId, nowMs: number): string {
  const value = cellValue(row, id, nowMs);
  if (value === undefined) return '—';
  const parsed = parseColumnId(id);
  if (parsed?.kind === 'metric') return formatMetricValue(value as number | null);
  if (id === 'attributes.start_time') return formatTimestamp(value as number);
  if (id === 'attributes.duration') return formatDuration(value as number);
  return formatValue(value);
}

/** Any value as text: numbers with formatMetricValue's rules (null = NaN), strings unchanged. */
export function formatValue(value: CellValue): string {
  if (value === undefined) return '—';
  if (value === null || typeof value === 'number') return formatMetricValue(value);
  return value;
}

/** "2026-11-22 14:05" in local time: sortable by eye, short enough for a column. */
export function formatTimestamp(ms: number): string {
  if (!Number.isFinite(ms)) return '—';
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())} ${pad2(d.getHours())}:${pad2(d.getMinutes())}`;
}

/** Group statistics: "—" when no run in the group logged the metric. */
export function formatStat(value: number | null | undefined): string {
  return value === undefined || value === null ? '—' : formatMetricValue(value);
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}
