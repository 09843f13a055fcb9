// The virtualised runs table: a scroll container with a sticky header, and absolutely placed
// rows for the visible window only (plus overscan). Columns resize by dragging the header's
// right edge, move by dragging the header, pin with the pin button (pinned cells stick to the
// left edge); clicking a header sorts. Rows select by click, Shift/Ctrl+click and keyboard.
import type { ColumnState, RunRow, SortState } from '../../src/protocol/runsDashboard';
import {
  columnTitle, displayOrder, isSortable, moveColumn, parseColumnId, pinColumn, pinnedOffsets, resizeColumn, totalWidth,
} from '../../src/core/runsTable/columns';
import { cellText } from '../../src/core/runsTable/format';
import {
  clickRow, EMPTY_SELECTION, moveFocus, toggleFocused, type RowSelection,
} from '../../src/core/runsTable/selection';
import { scrollTopToReveal, visibleWindow } from '../../src/core/runsTable/virtualWindow';
import { el, frameScheduler, icon } from './dom';
import type { IconName } from './icons';
import type { RowCache } from './rowCache';

export const ROW_HEIGHT = 26;
const HEADER_HEIGHT = 38;
const OVERSCAN = 8;

export interface TableEvents {
  /** Column layout changed by the user (resize, move, pin): persist it. */
  columnsChanged(columns: ColumnState[]): void;
  sortRequested(column: string): void;
  /** Rows [start, end) are on screen: fetch what is missing. */
  rowsNeeded(start: number, end: number): void;
  selectionChanged(): void;
  /** A selected range [from, to] has rows that are not loaded: ask the host for their ids (applyRange). */
  rangeNeeded(from: number, to: number): void;
  scrolled(): void;
}

const KIND_LABEL: Record<string, string> = { param: 'param', metric: 'metric', tag: 'tag' };
const STATUS_ICON: Record<RunRow['status'], IconName> = {
  FINISHED: 'passFilled', FAILED: 'error', RUNNING: 'loading', KILLED: 'circleSlash', SCHEDULED: 'history',
};

export class RunsTable {
  readonly element: HTMLDivElement;
  private readonly header: HTMLDivElement;
  private readonly body: HTMLDivElement;
  private readonly empty: HTMLDivElement;
  columns: ColumnState[] = [];
  sort: SortState | undefined;
  selection: RowSelection = EMPTY_SELECTION;
  emptyText = 'No runs.';
  /** A range selection waiting for the host's ids: what to add them to, and the selection it belongs to. */
  private pendingRange: { from: number; to: number; base: ReadonlySet<string>; selection: RowSelection } | undefined;
  readonly scheduleRender = frameScheduler(() => this.render());

  constructor(private readonly cache: RowCache, private readonly events: TableEvents) {
    this.element = el('div', 'table-scroll');
    this.element.tabIndex = 0;
    this.element.setAttribute('role', 'grid');
    this.element.setAttribute('aria-multiselectable', 'true');
    this.element.setAttribute('aria-label', 'Runs');
    this.header = el('div', 'table-header');
    this.header.setAttribute('role', 'row');
    this.body = el('div', 'table-body');
    this.empty = el('div', 'table-empty mc-muted');
    this.element.append(this.header, this.body, this.empty);

    this.element.addEventListener('scroll', () => {
      this.scheduleRender();
      this.events.scrolled();
    }, { passive: true });
    new ResizeObserver(() => this.scheduleRender()).observe(this.element);
    this.body.addEventListener('mousedown', (event) => this.onRowMouseDown(event));
    this.element.addEventListener('keydown', (event) => this.onKeyDown(event));
  }

  setColumns(columns: ColumnState[]): void {
    this.columns = columns;
    this.renderHeader();
    this.scheduleRender();
  }

  setSort(sort: SortState | undefined): void {
    this.sort = sort;
    this.renderHeader();
  }

  get selectedIds(): string[] {
    return [...this.selection.selected];
  }

