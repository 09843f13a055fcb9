// One uPlot chart of one metric with every visible run overlaid. The host already cut each
// series to ~2,000 points (LTTB); here they are smoothed (EMA), put on a shared x array and
// drawn. Options (x axis, log scale, smoothing, hidden runs) rebuild the chart cheaply.
import uPlot from 'uplot';
import type { CompareRun, MetricSeries } from '../../src/protocol/compare';
import { alignSeries, type XYSeries } from '../../src/core/charts/alignSeries';
import { emaSmooth } from '../../src/core/charts/smoothing';
import { formatMetricValue } from '../../src/core/experiments/format';
import { h } from './dom';
import { chromeColors, type RunStyle } from './palette';

export interface ChartOptions {
  xAxis: 'step' | 'time';
  logScale: boolean;
  /** EMA weight in [0, 1). */
  smoothing: number;
  hidden: ReadonlySet<string>;
  height: number;
}

export interface DrawnChart {
  plot: uPlot | undefined;
  /** Milliseconds spent building data and drawing. */
  drawMs: number;
  points: number;
}

/** Builds the chart into `host` (emptied first). */
export function drawMetricChart(
  host: HTMLElement, series: MetricSeries[], runs: Map<string, CompareRun>, styles: Map<string, RunStyle>, o: ChartOptions,
): DrawnChart {
  const started = performance.now();
  host.replaceChildren();
  const visible = series.filter((s) => !o.hidden.has(s.runId) && runs.has(s.runId));
  if (visible.length === 0) {
    host.append(h('div', { class: 'chart-empty mc-muted', text: series.length ? 'All runs with this metric are hidden.' : 'No run logged this metric.' }));
    return { plot: undefined, drawMs: 0, points: 0 };
  }
  const xy: XYSeries[] = visible.map((s) => {
    const x = o.xAxis === 'step' ? s.steps : s.times.map((t) => t / 1000);
    let y = o.smoothing > 0 ? emaSmooth(s.values, o.smoothing) : s.values;
    if (o.logScale) y = y.map((v) => (v !== null && v > 0 ? v : null));
    return { x, y };
  });
  const data = alignSeries(xy) as uPlot.AlignedData;
  const chrome = chromeColors();
  const axis = (): uPlot.Axis => ({
    stroke: chrome.muted,
    grid: { stroke: chrome.grid, width: 1 },
    ticks: { stroke: chrome.grid, width: 1, size: 4 },
    font: `11px ${getComputedStyle(document.body).getPropertyValue('--vscode-font-family') || 'sans-serif'}`,
  });
  const tooltip = h('div', { class: 'chart-tooltip', attrs: { role: 'status' } });
  const opts: uPlot.Options = {
    width: Math.max(240, host.clientWidth),
    height: o.height,
    legend: { show: false },
    cursor: { drag: { x: true, y: false, setScale: true }, points: { size: 6 } },
    scales: {
      x: { time: o.xAxis === 'time' },
      y: o.logScale ? { distr: 3 } : {},
    },
    axes: [
      { ...axis(), label: undefined, values: o.xAxis === 'time' ? undefined : (_u, splits) => splits.map((v) => compactNumber(v)) },
      { ...axis(), size: 56, values: (_u, splits) => splits.map((v) => (v === null ? '' : formatMetricValue(v))) },
    ],
    series: [
      { label: o.xAxis === 'step' ? 'step' : 'time' },
      ...visible.map((s) => {
        const style = styles.get(s.runId)!;
        return {
          label: runs.get(s.runId)?.name ?? s.runId,
          stroke: style.color,
          dash: style.dash.length ? style.dash : undefined,
          width: 1.6,
          spanGaps: false,
          points: { show: s.steps.length <= 60, size: 5, fill: style.color, stroke: style.color },
        } satisfies uPlot.Series;
      }),
    ],
    hooks: {
      setCursor: [(u) => showTooltip(u, tooltip, o.xAxis)],
    },
  };
  const plot = new uPlot(opts, data, host);
  plot.over.append(tooltip);
  plot.over.addEventListener('mouseleave', () => { tooltip.style.display = 'none'; });
  // Double-click resets a drag zoom (uPlot's default), keep it discoverable.
  plot.over.title = 'Drag to zoom · double-click to reset';
  return { plot, drawMs: performance.now() - started, points: data[0].length * visible.length };
}

function showTooltip(u: uPlot, tooltip: HTMLElement, xAxis: 'step' | 'time'): void {
  const idx = u.cursor.idx;
  if (idx === null || idx === undefined || u.cursor.left === undefined || u.cursor.left < 0) {
    tooltip.style.display = 'none';
    return;
  }
  const x = u.data[0][idx];
  const rows: HTMLElement[] = [h('div', { class: 'tt-x', text: xAxis === 'step' ? `step ${compactNumber(x)}` : new Date(x * 1000).toLocaleString() })];
  const entries: Array<{ label: string; value: number; color: string }> = [];
  for (let i = 1; i < u.series.length; i++) {
    const v = u.data[i][idx];
    if (v === null || v === undefined) continue;
    entries.push({ label: String(u.series[i].label ?? ''), value: v, color: String(u.series[i].stroke) });
  }
  if (entries.length === 0) { tooltip.style.display = 'none'; return; }
  entries.sort((a, b) => b.value - a.value);
  for (const e of entries.slice(0, 10)) {
    const dot = h('span', { class: 'tt-dot' });
    dot.style.background = e.color;
    rows.push(h('div', { class: 'tt-row' }, [dot, h('span', { class: 'tt-name', text: e.label }), h('span', { class: 'tt-val', text: formatMetricValue(e.value) })]));
  }
  if (entries.length > 10) rows.push(h('div', { class: 'mc-muted', text: `+${entries.length - 10} more` }));
  tooltip.replaceChildren(...rows);
  tooltip.style.display = 'block';
  const left = u.cursor.left;
  const width = u.over.clientWidth;
  tooltip.style.left = left > width / 2 ? '' : `${left + 12}px`;
  tooltip.style.right = left > width / 2 ? `${width - left + 12}px` : '';
  tooltip.style.top = '4px';
}

function compactNumber(v: number): string {
  const abs = Math.abs(v);
  if (abs >= 1e6) return `${Number((v / 1e6).toPrecision(3))}M`;
  if (abs >= 1e4) return `${Number((v / 1e3).toPrecision(3))}k`;
  return String(Number(v.toPrecision(6)));
}
