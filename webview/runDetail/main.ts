// The Run detail view: facts (status, duration, source, git), params, metrics with small
// charts, editable tags, artifacts (open / reveal) and an editable Markdown note. All edits go
// to the host, which saves them in the store and sends the stored state back.
import 'uplot/dist/uPlot.min.css';
import '../common/theme.css';
import '../compare/compare.css';
import './runDetail.css';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import '@vscode-elements/elements/dist/vscode-textarea/index.js';
import '@vscode-elements/elements/dist/vscode-badge/index.js';
import uPlot from 'uplot';
import { connectToHost } from '../common/vscodeApi';
import { formatBytes } from '../../src/protocol/format';
import type { RunDetailFromView, RunDetailLiveMessage, RunDetailMetric, RunDetailStateMessage, RunDetailToView } from '../../src/protocol/runDetail';
import { formatDuration, formatMetricValue, runDurationMs } from '../../src/core/experiments/format';
import { h, custom } from '../compare/dom';
import { button } from '../compare/controls';
import { chromeColors, onThemeChange, runStyle } from '../compare/palette';
import { renderNote } from './noteView';

const host = connectToHost<RunDetailFromView, RunDetailToView, { noteDraft?: string }>();
const root = document.getElementById('root')!;
const errorLine = h('div', { class: 'mc-error', attrs: { role: 'alert' } });
let state: RunDetailStateMessage | undefined;
let noteDraft: string | undefined = host.getState()?.noteDraft;
const plots: uPlot[] = [];
root.append(h('div', { class: 'loading mc-muted', text: 'Loading run…' }));

host.onMessage((message) => {
  if (message.type === 'error') {
    errorLine.textContent = message.message;
    return;
  }
  errorLine.textContent = '';
  if (message.type === 'live') {
    if (state) { updateInPlace(state, message); return; }
  }
  // A saved note replaces the draft only when the user is not in the middle of other edits.
  if (state && noteDraft !== undefined && message.note === noteDraft) noteDraft = undefined;
  state = { ...message, type: 'state' };
  render();
});

/**
 * A live update (the run is logging): swaps only the sections whose content changed, and never
 * one the user is working in (focus inside: a tag being typed, the note), so nothing typed is lost.
 */
function updateInPlace(previous: RunDetailStateMessage, live: RunDetailLiveMessage): void {
  const next: RunDetailStateMessage = { ...live, type: 'state' };
  const same = (pick: (s: RunDetailStateMessage) => unknown): boolean => JSON.stringify(pick(previous)) === JSON.stringify(pick(next));
  const swap = (section: string, build: () => HTMLElement, unchanged: boolean): void => {
    const old = root.querySelector<HTMLElement>(`[data-section="${section}"]`);
    if (!old || unchanged || old.contains(document.activeElement)) return;
    old.replaceWith(build());
  };
  state = next;
  swap('head', () => headOf(next), false);
  swap('facts', () => factsOf(next), false);
  swap('parameters', () => paramsCard(next), same((s) => s.params));
  swap('tags', () => tagsCard(next), same((s) => [s.tags, s.systemTags]));
  swap('note', () => noteCard(next), same((s) => s.note) || noteDraft !== undefined);
  swap('artifacts', () => artifactsCard(next), same((s) => s.artifacts));
  // Charts hold no user input: always redrawn when their data moved.
  const metrics = root.querySelector<HTMLElement>('[data-section="metrics"]');
  if (metrics && !same((s) => s.metrics)) {
    for (const p of plots.splice(0)) p.destroy();
    metrics.replaceWith(metricsCard(next));
    for (const m of next.metrics) drawSparkChart(m);
  }
}

function render(): void {
  if (!state) return;
  const s = state;
  for (const p of plots.splice(0)) p.destroy();
  root.replaceChildren(
    headOf(s),
    errorLine,
    factsOf(s),
    h('div', { class: 'columns' }, [
      h('div', { class: 'column' }, [paramsCard(s), tagsCard(s)]),
      h('div', { class: 'column' }, [noteCard(s)]),
    ]),
    metricsCard(s),
    artifactsCard(s),
  );
  for (const m of s.metrics) drawSparkChart(m);
}

function headOf(s: RunDetailStateMessage): HTMLElement {
  return h('header', { class: 'page-head detail-head', attrs: { 'data-section': 'head' } }, [
    h('h1', { text: s.run.name || s.run.id.slice(0, 8) }),
    h('span', { class: `status status-${s.run.status.toLowerCase()}`, text: s.run.status.toLowerCase() }),
    s.run.deleted ? h('span', { class: 'status status-deleted', text: 'in trash' }) : null,
    h('span', { class: 'mc-muted', text: `${s.run.experiment} · ${s.run.id}` }),
  ]);
}

