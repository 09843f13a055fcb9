// Hypothesis tests for A/B results: Welch's t-test for a KPI mean (e.g. revenue per user) and the
// two-proportion z-test for a rate (e.g. conversion), each with a p-value and a confidence interval
// for the difference first - second (statsmodels' order; pass the variant first, control second to
// read "B - A"). Works from summary statistics (n, mean, sample variance) because the dashboard
// keeps running sums. This module is the entry point: it re-exports power analysis and sequential
// boundaries.
// Definitions follow statsmodels (weightstats.ttest_ind(usevar='unequal'), CompareMeans.tconfint_diff,
// proportion.proportions_ztest, confint_proportions_2indep(method='wald')).
import { normalCdf, normalIsf, normalSf, studentTCdf, studentTIsf, studentTPpf, studentTSf } from './distributions';
import type { Alternative } from './power';

export type { Alternative } from './power';
export * from './power';
export * from './sequential';
export { normalCdf, normalPpf, normalSf, normalIsf, studentTCdf, studentTSf, studentTPpf, studentTIsf, noncentralTCdf, noncentralTSf } from './distributions';

/** Summary of one group: count, mean and the sample variance (ddof = 1). */
export interface GroupSummary {
  n: number;
  mean: number;
  variance: number;
}

export interface TestResult {
  /** The test statistic (t or z). */
  statistic: number;
  pValue: number;
  /** mean1 - mean2 (or p1 - p2). */
  difference: number;
  /** Confidence interval for the difference at 1 - alpha; one-sided alternatives give an infinite end. */
  ci: [number, number];
  alpha: number;
  alternative: Alternative;
}

export interface WelchResult extends TestResult {
  df: number;
  standardError: number;
}

/** n, mean and sample variance (ddof = 1) of raw values; two-pass for accuracy. */
export function summarize(values: readonly number[]): GroupSummary {
  const n = values.length;
  if (n === 0) return { n: 0, mean: NaN, variance: NaN };
  let sum = 0;
  for (const v of values) sum += v;
  const mean = sum / n;
  let ss = 0;
  let comp = 0;
  for (const v of values) { ss += (v - mean) ** 2; comp += v - mean; }
  return { n, mean, variance: n > 1 ? (ss - (comp * comp) / n) / (n - 1) : NaN };
}

/**
 * Summary from running sums (count, Σx, Σx²) as the router keeps them. Less exact than two passes
 * when the mean is large against the spread; fine for KPIs, and the only option for a live stream.
 */
export function summaryFromSums(n: number, sum: number, sumSquares: number): GroupSummary {
  const mean = n > 0 ? sum / n : NaN;
  const variance = n > 1 ? Math.max(0, (sumSquares - (sum * sum) / n) / (n - 1)) : NaN;
  return { n, mean, variance };
}

function checkAlpha(alpha: number): void {
  if (!(alpha > 0 && alpha < 1)) throw new RangeError(`alpha must be between 0 and 1 (e.g. 0.05), got ${alpha}`);
}

function pValueFromT(t: number, df: number, alternative: Alternative): number {
  if (alternative === 'larger') return studentTSf(t, df);
  if (alternative === 'smaller') return studentTCdf(t, df);
  return 2 * studentTSf(Math.abs(t), df);
}

function pValueFromZ(z: number, alternative: Alternative): number {
  if (alternative === 'larger') return normalSf(z);
  if (alternative === 'smaller') return normalCdf(z);
  return 2 * normalSf(Math.abs(z));
}

/**
 * Welch's unequal-variance t-test of mean1 - mean2 = 0 with Welch–Satterthwaite degrees of
 * freedom and the t confidence interval for the difference (statsmodels tconfint_diff(usevar='unequal')).
 */
