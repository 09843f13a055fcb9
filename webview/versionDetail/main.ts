// The model Version detail view: the lineage (data inputs → run → this version → services), the
// version's facts, signature, files, stage history and the source run's metrics and params.
// Buttons post to the host, which runs the Models view's commands; the host sends the new state.
import '../common/theme.css';
import '../compare/compare.css';
import '../runDetail/runDetail.css';
import './versionDetail.css';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import { connectToHost } from '../common/vscodeApi';
import { formatBytes } from '../../src/protocol/format';
import type {
  VersionDetailFromView, VersionDetailInput, VersionDetailStateMessage, VersionDetailToView,
} from '../../src/protocol/versionDetail';
import type { VersionDeployment } from '../../src/core/registry/lineage';
import { formatMetricValue } from '../../src/core/experiments/format';
import { h } from '../compare/dom';
import { button } from '../compare/controls';

const host = connectToHost<VersionDetailFromView, VersionDetailToView>();
const root = document.getElementById('root')!;
const errorLine = h('div', { class: 'mc-error', attrs: { role: 'alert' } });
root.append(h('div', { class: 'loading mc-muted', text: 'Loading model version…' }));

host.onMessage((message) => {
  if (message.type === 'error') {
    errorLine.textContent = message.message;
    if (!root.contains(errorLine)) root.replaceChildren(errorLine);
    return;
  }
  errorLine.textContent = '';
  render(message);
});

function render(s: VersionDetailStateMessage): void {
  // Keep the scroll position across live refreshes.
  const scroll = document.scrollingElement?.scrollTop ?? 0;
  root.replaceChildren(
    headOf(s),
    errorLine,
    lineageCard(s),
    factsOf(s),
    h('div', { class: 'columns' }, [
      h('div', { class: 'column' }, [signatureCard(s), historyCard(s)]),
      h('div', { class: 'column' }, [runCard(s)]),
    ]),
    filesCard(s),
  );
  if (document.scrollingElement) document.scrollingElement.scrollTop = scroll;
}

function headOf(s: VersionDetailStateMessage): HTMLElement {
  return h('header', { class: 'page-head detail-head', attrs: { 'data-section': 'head' } }, [
    h('h1', { text: `${s.name} v${s.version}` }),
    s.isDataset ? h('span', { class: 'badge kind', text: 'dataset' }) : null,
    h('span', { class: `status stage stage-${s.stage.toLowerCase()}`, text: s.stage }),
    ...s.aliases.map((a) => h('span', { class: 'badge alias', text: `@${a}` })),
    h('code', { class: 'mc-muted', text: s.uri }),
    h('span', { class: 'spacer' }),
    h('div', { class: 'head-actions' }, [
      button('Transition Stage…', () => host.post({ type: 'transitionStage' })),
      button('Set Alias…', () => host.post({ type: 'setAlias' }), { secondary: true }),
      button('Copy URI', () => host.post({ type: 'copyUri' }), { secondary: true }),
      s.runId ? button('Open Source Run', () => host.post({ type: 'openSourceRun' }), { secondary: true }) : null,
    ]),
  ]);
}

/** data inputs → run → this version → services, as a left-to-right row of linked nodes. */
function lineageCard(s: VersionDetailStateMessage): HTMLElement {
  const inputs = s.inputs.length ? s.inputs.map(inputNode)
    : [node('muted', 'No data inputs', s.run ? 'the run logged none (modelcloud.log_input)' : 'no source run')];
  const run = s.run
    ? node('run', s.run.name || s.run.id.slice(0, 8), `run · ${s.run.experiment} · ${s.run.status.toLowerCase()}`, () => host.post({ type: 'openSourceRun' }), 'Open the run detail')
    : node('muted', s.runId ? `run ${s.runId.slice(0, 8)}` : 'No source run', s.runId ? 'not in this tracking store' : 'registered from a file');
  const self = node('self', `${s.name} v${s.version}`, [s.stage, ...s.aliases.map((a) => `@${a}`)].join(' · '));
  const deployments = s.deployments.length ? s.deployments.map(deploymentNode)
    : [node('muted', 'Not deployed', 'no service revision serves this version')];
  return h('section', { class: 'card', attrs: { 'data-section': 'lineage' } }, [
    h('div', { class: 'card-head' }, [h('h2', { text: 'Lineage' }), h('span', { class: 'mc-muted', text: 'data → run → version → services' })]),
    h('div', { class: 'lineage', attrs: { role: 'list', 'aria-label': 'Lineage' } }, [
      column('Data', inputs), arrow(), column('Run', [run]), arrow(), column('Version', [self]), arrow(), column('Services', deployments),
    ]),
  ]);
}

