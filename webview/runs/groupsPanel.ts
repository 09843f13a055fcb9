// "Group by": one line per value of the chosen param or tag, with the run count and the mean,
// min and max of every metric column the table shows (runs over seeds at a glance).
import type { RunGroup } from '../../src/protocol/runsDashboard';
import { formatStat } from '../../src/core/runsTable/format';
import { el } from './dom';

export class GroupsPanel {
  readonly element: HTMLDivElement;

  constructor() {
    this.element = el('div', 'groups');
    this.element.hidden = true;
  }

  hide(): void {
    this.element.hidden = true;
    this.element.replaceChildren();
  }

  show(groupBy: string, metrics: string[], groups: RunGroup[]): void {
    const table = el('table', 'groups-table');
    const head = el('tr');
    head.append(el('th', '', groupBy), el('th', 'numeric', 'Runs'));
    for (const metric of metrics) {
      const th = el('th', 'metric-group', metric);
      th.colSpan = 3;
      head.append(th);
    }
    const sub = el('tr', 'sub');
    sub.append(el('th'), el('th'));
    for (let i = 0; i < metrics.length; i++) sub.append(el('th', 'numeric', 'mean'), el('th', 'numeric', 'min'), el('th', 'numeric', 'max'));
    const thead = el('thead');
    thead.append(head);
    if (metrics.length > 0) thead.append(sub);
    const tbody = el('tbody');
    for (const group of groups) {
      const tr = el('tr');
      tr.append(el('td', group.value === null ? 'mc-muted' : '', group.value ?? '(not set)'), el('td', 'numeric', String(group.count)));
      for (const metric of metrics) {
        const stats = group.metrics[metric];
        tr.append(el('td', 'numeric mean', formatStat(stats?.mean)), el('td', 'numeric', formatStat(stats?.min)), el('td', 'numeric', formatStat(stats?.max)));
      }
      tbody.append(tr);
    }
    table.append(thead, tbody);
    const children: HTMLElement[] = [table];
    if (groups.length === 0) children.push(el('div', 'mc-muted', 'No runs to group.'));
    if (metrics.length === 0) children.push(el('div', 'mc-muted groups-hint', 'Add metric columns (Columns…) to see their mean, min and max per group.'));
    this.element.replaceChildren(...children);
    this.element.hidden = false;
  }
}
