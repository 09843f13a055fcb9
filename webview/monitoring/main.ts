// The Monitoring dashboard: one deployment (or A/B router) at a time — throughput, p50/p95/p99
// latency, error rate and model version over 15 min / 1 h / 24 h. History comes from the store in
// the host's `state` (so a reload shows it again), then live `samples` deltas are appended.
import 'uplot/dist/uPlot.min.css';
import '../common/theme.css';
import './monitoring.css';
import { connectToHost } from '../common/vscodeApi';
import type {
  ChartPoint, FiringAlert, MonitoringFromView, MonitoringState, MonitoringToView, MonitoringViewState, RangeMinutes,
} from '../../src/protocol/monitoring';
import { RANGES } from '../../src/protocol/monitoring';
import { h } from '../compare/dom';
import { onThemeChange } from '../compare/palette';
import { TimeChart, versionMarks, type ChartSpec } from './charts';

const CHART_HEIGHT = 190;
const host = connectToHost<MonitoringFromView, MonitoringToView, MonitoringViewState>();
const root = document.getElementById('root') ?? document.body.appendChild(h('div', { attrs: { id: 'root' } }));

let state: MonitoringState | undefined;
let points: ChartPoint[] = [];
const charts: TimeChart[] = [];

const fixed = (digits: number) => (v: number) => (Math.abs(v) >= 100 ? String(Math.round(v)) : v.toFixed(digits));
const SPECS: ChartSpec[] = [
  { title: 'Throughput', unit: 'req/s', format: fixed(1), series: [{ label: 'requests/s', colorVar: '--vscode-charts-blue', fallback: '#3794ff', value: (p) => p.rps }] },
  {
    title: 'Latency', unit: 'ms', format: fixed(1), series: [
      { label: 'p50', colorVar: '--vscode-charts-green', fallback: '#89d185', value: (p) => p.p50 },
      { label: 'p95', colorVar: '--vscode-charts-orange', fallback: '#d18616', value: (p) => p.p95 },
      { label: 'p99', colorVar: '--vscode-charts-red', fallback: '#f14c4c', value: (p) => p.p99, dash: [6, 3] },
    ],
  },
  { title: 'Error rate', unit: '%', format: fixed(1), series: [{ label: '5xx share', colorVar: '--vscode-charts-red', fallback: '#f14c4c', value: (p) => p.errorPercent }] },
];

host.onMessage((message) => {
  if (message.type === 'state') {
    state = message;
    points = [...message.points];
    host.setState({ selected: message.selected, rangeMinutes: message.rangeMinutes });
    render();
  } else if (message.type === 'samples' && state && message.service === state.selected) {
    points.push(...message.points);
    trim();
    refresh();
  } else if (message.type === 'alerts' && state) {
    state = { ...state, alerts: message.alerts };
    renderAlerts();
  } else if (message.type === 'error') {
    root.prepend(h('div', { class: 'banner error', text: message.message }));
  }
});

const saved = host.getState();
host.ready();
if (saved?.selected) host.post({ type: 'select', target: saved.selected });
if (saved?.rangeMinutes && saved.rangeMinutes !== 15) host.post({ type: 'range', minutes: saved.rangeMinutes });
onThemeChange(() => { for (const c of charts) c.retheme(); refresh(); });
window.addEventListener('resize', () => { for (const c of charts) c.resize(); });

/** The range chosen, in seconds since the epoch. */
function rangeS(): [number, number] {
  const now = Date.now() / 1000;
  return [now - (state?.rangeMinutes ?? 15) * 60, now];
}

/** What the charts show: the range, or less when the history is shorter (a new deployment), at least 2 min. */
function windowS(): [number, number] {
  const [from, to] = rangeS();
  const first = points[0];
  if (!first) return [from, to];
  return [Math.max(from, Math.min(first.ms / 1000 - 10, to - 120)), to];
}

function trim(): void {
  const [from] = rangeS();
  const first = points.findIndex((p) => p.ms / 1000 >= from);
  if (first > 0) points = points.slice(first);
}

let alertsBox: HTMLElement | undefined;
let tiles: HTMLElement | undefined;
let versionStrip: HTMLElement | undefined;

