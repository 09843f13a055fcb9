// Runs dashboard (browser side). Holds the view state (query, columns, selection), asks the host
// for rows page by page and renders the virtualised table, the filter, grouping and actions.
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '../common/theme.css';
import './styles.css';
import { connectToHost } from '../common/vscodeApi';
import type {
  ColumnId, ColumnKeys, ColumnState, ExportFormat, RunsDashboardToHost, RunsDashboardToView, RunsQuery,
} from '../../src/protocol/runsDashboard';
import { addColumn, columnId, parseColumnId, removeColumn, requestedKeys } from '../../src/core/runsTable/columns';
import { nextSort } from '../../src/core/runsTable/orderBy';
import { retainSelected } from '../../src/core/runsTable/selection';
import { pagesForRange } from '../../src/core/runsTable/virtualWindow';
import { ColumnPicker } from './columnPicker';
import { el, icon } from './dom';
import { FilterBox } from './filterBox';
import { GroupsPanel } from './groupsPanel';
import { PAGE_SIZE, RowCache } from './rowCache';
import { RunsTable } from './table';

/** What survives the webview being hidden and shown again (the host re-sends init). */
interface ViewState {
  query: RunsQuery;
  groupBy: string;
  scrollTop: number;
  selected: string[];
}

type SelectElement = HTMLElement & { value: string };

const host = connectToHost<RunsDashboardToHost, RunsDashboardToView, ViewState>();
const saved = host.getState();
let query: RunsQuery = saved?.query ?? { filter: '' };
let groupBy = saved?.groupBy ?? '';
let keys: ColumnKeys = { params: [], metrics: [], tags: [] };
let compareAvailable = true;
let probe: { requestId: number; query: RunsQuery } | undefined;
let groupsRequest = 0;
let rangeRequest = 0;
let restoreScroll = saved?.scrollTop ?? 0;

const cache = new RowCache();
const table = new RunsTable(cache, {
  columnsChanged: (columns) => saveColumns(columns),
  sortRequested: (column) => applyQuery({ ...query, sort: nextSort(query.sort, column) }),
  rowsNeeded: (start, end) => fetchPages(start, end),
  selectionChanged: () => {
    updateStatus();
    persist();
  },
  rangeNeeded: (from, to) => {
    rangeRequest = cache.newRequestId();
    host.post({ type: 'resolveRange', requestId: rangeRequest, query, from, to });
  },
  scrolled: () => persist(),
});
if (saved) table.selection = { selected: new Set(saved.selected), anchor: undefined, focus: undefined };

// ---- layout ---------------------------------------------------------------------------------
const root = document.getElementById('root') ?? document.body;
const heading = el('div', 'heading');
const title = el('h1', 'title', 'Runs');
const subtitle = el('span', 'subtitle mc-muted');
heading.append(icon('table', 'title-icon'), title, subtitle);

const filter = new FilterBox((text) => applyQuery({ ...query, filter: text }));
filter.value = query.filter;

const groupSelect = document.createElement('vscode-single-select') as SelectElement;
groupSelect.className = 'group-select';
groupSelect.setAttribute('aria-label', 'Group by');
groupSelect.addEventListener('change', () => {
  groupBy = groupSelect.value;
  persist();
  refreshGroups();
});

const columnsButton = button('Columns', 'settings', 'Choose the params, metrics and tags shown as columns', () => picker.toggle(), true);
columnsButton.dataset.opensPicker = 'true';
const compareButton = button('Compare', 'gitCompare', 'Compare the selected runs', () => compare());
const exportCsv = button('CSV', 'export', 'Export the selected runs (or all filtered runs) as CSV', () => exportRuns('csv'), true);
const exportJson = button('JSON', 'export', 'Export the selected runs (or all filtered runs) as JSON', () => exportRuns('json'), true);

const picker = new ColumnPicker((id, checked) => {
  const next = checked ? addColumn(table.columns, id) : removeColumn(table.columns, id);
  setColumns(next, checked && parseColumnId(id)?.kind !== 'attribute');
  saveColumns(next);
});

