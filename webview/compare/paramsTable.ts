// The params table: one column per run, one row per param. Params whose values differ are
// highlighted and listed first; identical ones are folded behind a toggle.
import type { CompareRun } from '../../src/protocol/compare';
import { diffParams } from '../../src/core/charts/paramDiff';
import { custom, h } from './dom';
import type { RunStyle } from './palette';

export function paramsTable(
  runs: CompareRun[], styles: Map<string, RunStyle>, showIdentical: boolean, onToggleIdentical: (show: boolean) => void,
): HTMLElement {
  const diff = diffParams(runs.map((r) => r.params));
  const rows = [...diff.rows.filter((r) => r.differs), ...(showIdentical ? diff.rows.filter((r) => !r.differs) : [])];

  const header = h('tr', {}, [
    h('th', { class: 'param-key', text: 'Parameter', attrs: { scope: 'col' } }),
    ...runs.map((run) => h('th', { attrs: { scope: 'col' }, title: `${run.name} (${run.experiment}) ${run.id}` }, [
      swatch(styles.get(run.id)), h('span', { text: run.name }),
    ])),
  ]);
  const body = rows.map((row) => h('tr', { class: row.differs ? 'differs' : 'same' }, [
    h('th', { class: 'param-key', text: row.key, attrs: { scope: 'row' }, title: row.differs ? 'Differs between runs' : 'Same in every run' }),
    ...row.values.map((v) => h('td', { class: v === null ? 'missing' : '', text: v ?? '—', title: v ?? 'not logged' })),
  ]));
  if (rows.length === 0) {
    body.push(h('tr', {}, [h('td', {
      class: 'mc-muted', attrs: { colspan: String(runs.length + 1) },
      text: diff.rows.length === 0 ? 'These runs logged no params.' : 'Every param is the same in all runs.',
    })]));
  }

  const toggle = custom('vscode-checkbox', {
    attrs: { label: `Show ${diff.identical} identical ${diff.identical === 1 ? 'param' : 'params'}`, ...(showIdentical ? { checked: '' } : {}) },
    on: { change: (e) => onToggleIdentical((e.target as HTMLInputElement).checked) },
  });
  if (diff.identical === 0) toggle.setAttribute('disabled', '');

  return h('section', { class: 'card params', attrs: { 'aria-label': 'Parameters' } }, [
    h('div', { class: 'card-head' }, [
      h('h2', { text: 'Parameters' }),
      h('span', { class: 'mc-muted', text: `${diff.differing} differing · ${diff.identical} identical` }),
      h('span', { class: 'spacer' }),
      toggle,
    ]),
    h('div', { class: 'table-scroll' }, [h('table', { class: 'params-table' }, [h('thead', {}, [header]), h('tbody', {}, body)])]),
  ]);
}

export function swatch(style: RunStyle | undefined): HTMLElement {
  const el = h('span', { class: 'swatch', attrs: { 'aria-hidden': 'true' } });
  if (style) {
    el.style.background = style.dash.length ? 'transparent' : style.color;
    el.style.borderColor = style.color;
    if (style.dash.length) el.style.borderStyle = 'dashed';
  }
  return el;
}