  /** Rebuilds the header (columns, widths, sort marks). */
  renderHeader(): void {
    const ordered = displayOrder(this.columns);
    const offsets = pinnedOffsets(this.columns);
    const lastPinned = ordered.filter((c) => c.pinned).at(-1)?.id;
    this.header.replaceChildren();
    this.header.style.width = `${totalWidth(this.columns)}px`;
    this.header.style.height = `${HEADER_HEIGHT}px`;
    for (const column of ordered) {
      const cell = el('div', 'hcell');
      cell.setAttribute('role', 'columnheader');
      cell.dataset.column = column.id;
      this.placeCell(cell, column, offsets, lastPinned);
      const kind = parseColumnId(column.id)?.kind ?? 'attribute';
      if (kind === 'metric' || column.id === 'attributes.duration') cell.classList.add('numeric');
      const sorted = this.sort?.column === column.id ? this.sort.direction : undefined;
      cell.setAttribute('aria-sort', sorted === 'asc' ? 'ascending' : sorted === 'desc' ? 'descending' : 'none');

      const label = el('button', 'hcell-label');
      label.type = 'button';
      label.title = isSortable(column.id) ? `${column.id}: click to sort, drag to move` : `${column.id} (drag to move)`;
      if (column.id === 'attributes.status') label.setAttribute('aria-label', 'Status');
      else if (kind === 'attribute') label.append(el('span', 'hcell-text', columnTitle(column.id)));
      else {
        // Two lines: the key, and above it in small print what kind of value it is.
        const text = el('span', 'hcell-stack');
        text.append(el('span', `kind kind-${kind}`, KIND_LABEL[kind]), el('span', 'hcell-text', columnTitle(column.id)));
        label.append(text);
      }
      if (sorted) label.append(icon(sorted === 'asc' ? 'arrowUp' : 'arrowDown', 'sort-mark'));
      if (isSortable(column.id)) label.addEventListener('click', () => this.events.sortRequested(column.id));
      else label.setAttribute('aria-disabled', 'true');
      cell.append(label);

      if (column.id !== 'attributes.status') {
        const pin = el('button', `pin ${column.pinned ? 'pinned' : ''}`);
        pin.type = 'button';
        pin.title = column.pinned ? 'Unpin column' : 'Pin column to the left';
        pin.setAttribute('aria-pressed', String(column.pinned));
        pin.append(icon(column.pinned ? 'pinned' : 'pin'));
        pin.addEventListener('click', (event) => {
          event.stopPropagation();
          this.updateColumns(pinColumn(this.columns, column.id, !column.pinned));
        });
        cell.append(pin);
      }

      const handle = el('div', 'resize-handle');
      handle.title = 'Drag to resize';
      this.wireResize(handle, column.id);
      cell.append(handle);
      this.wireMove(cell, column.id);
      this.header.append(cell);
    }
  }

  /** Draws the visible window. Cheap: only ~40 rows exist at any time. */
  render(): void {
    const total = this.cache.total;
    const viewport = Math.max(0, this.element.clientHeight - HEADER_HEIGHT);
    const window = visibleWindow({ scrollTop: this.element.scrollTop, viewportHeight: viewport, rowHeight: ROW_HEIGHT, total, overscan: OVERSCAN });
    const width = totalWidth(this.columns);
    this.body.style.height = `${window.contentHeight}px`;
    this.body.style.width = `${width}px`;
    this.element.setAttribute('aria-rowcount', String(total + 1));
    this.empty.hidden = total > 0;
    this.empty.textContent = this.emptyText;

    const ordered = displayOrder(this.columns);
    const offsets = pinnedOffsets(this.columns);
    const lastPinned = ordered.filter((c) => c.pinned).at(-1)?.id;
    const now = Date.now();
    const rows: HTMLElement[] = [];
    for (let index = window.start; index < window.end; index++) {
      const run = this.cache.row(index);
      const row = el('div', 'row');
      row.setAttribute('role', 'row');
      row.setAttribute('aria-rowindex', String(index + 2));
      row.dataset.index = String(index);
      row.style.top = `${index * ROW_HEIGHT}px`;
      row.style.width = `${width}px`;
      const selected = run !== undefined && this.selection.selected.has(run.id);
      if (selected) row.classList.add('selected');
      row.setAttribute('aria-selected', String(selected));
      if (this.selection.focus === index) row.classList.add('focused');
      if (!run) row.classList.add('loading');
      for (const column of ordered) {
        const cell = el('div', 'cell');
        cell.setAttribute('role', 'gridcell');
        this.placeCell(cell, column, offsets, lastPinned);
        if (run) this.fillCell(cell, run, column.id, now);
        row.append(cell);
      }
      rows.push(row);
    }
    this.body.replaceChildren(...rows);
    this.events.rowsNeeded(window.start, window.end);
  }