const toolbar = el('div', 'mc-toolbar toolbar');
const groupLabel = el('label', 'group-label mc-muted', 'Group by');
const pickerAnchor = el('div', 'picker-anchor');
pickerAnchor.append(columnsButton, picker.element);
const exportGroup = el('div', 'export-group');
exportGroup.append(el('span', 'mc-muted export-label', 'Export'), exportCsv, exportJson);
toolbar.append(filter.element, groupLabel, groupSelect, pickerAnchor);

// Under the filter: counts and notices on the left, what acts on the selection on the right.
const status = el('div', 'status-line');
const statusCounts = el('span', 'counts');
const statusNotice = el('span', 'notice');
statusNotice.setAttribute('role', 'status');
const actions = el('div', 'actions');
actions.append(compareButton, exportGroup);
status.append(statusCounts, statusNotice, actions);

const groups = new GroupsPanel();
root.append(heading, toolbar, filter.errorElement, status, groups.element, table.element);

// ---- host messages --------------------------------------------------------------------------
host.onMessage((message) => {
  switch (message.type) {
    case 'init':
      title.textContent = message.title;
      document.title = message.title;
      subtitle.textContent = message.experiments.length === 1 ? '' : `${message.experiments.length} experiments`;
      compareAvailable = message.compareAvailable;
      setKeys(message.keys);
      setColumns(message.columns, false);
      table.setSort(query.sort);
      applyQuery(query);
      return;
    case 'rows':
      if (probe?.requestId === message.requestId) {
        // The new query worked: it replaces the old one and its first page is already here.
        query = probe.query;
        probe = undefined;
        filter.clearError();
        table.setSort(query.sort);
        cache.seed(message.total, message.offset, message.rows);
        table.selection = retainSelected(table.selection, (id) => cache.has(id) || message.total > PAGE_SIZE);
        table.emptyText = query.filter.trim() ? 'No runs match this filter.' : 'No runs yet: runs appear here as they are logged.';
        if (restoreScroll > 0) {
          table.element.scrollTop = restoreScroll;
          restoreScroll = 0;
        } else {
          table.element.scrollTop = 0;
        }
        table.render();
        refreshGroups();
        updateStatus();
        persist();
      } else if (cache.accept(message.requestId, message.offset, message.total, message.rows)) {
        table.scheduleRender();
        updateStatus();
      }
      return;
    case 'queryError':
      if (probe?.requestId === message.requestId) {
        filter.showError(probe.query.filter, message.error);
        probe = undefined;
      } else {
        cache.reject(message.requestId);
        if (message.requestId === groupsRequest) groups.hide();
      }
      return;
    case 'range':
      if (message.requestId === rangeRequest) table.applyRange(message.from, message.to, message.ids);
      return;
    case 'groups':
      if (message.requestId === groupsRequest) groups.show(groupBy, metricColumns(), message.groups);
      return;
    case 'invalidate':
      // Keep scroll position and selection; only the visible window is fetched again.
      if (message.keys) setKeys(message.keys);
      cache.invalidate(message.total);
      table.scheduleRender();
      refreshGroups();
      updateStatus();
      return;
    case 'notice':
      showNotice(message.message, message.level);
      return;
  }
});
host.ready();

// ---- actions --------------------------------------------------------------------------------
function applyQuery(next: RunsQuery): void {
  const requestId = cache.newRequestId();
  probe = { requestId, query: next };
  host.post({ type: 'fetchRows', requestId, query: next, offset: 0, limit: PAGE_SIZE, columns: visibleColumnIds() });
}

function fetchPages(start: number, end: number): void {
  for (const request of cache.ensure(pagesForRange(start, end, PAGE_SIZE))) {
    host.post({ type: 'fetchRows', ...request, query, columns: visibleColumnIds() });
  }
}