function render(): void {
  charts.length = 0;
  if (!state) return;
  const s = state;
  if (!s.selected) {
    root.replaceChildren(h('div', { class: 'empty' }, [
      h('h1', { text: 'Monitoring' }),
      h('p', { class: 'mc-muted', text: 'No deployment is running and nothing was monitored yet. Deploy a service (Modelcloud: Deploy Service…): its /metrics are scraped every few seconds and charted here.' }),
    ]));
    return;
  }
  const picker = h('select', { class: 'target', attrs: { 'aria-label': 'Deployment' }, on: { change: (e) => host.post({ type: 'select', target: (e.target as HTMLSelectElement).value }) } },
    s.targets.map((t) => {
      const o = h('option', { text: `${t.key}${t.live ? '' : ' (not running)'}`, attrs: { value: t.key } });
      o.selected = t.key === s.selected;
      return o;
    }));
  const ranges = h('div', { class: 'ranges', attrs: { role: 'group', 'aria-label': 'Time range' } }, RANGES.map((m) => h('button', {
    class: m === s.rangeMinutes ? 'range on' : 'range',
    text: rangeLabel(m),
    attrs: { 'aria-pressed': String(m === s.rangeMinutes) },
    on: { click: () => host.post({ type: 'range', minutes: m }) },
  })));
  const target = s.targets.find((t) => t.key === s.selected);
  const head = h('div', { class: 'page-head' }, [
    h('h1', { text: s.selected }),
    h('span', { class: target?.live ? 'pill live' : 'pill', text: target?.live ? `live · every ${s.intervalSeconds} s` : 'not running' }),
    target?.url ? h('span', { class: 'mc-muted', text: target.url }) : null,
    h('span', { class: 'spacer' }),
    picker,
    ranges,
  ]);
  alertsBox = h('div', { class: 'alerts' });
  tiles = h('div', { class: 'tiles' });
  versionStrip = h('div', { class: 'version-strip' });
  const cards = SPECS.map((spec) => {
    const body = h('div', { class: 'chart' });
    charts.push(new TimeChart(body, spec, CHART_HEIGHT));
    return h('section', { class: 'card' }, [h('div', { class: 'card-head' }, [h('h2', { text: spec.title }), h('span', { class: 'mc-muted', text: spec.unit })]), body]);
  });
  const versionCard = h('section', { class: 'card' }, [h('div', { class: 'card-head' }, [h('h2', { text: 'Model version' }), h('span', { class: 'mc-muted', text: 'changes are marked on every chart' })]), versionStrip]);
  const rules = h('div', { class: 'rules mc-muted', text: s.rules.length ? `Alert rules: ${s.rules.join(' · ')}` : 'No alert rules (setting modelcloud.monitoring.alerts).' });
  root.replaceChildren(head, alertsBox, tiles, h('div', { class: 'grid' }, [...cards, versionCard]), rules);
  renderAlerts();
  refresh();
}

function refresh(): void {
  if (!state?.selected) return;
  const [from, to] = windowS();
  const marks = versionMarks(points);
  for (const c of charts) c.update(points, marks, from, to);
  renderTiles();
  renderVersions(from, to);
  // For tests and screenshots: how many points are drawn and which versions are marked.
  document.body.dataset.points = String(points.filter((p) => p.up).length);
  document.body.dataset.versions = marks.map((m) => m.version).join(',');
}

function renderTiles(): void {
  if (!tiles) return;
  const last = [...points].reverse().find((p) => p.up);
  const lastAny = points[points.length - 1];
  const tile = (label: string, value: string, cls = '') => h('div', { class: `tile ${cls}` }, [h('div', { class: 'tile-label', text: label }), h('div', { class: 'tile-value', text: value })]);
  const down = lastAny !== undefined && !lastAny.up;
  tiles.replaceChildren(
    tile('Status', down ? 'not answering' : last ? 'up' : 'no data yet', down ? 'bad' : ''),
    tile('Throughput', last ? `${last.rps.toFixed(1)} req/s` : '—'),
    tile('p50 / p95 / p99', last && last.p50 !== null ? `${num(last.p50)} / ${num(last.p95)} / ${num(last.p99)} ms` : '—'),
    tile('Error rate', last && last.errorPercent !== null ? `${last.errorPercent.toFixed(1)} %` : '—', last && (last.errorPercent ?? 0) > 0 ? 'warn' : ''),
    tile('Model version', last?.modelVersion ?? '—'),
  );
}

function renderVersions(fromS: number, toS: number): void {
  if (!versionStrip) return;
  const marks = versionMarks(points);
  if (marks.length === 0) {
    versionStrip.replaceChildren(h('div', { class: 'mc-muted pad', text: 'The service did not report a model version.' }));
    return;
  }
  const span = toS - fromS;
  const segs = marks.map((m, i) => {
    const start = Math.max(fromS, m.x);
    const end = i + 1 < marks.length ? marks[i + 1].x : Math.min(toS, points[points.length - 1].ms / 1000);
    const seg = h('div', { class: `seg seg${i % 4}`, title: `${m.version} from ${new Date(m.x * 1000).toLocaleTimeString()}`, text: m.version });
    seg.style.left = `${((start - fromS) / span) * 100}%`;
    seg.style.width = `${Math.max(0.5, ((end - start) / span) * 100)}%`;
    return seg;
  });
  versionStrip.replaceChildren(h('div', { class: 'track' }, segs));
}

function renderAlerts(): void {
  if (!alertsBox || !state) return;
  const mine = state.alerts.filter((a) => a.service === state!.selected);
  alertsBox.replaceChildren(...mine.map((a: FiringAlert) => h('div', { class: 'banner warn', attrs: { role: 'alert' } }, [
    h('span', { class: 'codicon-ish', text: '⚠' }),
    h('span', { class: 'alert-text', text: `${a.message} (since ${new Date(a.sinceMs).toLocaleTimeString()})` }),
    h('span', { class: 'spacer' }),
    state!.canRollBack ? h('button', { class: 'primary', text: 'Roll Back', on: { click: () => host.post({ type: 'rollback', target: a.service }) } }) : null,
  ])));
}

function rangeLabel(m: RangeMinutes): string {
  return m === 15 ? '15 min' : m === 60 ? '1 h' : '24 h';
}

function num(v: number | null): string {
  return v === null ? '—' : v >= 100 ? String(Math.round(v)) : v.toFixed(1);
}