  /** Scrolls so row `index` is visible. */
  reveal(index: number): void {
    const viewport = Math.max(0, this.element.clientHeight - HEADER_HEIGHT);
    const target = scrollTopToReveal(index, this.element.scrollTop, viewport, ROW_HEIGHT);
    if (target !== this.element.scrollTop) this.element.scrollTop = target;
  }

  private fillCell(cell: HTMLElement, run: RunRow, id: string, now: number): void {
    if (id === 'attributes.status') {
      cell.classList.add('status', `status-${run.status.toLowerCase()}`);
      cell.title = run.status.charAt(0) + run.status.slice(1).toLowerCase();
      cell.append(icon(STATUS_ICON[run.status], run.status === 'RUNNING' ? 'spin' : ''));
      return;
    }
    const text = cellText(run, id, now);
    cell.textContent = text;
    if (text === '—') cell.classList.add('missing');
    if (id === 'attributes.run_name') {
      cell.classList.add('run-name');
      cell.title = `${run.name || run.id}\n${run.id}`;
    } else if (text.length > 12) cell.title = text;
    const kind = parseColumnId(id)?.kind;
    if (kind === 'metric' || id === 'attributes.duration') cell.classList.add('numeric');
  }

  private placeCell(cell: HTMLElement, column: ColumnState, offsets: Map<string, number>, lastPinned: string | undefined): void {
    cell.style.width = `${column.width}px`;
    const left = offsets.get(column.id);
    if (left !== undefined) {
      cell.classList.add('pinned-cell');
      cell.style.left = `${left}px`;
      if (column.id === lastPinned) cell.classList.add('pin-edge');
    }
  }

  private updateColumns(columns: ColumnState[]): void {
    this.columns = columns;
    this.renderHeader();
    this.render();
    this.events.columnsChanged(columns);
  }

  private wireResize(handle: HTMLElement, id: string): void {
    handle.addEventListener('pointerdown', (event) => {
      event.preventDefault();
      event.stopPropagation();
      const startX = event.clientX;
      const startWidth = this.columns.find((c) => c.id === id)?.width ?? 100;
      handle.setPointerCapture(event.pointerId);
      const move = (e: PointerEvent): void => {
        this.columns = resizeColumn(this.columns, id, startWidth + e.clientX - startX);
        this.renderHeader();
        this.scheduleRender();
      };
      const up = (): void => {
        handle.removeEventListener('pointermove', move);
        handle.removeEventListener('pointerup', up);
        this.updateColumns(this.columns);
      };
      handle.addEventListener('pointermove', move);
      handle.addEventListener('pointerup', up);
    });
    // Keyboard users resize with the focused header's Alt+Left/Right (see onHeaderKey).
  }

  private wireMove(cell: HTMLElement, id: string): void {
    cell.draggable = true;
    cell.addEventListener('dragstart', (event) => {
      event.dataTransfer?.setData('text/x-modelcloud-column', id);
      if (event.dataTransfer) event.dataTransfer.effectAllowed = 'move';
    });
    cell.addEventListener('dragover', (event) => {
      if (event.dataTransfer?.types.includes('text/x-modelcloud-column')) {
        event.preventDefault();
        cell.classList.add('drop-target');
      }
    });
    cell.addEventListener('dragleave', () => cell.classList.remove('drop-target'));
    cell.addEventListener('drop', (event) => {
      cell.classList.remove('drop-target');
      const moved = event.dataTransfer?.getData('text/x-modelcloud-column');
      if (!moved || moved === id) return;
      event.preventDefault();
      const target = this.columns.find((c) => c.id === id);
      // Dropping among the pinned columns pins, among the others unpins: position follows the drop.
      let next = pinColumn(this.columns, moved, target?.pinned ?? false);
      next = moveColumn(next, moved, next.findIndex((c) => c.id === id));
      this.updateColumns(next);
    });
    cell.addEventListener('keydown', (event) => {
      if (!event.altKey || (event.key !== 'ArrowLeft' && event.key !== 'ArrowRight')) return;
      event.preventDefault();
      const width = this.columns.find((c) => c.id === id)?.width ?? 100;
      this.updateColumns(resizeColumn(this.columns, id, width + (event.key === 'ArrowRight' ? 16 : -16)));
      (this.header.querySelector(`[data-column="${CSS.escape(id)}"] .hcell-label`) as HTMLElement | null)?.focus();
    });
  }

