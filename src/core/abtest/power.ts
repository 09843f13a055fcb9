// Power analysis: how many users each variant needs before a test can detect the effect we care
// about. Same definitions as statsmodels (TTestIndPower, NormalIndPower, proportion_effectsize), so
// the numbers match what a data scientist gets in a notebook; tests check them to 1e-6.
import { noncentralTCdf, noncentralTSf, normalCdf, normalIsf, normalPpf, normalSf, studentTIsf, studentTPpf } from './distributions';
import { rootIncreasingFrom } from './rootFinding';

export type Alternative = 'two-sided' | 'larger' | 'smaller';
export const ALTERNATIVES: readonly Alternative[] = ['two-sided', 'larger', 'smaller'];

export interface PowerInputs {
  /** Standardized effect: Cohen's d (difference of means / standard deviation), or Cohen's h for proportions. */
  effect: number;
  /** Significance level: the false-positive rate accepted (e.g. 0.05). */
  alpha: number;
  /** Wanted probability of detecting the effect when it is real (e.g. 0.8). */
  power: number;
  /** nobs2 / nobs1 (default 1: equal groups). */
  ratio?: number;
  alternative?: Alternative;
}

/**
 * Power of the two-sample t-test (statsmodels `ttest_power` via `TTestIndPower.power`): the
 * statistic follows a noncentral t with df = n1 + n2 - 2 and noncentrality d·√(n1·n2/(n1+n2)).
 * Two-sided power adds both rejection tails, each at alpha/2.
 */
export function tTestIndPower(effect: number, nobs1: number, alpha: number, ratio = 1, alternative: Alternative = 'two-sided'): number {
  const nobs2 = nobs1 * ratio;
  const df = nobs1 + nobs2 - 2;
  const nobs = 1 / (1 / nobs1 + 1 / nobs2);
  const nc = effect * Math.sqrt(nobs);
  const tailAlpha = alternative === 'two-sided' ? alpha / 2 : alpha;
  let power = 0;
  if (alternative !== 'smaller') power = noncentralTSf(studentTIsf(tailAlpha, df), df, nc);
  if (alternative !== 'larger') power += noncentralTCdf(studentTPpf(tailAlpha, df), df, nc);
  return power;
}

/** Power of the two-sample z-test (statsmodels `NormalIndPower.power`, `normal_power`). */
export function normalIndPower(effect: number, nobs1: number, alpha: number, ratio = 1, alternative: Alternative = 'two-sided'): number {
  const nobs = ratio > 0 ? 1 / (1 / nobs1 + 1 / (nobs1 * ratio)) : nobs1;
  const shift = effect * Math.sqrt(nobs);
  const tailAlpha = alternative === 'two-sided' ? alpha / 2 : alpha;
  let power = 0;
  if (alternative !== 'smaller') power = normalSf(normalIsf(tailAlpha) - shift);
  if (alternative !== 'larger') power += normalCdf(normalPpf(tailAlpha) - shift);
  return power;
}

/** Cohen's h for two proportions, as statsmodels `proportion_effectsize(p1, p2)`: 2·asin(√p1) - 2·asin(√p2). */
export function proportionEffectSize(p1: number, p2: number): number {
  for (const [name, p] of [['p1', p1], ['p2', p2]] as const) {
    if (!(p >= 0 && p <= 1)) throw new RangeError(`${name} must be a proportion between 0 and 1, got ${p}`);
  }
  return 2 * Math.asin(Math.sqrt(p1)) - 2 * Math.asin(Math.sqrt(p2));
}

export function validatePowerInputs(inputs: PowerInputs): string | undefined {
  const { effect, alpha, power } = inputs;
  const ratio = inputs.ratio ?? 1;
  const alternative = inputs.alternative ?? 'two-sided';
  if (!Number.isFinite(effect) || effect === 0) return `effect must be a non-zero number, got ${effect}`;
  if (!(alpha > 0 && alpha < 1)) return `alpha must be between 0 and 1 (e.g. 0.05), got ${alpha}`;
  if (!(power > 0 && power < 1)) return `power must be between 0 and 1 (e.g. 0.8), got ${power}`;
  if (!(ratio > 0 && Number.isFinite(ratio))) return `ratio (nobs2/nobs1) must be a positive number, got ${ratio}`;
  if (!ALTERNATIVES.includes(alternative)) return `alternative must be one of ${ALTERNATIVES.join(', ')}, got ${alternative}`;
  if (alternative === 'larger' && effect < 0) return `a 'larger' test cannot detect a negative effect (${effect}); use 'smaller' or 'two-sided'`;
  if (alternative === 'smaller' && effect > 0) return `a 'smaller' test cannot detect a positive effect (${effect}); use 'larger' or 'two-sided'`;
  if (power <= alpha) return `power (${power}) must exceed alpha (${alpha}): any sample size reaches a power of alpha`;
  return undefined;
}

/**
 * Minimum nobs1 (users in the first group; the second gets ratio × nobs1) so the test reaches the
 * wanted power. Fractional like statsmodels' answer: round up for a headcount. The root is solved
 * to ~1e-12, tighter than statsmodels' brentq (xtol 1e-5), so the two agree to well under 1e-6.
 */
