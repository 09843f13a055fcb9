// The dashboard's uPlot time charts (set up as webview/compare's: theme colours, muted axes,
// gaps kept as gaps). Model version changes are drawn on every chart as dashed vertical lines
// labelled with the new version.
import uPlot from 'uplot';
import type { ChartPoint } from '../../src/protocol/monitoring';
import { chromeColors, themeColor, withAlpha } from '../compare/palette';

export interface SeriesSpec {
  label: string;
  colorVar: string;
  fallback: string;
  value(p: ChartPoint): number | null;
  dash?: number[];
}

export interface ChartSpec {
  title: string;
  unit: string;
  series: SeriesSpec[];
  format(v: number): string;
}

export interface VersionMark {
  /** seconds */
  x: number;
  version: string;
}

export class TimeChart {
  private plot: uPlot | undefined;
  private marks: VersionMark[] = [];

  constructor(private readonly host: HTMLElement, private readonly spec: ChartSpec, private readonly height: number) {}

  /** Draws (or re-draws) the chart with these points over [fromS, toS]. */
  update(points: readonly ChartPoint[], marks: VersionMark[], fromS: number, toS: number): void {
    this.marks = marks;
    const data: uPlot.AlignedData = [
      points.map((p) => p.ms / 1000),
      ...this.spec.series.map((s) => points.map((p) => (p.up ? s.value(p) : null))),
    ];
    if (!this.plot) this.plot = this.build(data);
    else this.plot.setData(data, false);
    this.plot.setScale('x', { min: fromS, max: toS });
  }

  resize(): void {
    this.plot?.setSize({ width: Math.max(240, this.host.clientWidth), height: this.height });
  }

  /** Rebuilds with the current theme's colours. */
  retheme(): void {
    if (!this.plot) return;
    const data = this.plot.data;
    const x = this.plot.scales.x;
    this.plot.destroy();
    this.plot = this.build(data);
    if (x.min !== undefined && x.max !== undefined) this.plot.setScale('x', { min: x.min, max: x.max });
  }

  private build(data: uPlot.AlignedData): uPlot {
    this.host.replaceChildren();
    const chrome = chromeColors();
    const font = `11px ${getComputedStyle(document.body).getPropertyValue('--vscode-font-family') || 'sans-serif'}`;
    const axis = (): uPlot.Axis => ({ stroke: chrome.muted, grid: { stroke: chrome.grid, width: 1 }, ticks: { stroke: chrome.grid, width: 1, size: 4 }, font });
    const opts: uPlot.Options = {
      width: Math.max(240, this.host.clientWidth),
      height: this.height,
      legend: { show: true, live: true },
      cursor: { drag: { x: false, y: false }, points: { size: 5 } },
      scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.15 : 1] } },
      axes: [
        { ...axis() },
        { ...axis(), size: 62, values: (_u, splits) => splits.map((v) => (v === null ? '' : this.spec.format(v))) },
      ],
      series: [
        { label: 'time', value: (_u, v) => (v === null ? '' : new Date(v * 1000).toLocaleTimeString()) },
        ...this.spec.series.map((s) => {
          const color = withAlpha(themeColor(s.colorVar, s.fallback), Infinity);
          return {
            label: s.label, stroke: color, width: 1.6, dash: s.dash, spanGaps: false,
            fill: this.spec.series.length === 1 ? withAlpha(color, 0.12) : undefined,
            points: { show: false },
            value: (_u: uPlot, v: number | null) => (v === null || v === undefined ? '—' : `${this.spec.format(v)} ${this.spec.unit}`),
          } satisfies uPlot.Series;
        }),
      ],
      hooks: { draw: [(u) => this.drawVersionMarks(u, chrome.text, chrome.muted)] },
    };
    return new uPlot(opts, data, this.host);
  }

  private drawVersionMarks(u: uPlot, text: string, line: string): void {
    const ctx = u.ctx;
    const dpr = devicePixelRatio || 1;
    ctx.save();
    ctx.strokeStyle = line;
    ctx.fillStyle = text;
    ctx.setLineDash([4 * dpr, 3 * dpr]);
    ctx.lineWidth = dpr;
    // uPlot leaves the alignment of its last axis label behind.
    ctx.textAlign = 'left';
    ctx.textBaseline = 'alphabetic';
    ctx.font = `${10 * dpr}px ${getComputedStyle(document.body).getPropertyValue('--vscode-font-family') || 'sans-serif'}`;
    // The first mark is the version the history starts with (the strip below names it): only
    // changes get a line. A label that would run into the next one is left to the strip.
    const xs = this.marks.map((m) => Math.round(u.valToPos(m.x, 'x', true)));
    for (let i = 1; i < this.marks.length; i++) {
      const x = xs[i];
      if (x < u.bbox.left || x > u.bbox.left + u.bbox.width) continue;
      ctx.beginPath();
      ctx.moveTo(x, u.bbox.top);
      ctx.lineTo(x, u.bbox.top + u.bbox.height);
      ctx.stroke();
      const label = `→ ${this.marks[i].version}`;
      const width = ctx.measureText(label).width;
      const room = (i + 1 < xs.length ? xs[i + 1] : u.bbox.left + u.bbox.width + width) - x;
      if (room < width / 2) continue;
      // Right of the line when it fits inside the plot, else left of it.
      const left = x + 4 * dpr + width > u.bbox.left + u.bbox.width ? x - 4 * dpr - width : x + 4 * dpr;
      ctx.fillText(label, left, u.bbox.top + 11 * dpr);
    }
    ctx.restore();
  }
}

/** Where the served model version changes (the first point is a mark too, so the version shows). */
export function versionMarks(points: readonly ChartPoint[]): VersionMark[] {
  const marks: VersionMark[] = [];
  let current: string | null = null;
  for (const p of points) {
    if (p.modelVersion !== null && p.modelVersion !== current) {
      marks.push({ x: p.ms / 1000, version: p.modelVersion });
      current = p.modelVersion;
    }
  }
  return marks;
}
