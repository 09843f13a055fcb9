// The table's sort as an MLflow order-by clause ("metrics.f1 DESC"), the form the store's query
// parser and the CLI's --order-by take. Keys that are not plain identifiers are backquoted, as
// MLflow's syntax requires (`metrics.\`val loss\``).
import type { SortState } from '../../protocol/runsDashboard';
import { parseColumnId } from './columns';

export function orderByClause(sort: SortState | undefined): string | undefined {
  if (!sort) return undefined;
  const parsed = parseColumnId(sort.column);
  if (!parsed) return undefined;
  const prefix = sort.column.slice(0, sort.column.length - parsed.key.length);
  const key = /^[A-Za-z_][A-Za-z0-9_.]*$/.test(parsed.key) ? parsed.key : `\`${parsed.key.replace(/`/g, '``')}\``;
  return `${prefix}${key} ${sort.direction === 'desc' ? 'DESC' : 'ASC'}`;
}

/** Header click: unsorted → descending (best metrics first) → ascending → descending ... */
export function nextSort(current: SortState | undefined, column: string): SortState {
  if (current?.column === column) return { column, direction: current.direction === 'desc' ? 'asc' : 'desc' };
  return { column, direction: 'desc' };
}
