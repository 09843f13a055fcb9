// Group-sequential boundaries: the honest way to look at an A/B test more than once.
//
// Each look at the data is another chance of a false positive; testing at p < 0.05 on every look
// lets the overall false-positive rate climb far above 5 %. Lan & DeMets (1983) fix this by
// "spending" the total alpha over the information fraction t (share of the planned sample seen):
//   O'Brien–Fleming type: α(t) = 2 - 2·Φ(z_{1-α/2} / √t)     (spends almost nothing early)
//   Pocock type:          α(t) = α · ln(1 + (e - 1)·t)          (spends evenly)
// For a two-sided test each side spends α/2 with the same function (so a two-sided 0.05 design has
// exactly the boundaries of a one-sided 0.025 design, mirrored).
// At look k the boundary c_k is chosen so that P(cross at look k, not before | H0) = α(t_k) - α(t_{k-1}).
// That probability depends on the earlier boundaries, so c_k is found by recursive numerical
// integration (Armitage, McPherson & Rowe 1969): on the score scale S_k = Z_k·√t_k the increments
// are independent N(0, t_k - t_{k-1}) under H0, so the density of S_k on the continuation region is
// the previous density convolved with a normal kernel. We integrate with Simpson's rule on a fine
// grid (accurate to ~1e-7 in alpha; tests check known published boundaries and a direct multivariate
// normal computation by scipy).
import { normalCdf, normalIsf, normalPdf, normalSf } from './distributions';
import { brentRoot } from './rootFinding';

export type SpendingFunction = 'obrien-fleming' | 'pocock';

export interface SequentialOptions {
  /** Total false-positive rate over all looks (e.g. 0.05). */
  alpha: number;
  /** 2: reject on either side (|Z| ≥ c); 1: only when Z ≥ c (Z oriented so larger is better). */
  sides?: 1 | 2;
  spending?: SpendingFunction;
  /** Simpson grid points per look (odd); more is slower and more exact. */
  gridPoints?: number;
}

export interface Look {
  /** Information fraction in (0, 1]: observations so far / planned observations. */
  fraction: number;
  /** α(t): alpha spent up to and including this look (both sides together for a two-sided design). */
  cumulativeAlpha: number;
  /** α(t_k) - α(t_{k-1}): alpha this look may use. */
  alphaAtLook: number;
  /** Reject H0 at this look when |Z| ≥ z (two-sided) or Z ≥ z (one-sided). */
  z: number;
  /** The same boundary as a nominal p-value: reject when the per-look p-value is below it. */
  nominalP: number;
}

/** Alpha spent by information fraction t. */
export function spentAlpha(t: number, alpha: number, spending: SpendingFunction = 'obrien-fleming'): number {
  if (t <= 0) return 0;
  const tt = Math.min(1, t);
  if (spending === 'pocock') return alpha * Math.log(1 + (Math.E - 1) * tt);
  return 2 * normalSf(normalIsf(alpha / 2) / Math.sqrt(tt));
}