  private onRowMouseDown(event: MouseEvent): void {
    if (event.button !== 0) return;
    const row = (event.target as HTMLElement).closest<HTMLElement>('.row');
    if (!row?.dataset.index) return;
    event.preventDefault(); // keeps shift-click from selecting text
    this.element.focus({ preventScroll: true });
    const index = Number(row.dataset.index);
    const before = this.selection;
    const toggle = event.ctrlKey || event.metaKey;
    this.selection = clickRow(before, index, this.cache.idAt, { shift: event.shiftKey, toggle });
    this.pendingRange = undefined;
    if (event.shiftKey && before.anchor !== undefined) this.completeRange(before.anchor, index, toggle ? before.selected : new Set());
    this.afterSelection();
  }

  /**
   * The ids of rows the host sent for a range asked for with rangeNeeded. Ignored when the
   * selection changed since (another click, another key): the newer selection wins.
   */
  applyRange(from: number, to: number, ids: readonly string[]): void {
    const pending = this.pendingRange;
    if (!pending || pending.from !== from || pending.to !== to || pending.selection !== this.selection) return;
    this.pendingRange = undefined;
    this.selection = { ...this.selection, selected: new Set([...pending.base, ...ids]) };
    this.afterSelection();
  }

  /** Only loaded rows can be selected here: when the range reaches unloaded ones, the host resolves it by index. */
  private completeRange(from: number, to: number, base: ReadonlySet<string>): void {
    const first = Math.min(from, to);
    const last = Math.max(from, to);
    for (let i = first; i <= last; i++) {
      if (this.cache.idAt(i) !== undefined) continue;
      this.pendingRange = { from: first, to: last, base, selection: this.selection };
      this.events.rangeNeeded(first, last);
      return;
    }
  }

  private onKeyDown(event: KeyboardEvent): void {
    if (event.target !== this.element) return;
    const total = this.cache.total;
    const page = Math.max(1, Math.floor((this.element.clientHeight - HEADER_HEIGHT) / ROW_HEIGHT) - 1);
    const moves: Record<string, number> = { ArrowDown: 1, ArrowUp: -1, PageDown: page, PageUp: -page, Home: -total, End: total };
    const pending = this.pendingRange;
    this.pendingRange = undefined;
    if (event.key in moves) {
      event.preventDefault();
      this.selection = moveFocus(this.selection, moves[event.key], total, this.cache.idAt, { shift: event.shiftKey });
      const { anchor, focus } = this.selection;
      if (event.shiftKey && anchor !== undefined && focus !== undefined) this.completeRange(anchor, focus, new Set());
    } else if (event.key === ' ') {
      event.preventDefault();
      this.selection = this.selection.focus === undefined
        ? moveFocus(this.selection, 1, total, this.cache.idAt)
        : toggleFocused(this.selection, this.cache.idAt);
    } else if (event.key === 'a' && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      const ids = new Set<string>();
      for (let i = 0; i < total; i++) {
        const id = this.cache.idAt(i);
        if (id) ids.add(id);
      }
      this.selection = { ...this.selection, selected: ids };
      if (total > 0) this.completeRange(0, total - 1, new Set());
    } else if (event.key === 'Escape') {
      this.selection = { ...EMPTY_SELECTION, focus: this.selection.focus, anchor: this.selection.focus };
    } else {
      this.pendingRange = pending; // not a selection key (Shift itself, typing): the range still comes
      return;
    }
    if (this.selection.focus !== undefined) this.reveal(this.selection.focus);
    this.afterSelection();
  }

  private afterSelection(): void {
    this.render();
    this.events.selectionChanged();
  }
}
