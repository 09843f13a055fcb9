// The Compare view: params diff, overlaid metric charts (uPlot, host-downsampled), parallel
// coordinates and a param/metric scatter for any number of runs. State comes from the host
// (src/features/compare); view choices survive reloads through vscode.setState.
import 'uplot/dist/uPlot.min.css';
import '../common/theme.css';
import './compare.css';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-checkbox/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import { connectToHost } from '../common/vscodeApi';
import type {
  CompareFromView, CompareRun, CompareStateMessage, CompareToView, CompareViewState, MetricSeries,
} from '../../src/protocol/compare';
import { diffParams } from '../../src/core/charts/paramDiff';
import { h } from './dom';
import { onThemeChange, runStyle, type RunStyle } from './palette';
import { paramsTable } from './paramsTable';
import { legend } from './legend';
import { drawMetricChart } from './metricChart';
import { drawParallelCoordinates } from './parallelCoordinates';
import { drawScatter } from './scatter';
import { sizedCanvas, type SizedCanvas } from './canvas';
import { checkbox, select, slider } from './controls';

const CHART_HEIGHT = 210;
const host = connectToHost<CompareFromView, CompareToView, CompareViewState>();
const saved = host.getState() ?? {};
const view = {
  metrics: saved.metrics as string[] | undefined,
  xAxis: saved.xAxis ?? 'step',
  logScale: saved.logScale ?? false,
  smoothing: saved.smoothing ?? 0,
  showIdentical: saved.showIdentical ?? false,
  pcMetric: saved.pcMetric,
  scatterParam: saved.scatterParam,
  scatterMetric: saved.scatterMetric,
  hidden: new Set(saved.hiddenRuns ?? []),
};

let state: CompareStateMessage | undefined;
let runsById = new Map<string, CompareRun>();
let styles = new Map<string, RunStyle>();
const seriesByMetric = new Map<string, MetricSeries[]>();
const hostMsByMetric = new Map<string, number>();
const charts = new Map<string, { card: HTMLElement; plotHost: HTMLElement; status: HTMLElement }>();
let pcCanvas: SizedCanvas | undefined;
let scatterCanvas: SizedCanvas | undefined;

const root = document.getElementById('root')!;
const errorLine = h('div', { class: 'mc-error', attrs: { role: 'alert' } });
const legendSlot = h('div');
const paramsSlot = h('div');
const metricsSlot = h('div');
const pcSlot = h('div');
const scatterSlot = h('div');
root.append(h('div', { class: 'loading mc-muted', text: 'Loading runs…' }));

function persist(): void {
  host.setState({
    metrics: view.metrics, xAxis: view.xAxis, logScale: view.logScale, smoothing: view.smoothing, showIdentical: view.showIdentical,
    pcMetric: view.pcMetric, scatterParam: view.scatterParam, scatterMetric: view.scatterMetric, hiddenRuns: [...view.hidden],
  });
}

host.onMessage((message) => {
  switch (message.type) {
    case 'state':
      onState(message);
      break;
    case 'metric':
      seriesByMetric.set(message.key, message.series);
      hostMsByMetric.set(message.key, message.hostMs);
      drawChart(message.key);
      break;
    case 'error':
      errorLine.textContent = message.message;
      break;
  }
});

function onState(message: CompareStateMessage): void {
  // A new state is a new set of runs: histories of the previous one no longer apply.
  if (state) { seriesByMetric.clear(); hostMsByMetric.clear(); }
  state = message;
  runsById = new Map(message.runs.map((r) => [r.id, r]));
  styles = new Map(message.runs.map((r, i) => [r.id, runStyle(i)]));
  view.metrics = (view.metrics ?? message.defaultMetrics).filter((k) => message.metricKeys.includes(k));
  if (view.metrics.length === 0) view.metrics = message.defaultMetrics;
  const missing = view.metrics.filter((k) => !message.defaultMetrics.includes(k) && !seriesByMetric.has(k));
  if (missing.length) host.post({ type: 'loadMetrics', keys: missing });
  const firstMetric = message.defaultMetrics[0] ?? message.metricKeys[0];
  if (!view.pcMetric || !message.metricKeys.includes(view.pcMetric)) view.pcMetric = firstMetric;
  if (!view.scatterMetric || !message.metricKeys.includes(view.scatterMetric)) view.scatterMetric = firstMetric;
  const diff = diffParams(message.runs.map((r) => r.params));
  if (!view.scatterParam || !diff.rows.some((r) => r.key === view.scatterParam)) {
    view.scatterParam = (diff.rows.find((r) => r.differs) ?? diff.rows[0])?.key;
  }
  persist();

  const experiments = [...new Set(message.runs.map((r) => r.experiment))];
  root.replaceChildren(
    h('header', { class: 'page-head' }, [
      h('h1', { text: `Compare ${message.runs.length} ${message.runs.length === 1 ? 'run' : 'runs'}` }),
      h('span', { class: 'mc-muted', text: experiments.length === 1 ? `in ${experiments[0]}` : `across ${experiments.length} experiments` }),
    ]),
    errorLine,
    legendSlot, paramsSlot, metricsSlot, pcSlot, scatterSlot,
  );
  if (message.missingRunIds.length) {
    errorLine.textContent = `${message.missingRunIds.length} of the requested runs are not in the tracking store (${message.missingRunIds.map((id) => id.slice(0, 8)).join(', ')}); they were deleted permanently or never ingested.`;
  }
  renderLegend();
  renderParams();
  renderMetricsSection();
  renderParallelSection();
  renderScatterSection();
}