/** Boundaries for looks at increasing information fractions (the last usually 1). */
export function sequentialBoundaries(fractions: readonly number[], options: SequentialOptions): Look[] {
  const { alpha } = options;
  const sides = options.sides ?? 2;
  const spending = options.spending ?? 'obrien-fleming';
  // 601 points: the boundaries agree with a direct multivariate-normal solution to < 1e-6 (301 already does).
  const n = Math.max(101, (options.gridPoints ?? 601) | 1);
  if (!(alpha > 0 && alpha < 1)) throw new RangeError(`alpha must be between 0 and 1, got ${alpha}`);
  if (!fractions.length) throw new RangeError('give at least one look (information fraction in (0, 1])');
  fractions.forEach((t, i) => {
    if (!(t > 0 && t <= 1)) throw new RangeError(`look ${i + 1}: information fraction must be in (0, 1], got ${t}`);
    if (i > 0 && !(t > fractions[i - 1])) throw new RangeError(`look ${i + 1}: fractions must increase (${fractions[i - 1]} then ${t})`);
  });

  const looks: Look[] = [];
  // Density of S on the previous look's continuation region, on a uniform grid with Simpson weights.
  let grid: number[] = [];
  let density: number[] = [];
  let weights: number[] = [];
  let previousT = 0;
  let previousAlpha = 0;
  for (const t of fractions) {
    // Two-sided designs spend alpha/2 on each side (the convention of Lan–DeMets monitoring,
    // ldbounds, gsDesign and rpact): a two-sided 0.05 design has the one-sided 0.025 boundaries.
    const cumulativeAlpha = sides * spentAlpha(t, alpha / sides, spending);
    const alphaAtLook = Math.max(0, cumulativeAlpha - previousAlpha);
    let z: number;
    if (looks.length === 0) {
      z = normalIsf(alphaAtLook / sides);
    } else {
      const sd = Math.sqrt(t - previousT);
      const exit = (c: number): number => {
        const upper = c * Math.sqrt(t);
        let p = 0;
        for (let i = 0; i < grid.length; i++) {
          let tail = normalSf((upper - grid[i]) / sd);
          if (sides === 2) tail += normalCdf((-upper - grid[i]) / sd);
          p += weights[i] * density[i] * tail;
        }
        return p;
      };
      // No alpha left to spend (or none worth a boundary): the look cannot reject.
      z = alphaAtLook <= 1e-15 ? Infinity : brentRoot((c) => exit(c) - alphaAtLook, 0, 40, { xtol: 1e-10 });
    }
    looks.push({ fraction: t, cumulativeAlpha, alphaAtLook, z, nominalP: Number.isFinite(z) ? sides * normalSf(z) : 0 });

    // Continuation region of this look on the S scale; below a one-sided boundary, 10 sd of mass is plenty.
    const upper = Number.isFinite(z) ? z * Math.sqrt(t) : 12 * Math.sqrt(t);
    const lower = sides === 2 ? -upper : -12 * Math.sqrt(t);
    const h = (upper - lower) / (n - 1);
    const nextGrid = Array.from({ length: n }, (_, j) => lower + j * h);
    const nextWeights = nextGrid.map((_, j) => (h / 3) * (j === 0 || j === n - 1 ? 1 : j % 2 === 1 ? 4 : 2));
    let nextDensity: number[];
    if (looks.length === 1) {
      const sd = Math.sqrt(t);
      nextDensity = nextGrid.map((s) => normalPdf(s / sd) / sd);
    } else {
      const sd = Math.sqrt(t - previousT);
      nextDensity = nextGrid.map((s) => {
        let f = 0;
        for (let i = 0; i < grid.length; i++) f += weights[i] * density[i] * normalPdf((s - grid[i]) / sd);
        return f / sd;
      });
    }
    grid = nextGrid;
    weights = nextWeights;
    density = nextDensity;
    previousT = t;
    previousAlpha = cumulativeAlpha;
  }
  return looks;
}

export interface SequentialDecision {
  /** 'reject': the boundary is crossed, stop and declare a difference; 'continue': keep collecting. */
  decision: 'reject' | 'continue';
  look: Look;
  message: string;
}

/** Reads the z statistic at one of the planned looks against its boundary. */
export function sequentialDecision(z: number, look: Look, sides: 1 | 2 = 2): SequentialDecision {
  const crossed = sides === 2 ? Math.abs(z) >= look.z : z >= look.z;
  const at = `${(look.fraction * 100).toFixed(0)} % of the planned sample`;
  const shown = sides === 2 ? `|z| = ${Math.abs(z).toFixed(3)}` : `z = ${z.toFixed(3)}`;
  return crossed
    ? { decision: 'reject', look, message: `boundary crossed at ${at}: ${shown} ≥ ${look.z.toFixed(3)}; stop and declare a difference` }
    : { decision: 'continue', look, message: `not significant yet at ${at}: z = ${z.toFixed(3)}, boundary ${look.z.toFixed(3)}; keep collecting` };
}
