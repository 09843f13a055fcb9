// CSV and JSON text of runs for "Export CSV/JSON". Pure: the host writes the text to the file the
// user picked.
import type { ColumnId, RunRow } from '../../protocol/runsDashboard';
import { columnTitle, parseColumnId } from './columns';
import { cellValue, type CellValue } from './format';

/**
 * One CSV field (RFC 4180): quoted when it holds a comma, quote, CR or LF, quotes doubled.
 * Text that a spreadsheet would run as a formula (=, +, -, @, tab, CR first) gets a leading
 * apostrophe, so opening an export of someone's tags cannot execute anything; numbers are
 * written as numbers and are never touched.
 */
export function csvField(value: CellValue): string {
  if (value === undefined) return '';
  let text: string;
  if (typeof value === 'number') text = Number.isNaN(value) ? 'NaN' : value === Infinity ? 'Infinity' : value === -Infinity ? '-Infinity' : String(value);
  else if (value === null) text = 'NaN';
  else text = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Header names in exports: the column id itself for params/metrics/tags (unambiguous), titles otherwise. */
export function exportHeader(id: ColumnId): string {
  return parseColumnId(id)?.kind === 'attribute' ? columnTitle(id).toLowerCase() : id;
}

/** CSV with a header row; the run id always comes first so rows can be joined back to the store. */
export function runsToCsv(rows: readonly RunRow[], columns: readonly ColumnId[], nowMs: number): string {
  const cols = columns;
  const lines = [['run_id', ...cols.map(exportHeader)].map((h) => csvField(h)).join(',')];
  for (const row of rows) {
    // Start times are written as ISO 8601 so spreadsheets and pandas read them as dates.
    lines.push([row.id, ...cols.map((id) => exportValue(row, id, nowMs))].map((v) => csvField(v)).join(','));
  }
  return lines.join('\r\n') + '\r\n';
}

/** JSON: every run with all the fields it carries (NaN and infinities as strings, JSON has none). */
export function runsToJson(rows: readonly RunRow[]): string {
  const safe = rows.map((row) => ({
    ...row,
    startTime: row.startMs === null ? null : new Date(row.startMs).toISOString(),
    endTime: row.endMs === null ? null : new Date(row.endMs).toISOString(),
    metrics: Object.fromEntries(Object.entries(row.metrics).map(([k, v]) => [k, jsonNumber(v)])),
  }));
  return JSON.stringify(safe, null, 2) + '\n';
}

function exportValue(row: RunRow, id: ColumnId, nowMs: number): CellValue {
  const value = cellValue(row, id, nowMs);
  if (id === 'attributes.start_time' && typeof value === 'number') return new Date(value).toISOString();
  return value;
}

function jsonNumber(value: number | null): number | string {
  if (value === null || Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return 'Infinity';
  if (value === -Infinity) return '-Infinity';
  return value;
}