function renderLegend(): void {
  if (!state) return;
  legendSlot.replaceChildren(legend(state.runs, styles, view.hidden, (runId) => {
    if (view.hidden.has(runId)) view.hidden.delete(runId); else view.hidden.add(runId);
    persist();
    renderLegend();
    redrawAll();
  }, (runId) => host.post({ type: 'openRunDetail', runId })));
}

function renderParams(): void {
  if (!state) return;
  paramsSlot.replaceChildren(paramsTable(state.runs, styles, view.showIdentical, (show) => {
    view.showIdentical = show;
    persist();
    renderParams();
  }));
}

function renderMetricsSection(): void {
  if (!state) return;
  const picker = h('div', { class: 'metric-picker', attrs: { role: 'group', 'aria-label': 'Metrics to chart' } },
    state.metricKeys.map((key) => h('button', {
      class: `chip metric${view.metrics!.includes(key) ? '' : ' off'}`, text: key,
      attrs: { type: 'button', 'aria-pressed': String(view.metrics!.includes(key)) },
      on: { click: () => toggleMetric(key) },
    })));
  const toolbar = h('div', { class: 'chart-toolbar' }, [
    select('X axis', [{ value: 'step', label: 'Step' }, { value: 'time', label: 'Wall time' }], view.xAxis, (v) => {
      view.xAxis = v === 'time' ? 'time' : 'step'; persist(); redrawCharts();
    }),
    checkbox('Log scale', view.logScale, (checked) => { view.logScale = checked; persist(); redrawCharts(); }),
    slider('Smoothing', view.smoothing, 0.99, (v) => { view.smoothing = v; persist(); scheduleRedrawCharts(); }),
  ]);
  const grid = h('div', { class: 'chart-grid' });
  charts.clear();
  for (const key of view.metrics!) grid.append(chartCard(key));
  metricsSlot.replaceChildren(h('section', { class: 'card', attrs: { 'aria-label': 'Metric charts' } }, [
    h('div', { class: 'card-head' }, [h('h2', { text: 'Metrics' }), h('span', { class: 'mc-muted', text: `${state.metricKeys.length} logged` })]),
    picker, toolbar,
    state.metricKeys.length ? grid : h('div', { class: 'mc-muted pad', text: 'These runs logged no metrics.' }),
  ]));
  for (const key of view.metrics!) if (seriesByMetric.has(key)) drawChart(key);
}

function chartCard(key: string): HTMLElement {
  const plotHost = h('div', { class: 'plot' });
  const status = h('span', { class: 'chart-status mc-muted', text: 'loading…' });
  const card = h('figure', { class: 'chart-card', attrs: { 'data-metric': key } }, [
    h('figcaption', {}, [h('span', { class: 'chart-title', text: key }), status]),
    plotHost,
  ]);
  charts.set(key, { card, plotHost, status });
  return card;
}

function toggleMetric(key: string): void {
  const metrics = view.metrics!;
  if (metrics.includes(key)) view.metrics = metrics.filter((k) => k !== key);
  else {
    view.metrics = [...metrics, key];
    if (!seriesByMetric.has(key)) host.post({ type: 'loadMetrics', keys: [key] });
  }
  persist();
  renderMetricsSection();
}

