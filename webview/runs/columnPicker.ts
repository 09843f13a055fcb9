// "Columns" popup: every param, metric and tag the runs logged (the host sends the keys), with a
// search box; checking one adds its column, unchecking removes it.
import '@vscode-elements/elements/dist/vscode-checkbox/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import type { ColumnId, ColumnKeys } from '../../src/protocol/runsDashboard';
import { ATTRIBUTE_COLUMNS, columnId } from '../../src/core/runsTable/columns';
import { el } from './dom';

export class ColumnPicker {
  readonly element: HTMLDivElement;
  private readonly list: HTMLDivElement;
  private readonly search: HTMLElement & { value: string };
  private keys: ColumnKeys = { params: [], metrics: [], tags: [] };
  private shown: ReadonlySet<ColumnId> = new Set();

  constructor(private readonly onToggle: (id: ColumnId, checked: boolean) => void) {
    this.element = el('div', 'column-picker');
    this.element.hidden = true;
    this.element.setAttribute('role', 'dialog');
    this.element.setAttribute('aria-label', 'Choose columns');
    this.search = document.createElement('vscode-textfield') as unknown as HTMLElement & { value: string };
    this.search.setAttribute('placeholder', 'Search params, metrics, tags');
    this.search.addEventListener('input', () => this.renderList());
    this.list = el('div', 'column-list');
    this.element.append(this.search, this.list);
    this.element.addEventListener('keydown', (event) => {
      if (event.key === 'Escape') this.close();
    });
    document.addEventListener('mousedown', (event) => {
      if (!this.element.hidden && !event.composedPath().some((n) => n === this.element || (n as HTMLElement).dataset?.opensPicker)) this.close();
    });
  }

  update(keys: ColumnKeys, shown: ReadonlySet<ColumnId>): void {
    this.keys = keys;
    this.shown = shown;
    if (!this.element.hidden) this.renderList();
  }

  toggle(): void {
    if (this.element.hidden) this.open();
    else this.close();
  }

  open(): void {
    this.element.hidden = false;
    this.renderList();
    this.search.focus();
  }

  close(): void {
    this.element.hidden = true;
  }

  private renderList(): void {
    const needle = (this.search.value ?? '').trim().toLowerCase();
    const sections: Array<[string, Array<{ id: ColumnId; label: string }>]> = [
      ['Metrics', this.keys.metrics.map((k) => ({ id: columnId('metric', k), label: k }))],
      ['Params', this.keys.params.map((k) => ({ id: columnId('param', k), label: k }))],
      ['Tags', this.keys.tags.map((k) => ({ id: columnId('tag', k), label: k }))],
      ['Run', ATTRIBUTE_COLUMNS.filter((c) => c.id !== 'attributes.run_name').map((c) => ({ id: c.id, label: c.title }))],
    ];
    const children: HTMLElement[] = [];
    for (const [title, items] of sections) {
      const matching = items.filter((i) => needle === '' || i.label.toLowerCase().includes(needle));
      if (matching.length === 0) continue;
      children.push(el('div', 'column-section', title));
      for (const item of matching) {
        const box = document.createElement('vscode-checkbox') as HTMLElement & { checked: boolean };
        box.setAttribute('label', item.label);
        box.title = item.id;
        box.checked = this.shown.has(item.id);
        box.addEventListener('change', () => this.onToggle(item.id, box.checked));
        children.push(box);
      }
    }
    if (children.length === 0) children.push(el('div', 'mc-muted column-none', needle ? 'No key matches.' : 'The runs have no params, metrics or tags yet.'));
    this.list.replaceChildren(...children);
  }
}