export function welchTTest(a: GroupSummary, b: GroupSummary, alpha = 0.05, alternative: Alternative = 'two-sided'): WelchResult {
  checkAlpha(alpha);
  for (const [name, g] of [['first', a], ['second', b]] as const) {
    if (!(g.n >= 2)) throw new RangeError(`the ${name} group needs at least 2 observations for a variance, got ${g.n}`);
    if (!(g.variance >= 0) || !Number.isFinite(g.mean)) throw new RangeError(`the ${name} group has an invalid mean/variance (${g.mean}, ${g.variance})`);
  }
  const se1 = a.variance / a.n;
  const se2 = b.variance / b.n;
  const standardError = Math.sqrt(se1 + se2);
  const df = (se1 + se2) ** 2 / (se1 ** 2 / (a.n - 1) + se2 ** 2 / (b.n - 1));
  const difference = a.mean - b.mean;
  const statistic = difference / standardError;
  let ci: [number, number];
  if (alternative === 'two-sided') {
    const crit = studentTIsf(alpha / 2, df);
    ci = [difference - crit * standardError, difference + crit * standardError];
  } else if (alternative === 'larger') {
    ci = [difference + studentTPpf(alpha, df) * standardError, Infinity];
  } else {
    ci = [-Infinity, difference + studentTIsf(alpha, df) * standardError];
  }
  return { statistic, pValue: pValueFromT(statistic, df, alternative), difference, ci, alpha, alternative, df, standardError };
}

/** Welch's test on raw values. */
export function welchTTestRaw(a: readonly number[], b: readonly number[], alpha = 0.05, alternative: Alternative = 'two-sided'): WelchResult {
  return welchTTest(summarize(a), summarize(b), alpha, alternative);
}

/** Successes out of trials for one group. */
export interface ProportionCounts {
  successes: number;
  n: number;
}

export interface ProportionsResult extends TestResult {
  proportions: [number, number];
  pooled: number;
}

/**
 * Two-proportion z-test with the pooled variance under H0 (statsmodels proportions_ztest) and the
 * Wald (unpooled) interval for p1 - p2 (confint_proportions_2indep(method='wald'), always two-sided).
 */
export function proportionsZTest(a: ProportionCounts, b: ProportionCounts, alpha = 0.05, alternative: Alternative = 'two-sided'): ProportionsResult {
  checkAlpha(alpha);
  for (const [name, g] of [['first', a], ['second', b]] as const) {
    if (!(g.n > 0) || !(g.successes >= 0) || g.successes > g.n) {
      throw new RangeError(`the ${name} group needs 0 ≤ successes ≤ n and n > 0, got ${g.successes} of ${g.n}`);
    }
  }
  const p1 = a.successes / a.n;
  const p2 = b.successes / b.n;
  const pooled = (a.successes + b.successes) / (a.n + b.n);
  const difference = p1 - p2;
  const se0 = Math.sqrt(pooled * (1 - pooled) * (1 / a.n + 1 / b.n));
  // All successes or none: no variance under H0, the statistic is undefined (statsmodels gives nan).
  const statistic = se0 > 0 ? difference / se0 : NaN;
  const pValue = se0 > 0 ? pValueFromZ(statistic, alternative) : NaN;
  const half = normalIsf(alpha / 2) * Math.sqrt((p1 * (1 - p1)) / a.n + (p2 * (1 - p2)) / b.n);
  return {
    statistic, pValue, difference, ci: [difference - half, difference + half], alpha, alternative,
    proportions: [p1, p2], pooled,
  };
}

export type VerdictStatus = 'collecting' | 'significant' | 'not-significant';

export interface Verdict {
  status: VerdictStatus;
  /** Plain-words summary for the dashboard and the CLI. */
  message: string;
  progress: number;
}

/**
 * Fixed-horizon reading of a result: before both groups reach the planned sample size the answer is
 * "not significant yet", whatever the p-value, because stopping at the first p < alpha inflates
 * false positives (see README "A/B statistics"). At the horizon, compare p with alpha once.
 */
export function fixedHorizonVerdict(observed: [number, number], planned: [number, number], pValue: number, alpha: number): Verdict {
  const progress = Math.min(1, observed[0] / planned[0], observed[1] / planned[1]);
  const seen = Math.min(observed[0], observed[1]);
  const needed = Math.max(planned[0], planned[1]);
  if (progress < 1) {
    return { status: 'collecting', progress, message: `not significant yet — ${seen} of ${needed} per group collected (${(progress * 100).toFixed(1)} %); decide at the planned sample size` };
  }
  if (pValue < alpha) return { status: 'significant', progress, message: `significant at alpha ${alpha} (p = ${formatP(pValue)})` };
  return { status: 'not-significant', progress, message: `no significant difference at alpha ${alpha} (p = ${formatP(pValue)})` };
}

export function formatP(p: number): string {
  if (Number.isNaN(p)) return 'n/a';
  return p < 1e-4 ? p.toExponential(2) : p.toFixed(4);
}