export function solveSampleSize(inputs: PowerInputs, kind: 't' | 'normal' = 't'): number {
  const problem = validatePowerInputs(inputs);
  if (problem) throw new RangeError(problem);
  const ratio = inputs.ratio ?? 1;
  const alternative = inputs.alternative ?? 'two-sided';
  const powerOf = kind === 't' ? tTestIndPower : normalIndPower;
  const gap = (n: number) => powerOf(inputs.effect, n, inputs.alpha, ratio, alternative) - inputs.power;
  // The t-test needs df = nobs1·(1 + ratio) - 2 > 0; like statsmodels, search from nobs1 = 2.
  const low = kind === 't' ? 2 : 1e-9;
  const guess = Math.max(2 * low, normalApproximation(inputs));
  if (kind === 't' && gap(low) > 0) {
    throw new RangeError(`with effect ${inputs.effect} even 2 users per group reach power ${inputs.power}; the effect is too large for a t-test sample size`);
  }
  return rootIncreasingFrom(gap, low, guess, 1e13, { xtol: 1e-11, rtol: 1e-15 });
}

/** Closed-form z approximation, used as the first upper bracket. */
function normalApproximation(inputs: PowerInputs): number {
  const ratio = inputs.ratio ?? 1;
  const tailAlpha = (inputs.alternative ?? 'two-sided') === 'two-sided' ? inputs.alpha / 2 : inputs.alpha;
  const z = normalIsf(tailAlpha) + normalIsf(1 - inputs.power);
  return (z / inputs.effect) ** 2 * (1 + 1 / ratio) * 1.05 + 4;
}

export interface SampleSizeResult {
  kind: 't-test' | 'proportions';
  effect: number;
  alpha: number;
  power: number;
  ratio: number;
  alternative: Alternative;
  /** Exact solution (fractional), as statsmodels' solve_power returns it. */
  nobs1: number;
  nobs2: number;
  /** Whole users needed: ceil of the above. */
  perGroup: [number, number];
  total: number;
  /** For proportions: the rates compared. */
  proportions?: [number, number];
}

export function sampleSizeTTest(inputs: PowerInputs): SampleSizeResult {
  return describe('t-test', inputs, solveSampleSize(inputs, 't'));
}

/** Sample size to tell conversion rate p1 from p2 (z-test on Cohen's h, as statsmodels NormalIndPower). */
export function sampleSizeProportions(p1: number, p2: number, inputs: Omit<PowerInputs, 'effect'>): SampleSizeResult {
  if (p1 === p2) throw new RangeError(`the two proportions are equal (${p1}); there is no difference to detect`);
  const effect = proportionEffectSize(p1, p2);
  const full = { ...inputs, effect };
  return { ...describe('proportions', full, solveSampleSize(full, 'normal')), proportions: [p1, p2] };
}

function describe(kind: SampleSizeResult['kind'], inputs: PowerInputs, nobs1: number): SampleSizeResult {
  const ratio = inputs.ratio ?? 1;
  const nobs2 = nobs1 * ratio;
  // Guard against ceil(6280.0000000001) style noise: a hair above a whole number still rounds up.
  const perGroup: [number, number] = [Math.ceil(nobs1 - 1e-9), Math.ceil(nobs2 - 1e-9)];
  return {
    kind, effect: inputs.effect, alpha: inputs.alpha, power: inputs.power, ratio,
    alternative: inputs.alternative ?? 'two-sided', nobs1, nobs2, perGroup, total: perGroup[0] + perGroup[1],
  };
}

export interface DurationInputs {
  /** Users (or requests) each variant must collect, e.g. SampleSizeResult.perGroup. */
  required: number[];
  /** Traffic weights of the variants (any positive scale, e.g. [50, 50] or [0.9, 0.1]). */
  weights: number[];
  /** Eligible users (or requests) per unit of time over all variants, e.g. users/day. */
  rate: number;
}

export interface DurationResult {
  /** Time units until every variant has its sample: the slowest variant decides. */
  duration: number;
  perVariant: number[];
  slowest: number;
}

/** How long the experiment must run at the current traffic to collect the required samples. */
export function expectedDuration(inputs: DurationInputs): DurationResult {
  const { required, weights, rate } = inputs;
  if (required.length !== weights.length) throw new RangeError(`${required.length} sample sizes for ${weights.length} weights; give one per variant`);
  if (!(rate > 0)) throw new RangeError(`traffic rate must be positive, got ${rate}`);
  const total = weights.reduce((a, b) => a + b, 0);
  if (weights.some((w) => !(w > 0)) || !(total > 0)) throw new RangeError(`weights must be positive, got ${weights.join(', ')}`);
  const perVariant = required.map((n, i) => n / (rate * (weights[i] / total)));
  let slowest = 0;
  perVariant.forEach((d, i) => { if (d > perVariant[slowest]) slowest = i; });
  return { duration: perVariant[slowest], perVariant, slowest };
}
