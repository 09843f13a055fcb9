// The runs table's column model: which columns show, in what order, how wide, which are pinned.
// Pure operations that return new arrays, so the webview can persist every state it reaches.
import type { ColumnId, ColumnKeys, ColumnState } from '../../protocol/runsDashboard';

export const MIN_COLUMN_WIDTH = 48;
export const MAX_COLUMN_WIDTH = 800;

export type ColumnKind = 'attribute' | 'param' | 'metric' | 'tag';

/** Built-in columns: id → header and default width. Status is the narrow icon column. */
export const ATTRIBUTE_COLUMNS: ReadonlyArray<{ id: ColumnId; title: string; width: number; sortable: boolean }> = [
  { id: 'attributes.status', title: 'Status', width: 56, sortable: true },
  { id: 'attributes.run_name', title: 'Run', width: 200, sortable: true },
  { id: 'attributes.experiment', title: 'Experiment', width: 150, sortable: true },
  { id: 'attributes.start_time', title: 'Started', width: 150, sortable: true },
  { id: 'attributes.duration', title: 'Duration', width: 100, sortable: false },
];

const DEFAULT_WIDTH: Record<Exclude<ColumnKind, 'attribute'>, number> = { param: 120, metric: 110, tag: 130 };
const PREFIX: Record<ColumnKind, string> = { attribute: 'attributes.', param: 'params.', metric: 'metrics.', tag: 'tags.' };

export function defaultColumns(): ColumnState[] {
  return ATTRIBUTE_COLUMNS.map((c) => ({ id: c.id, width: c.width, pinned: c.id === 'attributes.status' || c.id === 'attributes.run_name' }));
}

export function columnId(kind: ColumnKind, key: string): ColumnId {
  return PREFIX[kind] + key;
}

/** `metrics.f1` → { kind: 'metric', key: 'f1' }; undefined for an id with an unknown prefix. */
export function parseColumnId(id: ColumnId): { kind: ColumnKind; key: string } | undefined {
  for (const kind of Object.keys(PREFIX) as ColumnKind[]) {
    if (id.startsWith(PREFIX[kind]) && id.length > PREFIX[kind].length) return { kind, key: id.slice(PREFIX[kind].length) };
  }
  return undefined;
}

/** Header text: attribute titles, else the key itself (the kind shows as a small prefix in the UI). */
export function columnTitle(id: ColumnId): string {
  const attribute = ATTRIBUTE_COLUMNS.find((c) => c.id === id);
  if (attribute) return attribute.title;
  return parseColumnId(id)?.key ?? id;
}

export function isSortable(id: ColumnId): boolean {
  const parsed = parseColumnId(id);
  if (!parsed) return false;
  return parsed.kind !== 'attribute' || ATTRIBUTE_COLUMNS.some((c) => c.id === id && c.sortable);
}

export function clampWidth(width: number): number {
  if (!Number.isFinite(width)) return MIN_COLUMN_WIDTH;
  return Math.round(Math.min(MAX_COLUMN_WIDTH, Math.max(MIN_COLUMN_WIDTH, width)));
}

/** Adds a column at the end (no-op when present). */
export function addColumn(columns: readonly ColumnState[], id: ColumnId): ColumnState[] {
  if (columns.some((c) => c.id === id)) return [...columns];
  const parsed = parseColumnId(id);
  const width = parsed?.kind === 'attribute'
    ? ATTRIBUTE_COLUMNS.find((c) => c.id === id)?.width ?? 120
    : DEFAULT_WIDTH[(parsed?.kind ?? 'param') as Exclude<ColumnKind, 'attribute'>];
  return [...columns, { id, width, pinned: false }];
}

export function removeColumn(columns: readonly ColumnState[], id: ColumnId): ColumnState[] {
  return columns.filter((c) => c.id !== id);
}

