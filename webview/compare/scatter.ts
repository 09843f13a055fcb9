// Scatter of one param (x) against one metric's latest value (y), one dot per run in its
// colour. Categorical params become an ordinal x axis.
import type { CompareRun } from '../../src/protocol/compare';
import { axisLabels, axisPosition, buildAxis } from '../../src/core/charts/axisScale';
import { chartFont, fitText, type SizedCanvas } from './canvas';
import { chromeColors, type RunStyle } from './palette';

/** Runs labelled next to their dot; past this the labels would overlap into noise. */
const MAX_LABELLED = 12;

export function drawScatter(
  target: SizedCanvas, runs: CompareRun[], styles: Map<string, RunStyle>, hidden: ReadonlySet<string>, param: string, metric: string,
): void {
  const visible = runs.filter((r) => !hidden.has(r.id));
  const xAxis = buildAxis(param, visible.map((r) => r.params[param]));
  const yAxis = buildAxis(metric, visible.map((r) => r.metrics[metric] ?? null));
  target.draw((ctx, width, height) => {
    const chrome = chromeColors();
    const left = 64;
    const right = width - 24;
    const top = 16;
    const bottom = height - 42;
    const xOf = (p: number): number => left + 28 + p * (right - left - 56);
    const yOf = (p: number): number => bottom - 10 - p * (bottom - top - 20);

    ctx.font = chartFont(10);
    ctx.lineWidth = 1;
    // Grid and tick labels.
    ctx.strokeStyle = chrome.grid;
    ctx.fillStyle = chrome.muted;
    ctx.textAlign = 'right';
    ctx.textBaseline = 'middle';
    for (const label of axisLabels(yAxis)) {
      const y = yOf(label.position);
      ctx.beginPath(); ctx.moveTo(left, y); ctx.lineTo(right, y); ctx.stroke();
      ctx.fillText(fitText(ctx, label.text, left - 10), left - 6, y);
    }
    ctx.textAlign = 'center';
    ctx.textBaseline = 'top';
    const xLabels = axisLabels(xAxis);
    const every = Math.max(1, Math.ceil(xLabels.length / Math.max(2, Math.floor((right - left) / 70))));
    xLabels.forEach((label, i) => {
      const x = xOf(label.position);
      ctx.beginPath(); ctx.moveTo(x, top); ctx.lineTo(x, bottom); ctx.stroke();
      if (i % every === 0) ctx.fillText(fitText(ctx, label.text, 68), x, bottom + 6);
    });
    ctx.strokeStyle = chrome.axis;
    ctx.beginPath(); ctx.moveTo(left, top); ctx.lineTo(left, bottom); ctx.lineTo(right, bottom); ctx.stroke();
    ctx.font = chartFont(12);
    ctx.fillStyle = chrome.text;
    ctx.fillText(param, (left + right) / 2, bottom + 22);
    ctx.save();
    ctx.translate(14, (top + bottom) / 2);
    ctx.rotate(-Math.PI / 2);
    ctx.textBaseline = 'middle';
    ctx.fillText(metric, 0, 0);
    ctx.restore();

    // Dots.
    ctx.font = chartFont(11);
    ctx.textAlign = 'left';
    ctx.textBaseline = 'middle';
    let missing = 0;
    for (const run of visible) {
      const px = axisPosition(xAxis, run.params[param]);
      const py = axisPosition(yAxis, run.metrics[metric] ?? null);
      if (px === null || py === null) { missing++; continue; }
      const style = styles.get(run.id)!;
      ctx.fillStyle = style.color;
      ctx.strokeStyle = chrome.background;
      ctx.lineWidth = 1.5;
      ctx.beginPath();
      ctx.arc(xOf(px), yOf(py), 5.5, 0, Math.PI * 2);
      ctx.fill();
      ctx.stroke();
      if (visible.length <= MAX_LABELLED) {
        // Labels of dots in the right part of the chart go to their left, so they stay inside.
        const onLeft = xOf(px) > right - 150;
        ctx.fillStyle = chrome.text;
        ctx.textAlign = onLeft ? 'right' : 'left';
        ctx.fillText(fitText(ctx, run.name, 140), xOf(px) + (onLeft ? -9 : 9), yOf(py));
      }
    }
    if (missing > 0) {
      ctx.fillStyle = chrome.muted;
      ctx.textAlign = 'right';
      ctx.textBaseline = 'top';
      ctx.fillText(`${missing} ${missing === 1 ? 'run has' : 'runs have'} no ${param} or ${metric}`, right, top);
    }
  });
}