function factsOf(s: RunDetailStateMessage): HTMLElement {
  const duration = runDurationMs({ startMs: s.run.startMs, endMs: s.run.endMs, status: s.run.status }, s.nowMs);
  return h('section', { class: 'facts card', attrs: { 'data-section': 'facts' } }, [
    fact('Started', s.run.startMs === null ? '—' : new Date(s.run.startMs).toLocaleString()),
    fact('Duration', duration === undefined ? '—' : formatDuration(duration)),
    fact('Source', sourceLink(s)),
    fact('Git commit', gitText(s)),
    fact('User', s.run.user ?? '—'),
    fact('Host', s.run.host ?? '—'),
    fact('Python', s.run.pythonVersion ?? '—'),
  ]);
}

function fact(label: string, value: string | Node): HTMLElement {
  return h('div', { class: 'fact' }, [h('div', { class: 'fact-label', text: label }), h('div', { class: 'fact-value' }, [value])]);
}

function sourceLink(s: RunDetailStateMessage): Node {
  const path = s.run.source.path;
  if (!path) return document.createTextNode('—');
  const label = s.run.source.cell !== undefined ? `${path} (cell ${s.run.source.cell})` : path;
  return h('a', { class: 'link', text: label, title: 'Open the source', attrs: { href: '#', role: 'button' }, on: {
    click: (e) => { e.preventDefault(); host.post({ type: 'openSource' }); },
  } });
}

function gitText(s: RunDetailStateMessage): Node {
  const { commit, branch, dirty } = s.run.git;
  if (!commit) return document.createTextNode('—');
  return h('span', { title: commit }, [
    h('code', { text: commit.slice(0, 10) }),
    branch ? h('span', { class: 'mc-muted', text: ` on ${branch}` }) : null,
    dirty ? h('span', { class: 'dirty', text: ' · uncommitted changes' }) : null,
  ]);
}

function cardOf(title: string, count: string | undefined, body: Node[], extra: Node[] = []): HTMLElement {
  return h('section', { class: 'card', attrs: { 'data-section': title.toLowerCase() } }, [
    h('div', { class: 'card-head' }, [h('h2', { text: title }), count ? h('span', { class: 'mc-muted', text: count }) : null, h('span', { class: 'spacer' }), ...extra]),
    ...body,
  ]);
}

function keyValueTable(entries: Array<[string, string]>, action?: (key: string) => Node): HTMLElement {
  return h('table', { class: 'kv' }, [h('tbody', {}, entries.map(([k, v]) => h('tr', {}, [
    h('th', { text: k, attrs: { scope: 'row' } }), h('td', { text: v, title: v }), action ? h('td', { class: 'kv-action' }, [action(k)]) : null,
  ])))]);
}

function paramsCard(s: RunDetailStateMessage): HTMLElement {
  const entries = Object.entries(s.params);
  return cardOf('Parameters', String(entries.length), [entries.length ? keyValueTable(entries) : h('div', { class: 'pad mc-muted', text: 'No params logged.' })]);
}

function tagsCard(s: RunDetailStateMessage): HTMLElement {
  const entries = Object.entries(s.tags);
  const keyField = custom('vscode-textfield', { attrs: { placeholder: 'key', 'aria-label': 'New tag key' } });
  const valueField = custom('vscode-textfield', { attrs: { placeholder: 'value', 'aria-label': 'New tag value' } });
  const add = (): void => {
    const key = (keyField as unknown as { value: string }).value.trim();
    const value = (valueField as unknown as { value: string }).value;
    if (!key) { errorLine.textContent = 'Type a tag key first.'; return; }
    host.post({ type: 'setTag', key, value });
  };
  for (const field of [keyField, valueField]) field.addEventListener('keydown', (e) => { if ((e as KeyboardEvent).key === 'Enter') add(); });
  const system = Object.entries(s.systemTags);
  return cardOf('Tags', String(entries.length), [
    entries.length ? keyValueTable(entries, (key) => h('button', {
      class: 'icon-button', text: '✕', title: `Remove tag ${key}`, attrs: { type: 'button', 'aria-label': `Remove tag ${key}` },
      on: { click: () => host.post({ type: 'deleteTag', key }) },
    })) : h('div', { class: 'pad mc-muted', text: 'No tags yet.' }),
    h('div', { class: 'tag-add' }, [keyField, valueField, button('Add Tag', add)]),
    system.length ? h('details', { class: 'system-tags' }, [h('summary', { text: `${system.length} system tags` }), keyValueTable(system)]) : null,
  ].filter((n): n is HTMLElement => n !== null));
}

