// The run legend shared by every chart: one chip per run (colour, name, experiment). Clicking a
// chip hides or shows that run everywhere; double-click opens its Run detail. It scrolls, so
// there is no cap on the number of runs.
import type { CompareRun } from '../../src/protocol/compare';
import { h } from './dom';
import type { RunStyle } from './palette';
import { swatch } from './paramsTable';

export function legend(
  runs: CompareRun[], styles: Map<string, RunStyle>, hidden: Set<string>,
  onToggle: (runId: string) => void, onOpen: (runId: string) => void,
): HTMLElement {
  return h('section', { class: 'legend', attrs: { 'aria-label': 'Runs' } }, runs.map((run) => h('button', {
    class: `chip${hidden.has(run.id) ? ' off' : ''}`,
    title: `${run.name} · ${run.experiment} · ${run.status.toLowerCase()}\n${run.id}\nClick: show/hide · Double-click: open details`,
    attrs: { 'aria-pressed': String(!hidden.has(run.id)), type: 'button' },
    on: { click: () => onToggle(run.id), dblclick: () => onOpen(run.id) },
  }, [swatch(styles.get(run.id)), h('span', { class: 'chip-name', text: run.name }), h('span', { class: 'chip-exp', text: run.experiment })])));
}