function refreshGroups(): void {
  if (!groupBy) {
    groups.hide();
    return;
  }
  groupsRequest = cache.newRequestId();
  host.post({ type: 'fetchGroups', requestId: groupsRequest, query, groupBy, metrics: metricColumns() });
}

function setColumns(columns: ColumnState[], refetch: boolean): void {
  table.setColumns(columns);
  picker.update(keys, new Set(columns.map((c) => c.id)));
  if (refetch) {
    // A new param/metric/tag column: the rows we hold lack its values.
    cache.reset(cache.total);
    table.scheduleRender();
  }
  if (groupBy) refreshGroups();
}

function setKeys(next: ColumnKeys): void {
  keys = next;
  picker.update(keys, new Set(table.columns.map((c) => c.id)));
  const options: Array<[string, string]> = [['', 'None'],
    ...keys.params.map((k): [string, string] => [columnId('param', k), `param ${k}`]),
    ...keys.tags.map((k): [string, string] => [columnId('tag', k), `tag ${k}`])];
  groupSelect.replaceChildren(...options.map(([value, label]) => {
    const option = document.createElement('vscode-option');
    option.setAttribute('value', value);
    option.textContent = label;
    if (value === groupBy) option.setAttribute('selected', '');
    return option;
  }));
  groupSelect.value = groupBy;
}

function saveColumns(columns: ColumnState[]): void {
  host.post({ type: 'saveColumns', columns });
}

function compare(): void {
  const runIds = table.selectedIds;
  if (!compareAvailable) {
    showNotice('Compare is not available in this build (the modelcloud.compareRuns command is not registered).', 'error');
    return;
  }
  if (runIds.length < 2) {
    showNotice('Select two or more runs to compare: click, Shift+click or Ctrl+click rows, or use Shift+arrows.', 'error');
    return;
  }
  host.post({ type: 'compare', runIds });
}

function exportRuns(format: ExportFormat): void {
  host.post({ type: 'export', format, query, columns: visibleColumnIds(), runIds: table.selectedIds });
}

// ---- helpers --------------------------------------------------------------------------------
function visibleColumnIds(): ColumnId[] {
  return table.columns.map((c) => c.id);
}

function metricColumns(): string[] {
  return requestedKeys(visibleColumnIds()).metrics;
}

function updateStatus(): void {
  const total = cache.total;
  const selected = table.selection.selected.size;
  statusCounts.textContent = `${total.toLocaleString()} ${total === 1 ? 'run' : 'runs'}${selected ? ` · ${selected.toLocaleString()} selected` : ''}`;
  compareButton.toggleAttribute('disabled', selected < 2 && compareAvailable);
  compareButton.title = compareAvailable
    ? (selected < 2 ? 'Select two or more runs to compare' : `Compare ${selected} runs`)
    : 'Compare is not available in this build';
}

let noticeTimer: ReturnType<typeof setTimeout> | undefined;
function showNotice(text: string, level: 'info' | 'error'): void {
  statusNotice.textContent = text;
  statusNotice.className = `notice ${level}`;
  clearTimeout(noticeTimer);
  noticeTimer = setTimeout(() => { statusNotice.textContent = ''; }, 8000);
}

let persistTimer: ReturnType<typeof setTimeout> | undefined;
function persist(): void {
  clearTimeout(persistTimer);
  persistTimer = setTimeout(() => host.setState({
    query, groupBy, scrollTop: table.element.scrollTop, selected: table.selectedIds,
  }), 100);
}

function button(label: string, glyph: Parameters<typeof icon>[0], tooltip: string, onClick: () => void, secondary = false): HTMLElement {
  const b = document.createElement('vscode-button');
  if (secondary) b.setAttribute('secondary', '');
  b.title = tooltip;
  const svg = icon(glyph, 'button-icon');
  svg.setAttribute('slot', 'content-before');
  b.append(svg, document.createTextNode(label));
  b.addEventListener('click', onClick);
  return b;
}
