// Parallel coordinates of params → one metric, drawn on a canvas: one vertical axis per param
// (differing params first; numeric params scaled min→max, categorical ones as ordinal axes),
// the chosen metric as the last axis, one polyline per run in its colour.
import type { CompareRun } from '../../src/protocol/compare';
import { axisLabels, axisPosition, buildAxis, type Axis } from '../../src/core/charts/axisScale';
import { diffParams } from '../../src/core/charts/paramDiff';
import { chartFont, fitText, type SizedCanvas } from './canvas';
import { chromeColors, withAlpha, type RunStyle } from './palette';

/** More axes than this get too narrow to read; the differing params come first. */
const MAX_PARAM_AXES = 14;

export function parallelAxes(runs: CompareRun[], metric: string): { params: string[]; axes: Axis[] } {
  const diff = diffParams(runs.map((r) => r.params));
  const differing = diff.rows.filter((r) => r.differs).map((r) => r.key);
  const params = (differing.length ? differing : diff.rows.map((r) => r.key)).slice(0, MAX_PARAM_AXES);
  const axes = params.map((key) => buildAxis(key, runs.map((r) => r.params[key])));
  axes.push(buildAxis(metric, runs.map((r) => r.metrics[metric] ?? null)));
  return { params, axes };
}

export function drawParallelCoordinates(
  target: SizedCanvas, runs: CompareRun[], styles: Map<string, RunStyle>, hidden: ReadonlySet<string>, metric: string,
): void {
  const visible = runs.filter((r) => !hidden.has(r.id));
  const { params, axes } = parallelAxes(visible.length ? visible : runs, metric);
  target.draw((ctx, width, height) => {
    const chrome = chromeColors();
    const top = 34;
    const bottom = height - 18;
    const left = 64;
    const right = width - 64;
    const span = axes.length > 1 ? (right - left) / (axes.length - 1) : 0;
    const xOf = (i: number): number => (axes.length > 1 ? left + i * span : (left + right) / 2);
    // Inset so lines at an axis' min or max do not sit on the chart's edge.
    const inset = 10;
    const yOf = (p: number): number => bottom - inset - p * (bottom - top - 2 * inset);

    // Lines first, axes on top so labels stay readable.
    ctx.lineWidth = 2;
    ctx.lineJoin = 'round';
    for (const run of visible) {
      const style = styles.get(run.id)!;
      ctx.strokeStyle = style.color;
      ctx.setLineDash(style.dash);
      ctx.beginPath();
      let drawing = false;
      axes.forEach((axis, i) => {
        const value = i < params.length ? run.params[params[i]] : run.metrics[metric];
        const p = axisPosition(axis, value ?? null);
        if (p === null) { drawing = false; return; }
        if (drawing) ctx.lineTo(xOf(i), yOf(p)); else ctx.moveTo(xOf(i), yOf(p));
        drawing = true;
      });
      ctx.stroke();
      // A dot at the metric end marks runs whose line is broken by a missing param.
      const last = axisPosition(axes[axes.length - 1], run.metrics[metric] ?? null);
      if (last !== null) {
        ctx.setLineDash([]);
        ctx.fillStyle = style.color;
        ctx.beginPath();
        ctx.arc(xOf(axes.length - 1), yOf(last), 3.5, 0, Math.PI * 2);
        ctx.fill();
      }
    }
    ctx.setLineDash([]);

    axes.forEach((axis, i) => {
      const x = xOf(i);
      const isMetric = i === axes.length - 1;
      ctx.strokeStyle = chrome.axis;
      ctx.lineWidth = isMetric ? 2 : 1;
      ctx.beginPath();
      ctx.moveTo(x, top);
      ctx.lineTo(x, bottom);
      ctx.stroke();
      ctx.font = chartFont(12);
      ctx.fillStyle = chrome.text;
      ctx.textAlign = 'center';
      ctx.textBaseline = 'bottom';
      ctx.fillText(fitText(ctx, axis.label, Math.max(40, span - 8 || 120)), x, top - 12);
      ctx.font = chartFont(10);
      ctx.fillStyle = chrome.muted;
      ctx.textBaseline = 'middle';
      ctx.textAlign = 'right';
      const labels = axisLabels(axis);
      const step = Math.max(1, Math.ceil(labels.length / Math.max(2, Math.floor((bottom - top) / 16))));
      labels.forEach((label, li) => {
        if (li % step !== 0) return;
        const y = yOf(label.position);
        ctx.fillStyle = withAlpha(chrome.background, 0.85);
        const text = fitText(ctx, label.text, 56);
        const w = ctx.measureText(text).width;
        ctx.fillRect(x - w - 8, y - 6, w + 4, 12);
        ctx.fillStyle = chrome.muted;
        ctx.fillText(text, x - 5, y);
        ctx.strokeStyle = chrome.axis;
        ctx.beginPath();
        ctx.moveTo(x - 3, y);
        ctx.lineTo(x + 3, y);
        ctx.stroke();
      });
    });
  });
}