/** Moves column `id` to position `toIndex` (clamped) of the list. */
export function moveColumn(columns: readonly ColumnState[], id: ColumnId, toIndex: number): ColumnState[] {
  const from = columns.findIndex((c) => c.id === id);
  if (from < 0) return [...columns];
  const next = [...columns];
  const [moved] = next.splice(from, 1);
  next.splice(Math.max(0, Math.min(next.length, Math.floor(toIndex))), 0, moved);
  return next;
}

export function pinColumn(columns: readonly ColumnState[], id: ColumnId, pinned: boolean): ColumnState[] {
  return columns.map((c) => (c.id === id ? { ...c, pinned } : c));
}

export function resizeColumn(columns: readonly ColumnState[], id: ColumnId, width: number): ColumnState[] {
  return columns.map((c) => (c.id === id ? { ...c, width: clampWidth(width) } : c));
}

/** Display order: pinned columns first (in their relative order), then the rest. */
export function displayOrder(columns: readonly ColumnState[]): ColumnState[] {
  return [...columns.filter((c) => c.pinned), ...columns.filter((c) => !c.pinned)];
}

/** Left offsets of the pinned columns in display order (for position: sticky), keyed by id. */
export function pinnedOffsets(columns: readonly ColumnState[]): Map<ColumnId, number> {
  const offsets = new Map<ColumnId, number>();
  let left = 0;
  for (const c of displayOrder(columns)) {
    if (!c.pinned) break;
    offsets.set(c.id, left);
    left += c.width;
  }
  return offsets;
}

export function totalWidth(columns: readonly ColumnState[]): number {
  return columns.reduce((sum, c) => sum + c.width, 0);
}

/**
 * A saved layout made safe to use: drops malformed entries, duplicates and ids with unknown
 * prefixes, clamps widths, and keeps the Run column (without it rows cannot be told apart).
 */
export function sanitizeColumns(saved: unknown): ColumnState[] {
  if (!Array.isArray(saved)) return defaultColumns();
  const seen = new Set<string>();
  const out: ColumnState[] = [];
  for (const entry of saved) {
    if (typeof entry !== 'object' || entry === null) continue;
    const { id, width, pinned } = entry as Partial<ColumnState>;
    if (typeof id !== 'string' || seen.has(id) || !parseColumnId(id)) continue;
    if (parseColumnId(id)?.kind === 'attribute' && !ATTRIBUTE_COLUMNS.some((c) => c.id === id)) continue;
    seen.add(id);
    out.push({ id, width: clampWidth(typeof width === 'number' ? width : 120), pinned: pinned === true });
  }
  if (!seen.has('attributes.run_name')) return addColumn(out, 'attributes.run_name');
  return out;
}

/** Which param/metric/tag keys the rows must carry for these columns. */
export function requestedKeys(columns: readonly ColumnId[]): ColumnKeys {
  const keys: ColumnKeys = { params: [], metrics: [], tags: [] };
  for (const id of columns) {
    const parsed = parseColumnId(id);
    if (parsed?.kind === 'param') keys.params.push(parsed.key);
    else if (parsed?.kind === 'metric') keys.metrics.push(parsed.key);
    else if (parsed?.kind === 'tag') keys.tags.push(parsed.key);
  }
  return keys;
}

/**
 * The layout of a first-time dashboard (nothing saved yet): the built-in columns plus the first
 * few metrics and params the runs logged, so the table is useful before anyone opens the picker.
 */
export function initialColumns(keys: ColumnKeys, metrics = 4, params = 3): ColumnState[] {
  let columns = defaultColumns();
  for (const key of keys.metrics.slice(0, metrics)) columns = addColumn(columns, columnId('metric', key));
  for (const key of keys.params.slice(0, params)) columns = addColumn(columns, columnId('param', key));
  return columns;
}

/** All ids a column picker offers, built-in first. */
export function availableColumnIds(keys: ColumnKeys): ColumnId[] {
  return [
    ...ATTRIBUTE_COLUMNS.map((c) => c.id),
    ...keys.params.map((k) => columnId('param', k)),
    ...keys.metrics.map((k) => columnId('metric', k)),
    ...keys.tags.map((k) => columnId('tag', k)),
  ];
}