function inputNode(input: VersionDetailInput): HTMLElement {
  const facts = [input.context, input.size === null ? null : formatBytes(input.size), input.sha256 ? input.sha256.slice(0, 8) : null].filter(Boolean).join(' · ');
  if (input.dataset) {
    const d = input.dataset;
    return node('data', input.name, facts, () => host.post({ type: 'openDataset', name: d.name, version: d.version }),
      `${input.path ?? input.name}\nTracked dataset ${d.name} v${d.version}: open it`, `dataset ${d.name} v${d.version}`);
  }
  return node('data', input.name, facts, undefined, `${input.path ?? input.name}${input.sha256 ? `\nsha256 ${input.sha256}` : ''}`);
}

function deploymentNode(d: VersionDeployment): HTMLElement {
  const when = new Date(d.createdAt).toLocaleString();
  const label = `${d.service} r${d.revision}`;
  const sub = d.match === 'serves' ? `${d.status} · ${d.target}` : `${d.status} · version unknown`;
  const title = d.match === 'serves'
    ? `${d.service} revision ${d.revision} (${d.target}, ${d.status}) serves this version; deployed ${when}`
    : `${d.service} revision ${d.revision} asked for ${d.requested}, deployed ${when} before deploys recorded which version that resolved to`;
  return node(d.match === 'serves' ? `service status-${d.status}` : 'service unknown', label, sub, () => host.post({ type: 'showDeployments' }), title);
}

function column(title: string, nodes: HTMLElement[]): HTMLElement {
  return h('div', { class: 'lineage-col', attrs: { role: 'listitem' } }, [
    h('div', { class: 'lineage-col-title', text: title }), h('div', { class: 'lineage-nodes' }, nodes),
  ]);
}

function arrow(): HTMLElement {
  return h('div', { class: 'lineage-arrow', attrs: { 'aria-hidden': 'true' } });
}

function node(kind: string, label: string, sub: string, onClick?: () => void, title?: string, extra?: string): HTMLElement {
  return h(onClick ? 'a' : 'div', {
    class: `lineage-node ${kind}`, title: title ?? `${label}\n${sub}`,
    attrs: onClick ? { href: '#', role: 'button' } : {},
    on: onClick ? { click: (e) => { e.preventDefault(); onClick(); } } : {},
  }, [
    h('span', { class: 'node-label', text: label }),
    h('span', { class: 'node-sub', text: sub }),
    extra ? h('span', { class: 'node-extra', text: extra }) : null,
  ]);
}

function factsOf(s: VersionDetailStateMessage): HTMLElement {
  return h('section', { class: 'facts card', attrs: { 'data-section': 'facts' } }, [
    fact('Created', s.createdMs ? new Date(s.createdMs).toLocaleString() : '—'),
    fact('Flavor', s.flavor),
    fact('Registered by', s.origin === 'mlflow' ? 'MLflow' : 'Modelcloud'),
    fact('Source', s.source ?? '—'),
    fact('Description', s.description ?? '—'),
  ]);
}

function fact(label: string, value: string): HTMLElement {
  return h('div', { class: 'fact' }, [h('div', { class: 'fact-label', text: label }), h('div', { class: 'fact-value', text: value, title: value })]);
}

function cardOf(title: string, count: string | undefined, body: Node[]): HTMLElement {
  return h('section', { class: 'card', attrs: { 'data-section': title.toLowerCase() } }, [
    h('div', { class: 'card-head' }, [h('h2', { text: title }), count ? h('span', { class: 'mc-muted', text: count }) : null]),
    ...body,
  ]);
}