function noteCard(s: RunDetailStateMessage): HTMLElement {
  const textarea = custom('vscode-textarea', { attrs: { rows: '9', placeholder: 'Markdown: # headings, - lists, **bold**, *italic*, `code`', 'aria-label': 'Run note (Markdown)' } });
  (textarea as unknown as { value: string }).value = noteDraft ?? s.note;
  const preview = h('div', { class: 'note-preview-host' }, [renderNote(noteDraft ?? s.note)]);
  const status = h('span', { class: 'mc-muted', text: noteDraft !== undefined && noteDraft !== s.note ? 'unsaved changes' : 'saved' });
  textarea.addEventListener('input', () => {
    noteDraft = (textarea as unknown as { value: string }).value;
    host.setState({ noteDraft });
    preview.replaceChildren(renderNote(noteDraft));
    status.textContent = noteDraft !== s.note ? 'unsaved changes' : 'saved';
  });
  const save = (): void => host.post({ type: 'saveNote', text: noteDraft ?? s.note });
  textarea.addEventListener('keydown', (e) => {
    const k = e as KeyboardEvent;
    if (k.key === 's' && (k.ctrlKey || k.metaKey)) { k.preventDefault(); save(); }
  });
  return cardOf('Note', undefined, [h('div', { class: 'note' }, [textarea, preview])], [status, button('Save Note', save, { title: 'Save (Ctrl+S)' })]);
}

function metricsCard(s: RunDetailStateMessage): HTMLElement {
  return cardOf('Metrics', String(s.metrics.length), [s.metrics.length
    ? h('div', { class: 'metric-grid' }, s.metrics.map((m) => h('figure', { class: 'metric-card', attrs: { 'data-metric': m.key } }, [
      h('figcaption', {}, [
        h('span', { class: 'metric-key', text: m.key }),
        h('span', { class: 'metric-value', text: formatMetricValue(m.value) }),
        h('span', { class: 'mc-muted', text: `step ${m.step}${m.totalPoints > 1 ? ` · ${m.totalPoints.toLocaleString('en-US')} points` : ''}` }),
      ]),
      h('div', { class: 'spark' }),
    ])))
    : h('div', { class: 'pad mc-muted', text: 'No metrics logged.' })]);
}

function drawSparkChart(m: RunDetailMetric): void {
  const host = root.querySelector<HTMLElement>(`figure.metric-card[data-metric="${CSS.escape(m.key)}"] .spark`);
  if (!host || m.steps.length === 0) return;
  const chrome = chromeColors();
  const color = runStyle(0).color;
  const plot = new uPlot({
    width: Math.max(180, host.clientWidth), height: 110,
    legend: { show: false }, cursor: { show: true, points: { size: 5 } },
    scales: { x: { time: false } },
    axes: [
      { stroke: chrome.muted, grid: { show: false }, ticks: { show: false }, size: 22, font: '10px sans-serif' },
      { stroke: chrome.muted, grid: { stroke: chrome.grid, width: 1 }, ticks: { show: false }, size: 44, font: '10px sans-serif',
        values: (_u, splits) => splits.map((v) => formatMetricValue(v)) },
    ],
    series: [{}, { stroke: color, width: 1.6, spanGaps: false, fill: undefined, points: { show: m.steps.length <= 40, size: 4, fill: color, stroke: color } }],
  }, [m.steps, m.values], host);
  plots.push(plot);
}

function artifactsCard(s: RunDetailStateMessage): HTMLElement {
  const rows = s.artifacts.map((a) => h('tr', {}, [
    h('td', { class: 'artifact-path', text: a.path, title: a.path }),
    h('td', { class: 'num', text: formatBytes(a.size) }),
    h('td', {}, [h('code', { class: 'sha', text: `${a.sha256.slice(0, 12)}…`, title: a.sha256 })]),
    h('td', { class: 'actions' }, a.available ? [
      button('Open', () => host.post({ type: 'openArtifact', sha256: a.sha256 }), { secondary: true }),
      button('Reveal', () => host.post({ type: 'revealArtifact', sha256: a.sha256 }), { secondary: true }),
    ] : [h('span', { class: 'mc-muted', text: 'file not in .modelcloud/artifacts' })]),
  ]));
  return cardOf('Artifacts', String(s.artifacts.length), [s.artifacts.length
    ? h('div', { class: 'table-scroll' }, [h('table', { class: 'params-table artifacts' }, [
      h('thead', {}, [h('tr', {}, ['Path', 'Size', 'SHA-256', ''].map((t) => h('th', { text: t, attrs: { scope: 'col' } })))]),
      h('tbody', {}, rows),
    ])])
    : h('div', { class: 'pad mc-muted', text: 'No artifacts logged. Use modelcloud.log_artifact(path) in the training script.' })]);
}


onThemeChange(() => render());
host.ready();
