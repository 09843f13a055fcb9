// Axes of the parallel-coordinates and scatter charts: a param or metric becomes a numeric axis
// when every value it has is a number, else an ordinal axis of its distinct values in natural
// order (categorical params like optimizer=adam|sgd). Positions are fractions in [0, 1] so the
// canvas code only multiplies by its pixel size.
import { compareNatural, numericValue } from './paramDiff';

export type AxisValue = string | number | null | undefined;

export interface NumericAxis {
  kind: 'numeric';
  label: string;
  min: number;
  max: number;
  /** "Nice" round values between min and max for labels. */
  ticks: number[];
}

export interface CategoricalAxis {
  kind: 'categorical';
  label: string;
  /** Distinct values, bottom to top. */
  categories: string[];
}

export type Axis = NumericAxis | CategoricalAxis;

/** Builds the axis for `values` (one per run; missing values are ignored). */
export function buildAxis(label: string, values: readonly AxisValue[], tickCount = 5): Axis {
  const present = values.filter((v): v is string | number => v !== null && v !== undefined && v !== '');
  const numbers = present.map(numericValue);
  if (present.length > 0 && numbers.every((n) => n !== undefined)) {
    const nums = numbers as number[];
    let min = Math.min(...nums);
    let max = Math.max(...nums);
    if (min === max) {
      // One value: centre it on a unit-wide axis so the line does not sit on the edge.
      const pad = min === 0 ? 1 : Math.abs(min) * 0.5;
      min -= pad;
      max += pad;
    }
    return { kind: 'numeric', label, min, max, ticks: niceTicks(min, max, tickCount) };
  }
  const categories = [...new Set(present.map(String))].sort(compareNatural);
  return { kind: 'categorical', label, categories };
}

/** Where `value` sits on the axis: 0 bottom, 1 top; null when the run has no value for it. */
export function axisPosition(axis: Axis, value: AxisValue): number | null {
  if (value === null || value === undefined || value === '') return null;
  if (axis.kind === 'numeric') {
    const n = numericValue(value);
    if (n === undefined) return null;
    // Rounded so a value at the centre of a one-value axis lands on exactly 0.5.
    return clamp01(Math.round(((n - axis.min) / (axis.max - axis.min)) * 1e12) / 1e12);
  }
  const index = axis.categories.indexOf(String(value));
  if (index < 0) return null;
  return axis.categories.length === 1 ? 0.5 : index / (axis.categories.length - 1);
}

/** Labels along the axis with their positions, bottom to top. */
export function axisLabels(axis: Axis, format: (n: number) => string = formatTick): Array<{ position: number; text: string }> {
  if (axis.kind === 'numeric') {
    return axis.ticks.map((t) => ({ position: clamp01((t - axis.min) / (axis.max - axis.min)), text: format(t) }));
  }
  return axis.categories.map((c, i) => ({ position: axis.categories.length === 1 ? 0.5 : i / (axis.categories.length - 1), text: c }));
}

/** About `count` round numbers (1, 2, 5 × 10^k steps) covering [min, max]. */
export function niceTicks(min: number, max: number, count = 5): number[] {
  if (!Number.isFinite(min) || !Number.isFinite(max) || max <= min || count < 2) return [min];
  const rough = (max - min) / count;
  const magnitude = Math.pow(10, Math.floor(Math.log10(rough)));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((s) => s >= rough) ?? 10 * magnitude;
  const first = Math.ceil(min / step) * step;
  const ticks: number[] = [];
  for (let t = first; t <= max + step * 1e-9; t += step) ticks.push(Number(t.toPrecision(12)));
  return ticks;
}

export function formatTick(n: number): string {
  if (n === 0) return '0';
  const abs = Math.abs(n);
  if (abs >= 1e5 || abs < 1e-3) return n.toExponential(1);
  return String(Number(n.toPrecision(4)));
}

function clamp01(v: number): number {
  return v < 0 ? 0 : v > 1 ? 1 : v;
}
