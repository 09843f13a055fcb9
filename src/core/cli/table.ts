// Aligned text columns for the CLI's human output. Pure.

/** Left-aligned columns separated by two spaces; columns listed in `right` are right-aligned (numbers). */
export function formatTable(headers: string[], rows: string[][], right: number[] = []): string {
  const widths = headers.map((h, c) => Math.max(h.length, ...rows.map((row) => (row[c] ?? '').length)));
  const line = (cells: string[]): string => cells
    .map((cell, c) => (right.includes(c) ? cell.padStart(widths[c]) : cell.padEnd(widths[c])))
    .join('  ')
    .trimEnd();
  return [line(headers), ...rows.map(line)].join('\n');
}

/** Metric value for people: NaN and infinities spelled out, long decimals shortened. */
export function formatMetric(value: number | null): string {
  if (value === null || Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? 'Infinity' : '-Infinity';
  if (Number.isInteger(value)) return String(value);
  return String(Number(value.toPrecision(6)));
}

/** Epoch ms as 'YYYY-MM-DD HH:MM' UTC (stable across machines), or '-'. */
export function formatTime(ms: number | null): string {
  if (ms === null) return '-';
  return new Date(ms).toISOString().slice(0, 16).replace('T', ' ');
}