function table(head: string[], rows: Array<Array<string | Node>>, className = ''): HTMLElement {
  return h('div', { class: 'table-scroll' }, [h('table', { class: `params-table ${className}` }, [
    h('thead', {}, [h('tr', {}, head.map((t) => h('th', { text: t, attrs: { scope: 'col' } })))]),
    h('tbody', {}, rows.map((r) => h('tr', {}, r.map((c) => (typeof c === 'string' ? h('td', { text: c, title: c }) : h('td', {}, [c])))))),
  ])]);
}

function signatureCard(s: VersionDetailStateMessage): HTMLElement {
  if (!s.signature) {
    return cardOf('Signature', undefined, [h('div', { class: 'pad mc-muted', text: s.isDataset ? 'A dataset has no signature.' : 'No signature recorded (log_model(..., input_example=...) infers one).' })]);
  }
  const sig = s.signature;
  const part = (title: string, fields: typeof sig.inputs): HTMLElement => h('div', { class: 'sig-part' }, [
    h('h3', { text: title }),
    fields.length ? table(['Name', 'Type'], fields.map((f) => [f.name, f.type])) : h('div', { class: 'pad mc-muted', text: 'none' }),
  ]);
  const body: HTMLElement[] = [h('div', { class: 'sig' }, [part('Inputs', sig.inputs), part('Outputs', sig.outputs)])];
  if (sig.raw) body.push(h('pre', { class: 'pad raw', text: sig.raw }));
  return cardOf('Signature', undefined, body);
}

function historyCard(s: VersionDetailStateMessage): HTMLElement {
  const rows = [...s.transitions].reverse().map((t) => [
    new Date(t.ms).toLocaleString(), `${t.from} → ${t.to}`, t.user ?? '—', t.reason ?? '—',
  ]);
  return cardOf('Stage history', String(s.transitions.length), [rows.length
    ? table(['When', 'Change', 'Who', 'Why'], rows, 'history')
    : h('div', { class: 'pad mc-muted', text: 'Never moved: the version is in stage None since it was registered.' })]);
}

function runCard(s: VersionDetailStateMessage): HTMLElement {
  if (!s.run) {
    return cardOf('Source run', undefined, [h('div', { class: 'pad mc-muted', text: s.runId
      ? `Run ${s.runId} is not in this workspace's tracking store (pulled from a remote, or deleted).`
      : 'Registered from a file: no run to show metrics and params from.' })]);
  }
  const r = s.run;
  const kv = (entries: Array<[string, string]>, empty: string): HTMLElement => entries.length
    ? h('table', { class: 'kv' }, [h('tbody', {}, entries.map(([k, v]) => h('tr', {}, [h('th', { text: k, attrs: { scope: 'row' } }), h('td', { text: v, title: v })])))])
    : h('div', { class: 'pad mc-muted', text: empty });
  return cardOf('Source run', r.name || r.id.slice(0, 8), [
    h('div', { class: 'pad run-link' }, [h('a', { class: 'link', text: `${r.experiment} / ${r.name || r.id}`, attrs: { href: '#', role: 'button' }, on: {
      click: (e) => { e.preventDefault(); host.post({ type: 'openSourceRun' }); },
    } }), h('span', { class: 'mc-muted', text: ` · ${r.status.toLowerCase()}${r.startMs ? ` · ${new Date(r.startMs).toLocaleString()}` : ''}` })]),
    h('h3', { class: 'sub-title', text: 'Metrics' }),
    kv(r.metrics.map((m) => [m.key, formatMetricValue(m.value)]), 'No metrics logged.'),
    h('h3', { class: 'sub-title', text: 'Parameters' }),
    kv(Object.entries(r.params), 'No params logged.'),
  ]);
}

function filesCard(s: VersionDetailStateMessage): HTMLElement {
  return cardOf('Files', String(s.files.length), [table(['Path', 'Size', 'SHA-256', 'Local cache'], s.files.map((f) => [
    h('span', { class: 'artifact-path', text: f.path, title: f.path }),
    formatBytes(f.size),
    h('code', { class: 'sha', text: `${f.sha256.slice(0, 12)}…`, title: f.sha256 }),
    f.cached ? h('span', { class: 'cached', text: '✓ cached' }) : h('span', { class: 'not-cached', text: 'not local — Pull from Remote', title: 'The bytes are not in .modelcloud/artifacts' }),
  ]), 'artifacts')]);
}


host.ready();