function drawChart(key: string): void {
  const chart = charts.get(key);
  if (!chart || !state) return;
  const series = seriesByMetric.get(key) ?? [];
  const drawn = drawMetricChart(chart.plotHost, series, runsById, styles, {
    xAxis: view.xAxis, logScale: view.logScale, smoothing: view.smoothing, hidden: view.hidden, height: CHART_HEIGHT,
  });
  const logged = series.reduce((sum, s) => sum + s.totalPoints, 0);
  const sent = series.reduce((sum, s) => sum + s.steps.length, 0);
  chart.status.textContent = series.length === 0 ? '' : logged > sent
    ? `${logged.toLocaleString('en-US')} points → ${sent.toLocaleString('en-US')} (LTTB) · ${drawn.drawMs.toFixed(0)} ms`
    : `${logged.toLocaleString('en-US')} points`;
  chart.card.dataset.drawMs = drawn.drawMs.toFixed(1);
  chart.card.dataset.hostMs = String(hostMsByMetric.get(key) ?? '');
  document.body.dataset.chartsDrawn = String([...charts.values()].filter((c) => c.card.dataset.drawMs !== undefined).length);
}

let redrawScheduled = false;
function scheduleRedrawCharts(): void {
  if (redrawScheduled) return;
  redrawScheduled = true;
  requestAnimationFrame(() => { redrawScheduled = false; redrawCharts(); });
}

function redrawCharts(): void {
  for (const key of charts.keys()) if (seriesByMetric.has(key)) drawChart(key);
}

function redrawAll(): void {
  redrawCharts();
  drawPc();
  drawSc();
}

function renderParallelSection(): void {
  if (!state) return;
  const card = h('section', { class: 'card', attrs: { 'aria-label': 'Parallel coordinates' } });
  const head = h('div', { class: 'card-head' }, [h('h2', { text: 'Parallel coordinates' }), h('span', { class: 'mc-muted', text: 'params → metric' }), h('span', { class: 'spacer' })]);
  card.append(head);
  if (!state.metricKeys.length) {
    card.append(h('div', { class: 'mc-muted pad', text: 'Needs a metric: these runs logged none.' }));
    pcSlot.replaceChildren(card);
    pcCanvas = undefined;
    return;
  }
  head.append(select('Metric', state.metricKeys.map((k) => ({ value: k })), view.pcMetric!, (v) => { view.pcMetric = v; persist(); drawPc(); }));
  const body = h('div', { class: 'canvas-host' });
  card.append(body);
  pcSlot.replaceChildren(card);
  pcCanvas = sizedCanvas(body, 270);
  pcCanvas.canvas.setAttribute('aria-label', 'Parallel coordinates chart of params against the chosen metric');
  drawPc();
}

function drawPc(): void {
  if (pcCanvas && state && view.pcMetric) drawParallelCoordinates(pcCanvas, state.runs, styles, view.hidden, view.pcMetric);
}

function renderScatterSection(): void {
  if (!state) return;
  const card = h('section', { class: 'card', attrs: { 'aria-label': 'Scatter' } });
  const head = h('div', { class: 'card-head' }, [h('h2', { text: 'Scatter' }), h('span', { class: 'spacer' })]);
  card.append(head);
  const params = diffParams(state.runs.map((r) => r.params)).rows.map((r) => r.key);
  if (!params.length || !state.metricKeys.length) {
    card.append(h('div', { class: 'mc-muted pad', text: 'Needs at least one param and one metric.' }));
    scatterSlot.replaceChildren(card);
    scatterCanvas = undefined;
    return;
  }
  head.append(
    select('Param', params.map((k) => ({ value: k })), view.scatterParam!, (v) => { view.scatterParam = v; persist(); drawSc(); }),
    select('Metric', state.metricKeys.map((k) => ({ value: k })), view.scatterMetric!, (v) => { view.scatterMetric = v; persist(); drawSc(); }),
  );
  const body = h('div', { class: 'canvas-host' });
  card.append(body);
  scatterSlot.replaceChildren(card);
  scatterCanvas = sizedCanvas(body, 260);
  scatterCanvas.canvas.setAttribute('aria-label', 'Scatter of the chosen param against the chosen metric');
  drawSc();
}

function drawSc(): void {
  if (scatterCanvas && state && view.scatterParam && view.scatterMetric) {
    drawScatter(scatterCanvas, state.runs, styles, view.hidden, view.scatterParam, view.scatterMetric);
  }
}

// Charts resize with the panel; uPlot needs explicit sizes.
let lastWidth = 0;
new ResizeObserver(() => {
  const width = metricsSlot.clientWidth;
  if (Math.abs(width - lastWidth) < 8) return;
  lastWidth = width;
  scheduleRedrawCharts();
}).observe(metricsSlot);

onThemeChange(() => {
  if (!state) return;
  styles = new Map(state.runs.map((r, i) => [r.id, runStyle(i)]));
  renderLegend();
  renderParams();
  redrawAll();
});

host.ready();
