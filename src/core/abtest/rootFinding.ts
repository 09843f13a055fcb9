// Brent's method (inverse quadratic interpolation with bisection fallback) for a bracketed root,
// plus bracket expansion for monotone functions whose upper end is unknown (sample sizes).

export interface BrentOptions {
  /** Absolute tolerance on x (default 1e-12). */
  xtol?: number;
  /** Relative tolerance on x (default 4 × machine epsilon). */
  rtol?: number;
  maxIterations?: number;
}

/** A root of f in [a, b]; f(a) and f(b) must have opposite signs (or one be zero). */
export function brentRoot(f: (x: number) => number, a: number, b: number, options: BrentOptions = {}): number {
  const xtol = options.xtol ?? 1e-12;
  const rtol = options.rtol ?? 4 * Number.EPSILON;
  const maxIterations = options.maxIterations ?? 500;
  let fa = f(a);
  let fb = f(b);
  if (fa === 0) return a;
  if (fb === 0) return b;
  if (Number.isNaN(fa) || Number.isNaN(fb) || Math.sign(fa) === Math.sign(fb)) {
    throw new RangeError(`root not bracketed: f(${a}) = ${fa}, f(${b}) = ${fb}`);
  }
  let c = a;
  let fc = fa;
  let d = b - a;
  let e = d;
  for (let i = 0; i < maxIterations; i++) {
    if (Math.sign(fb) === Math.sign(fc)) { c = a; fc = fa; d = b - a; e = d; }
    if (Math.abs(fc) < Math.abs(fb)) { a = b; b = c; c = a; fa = fb; fb = fc; fc = fa; }
    const tol = 2 * rtol * Math.abs(b) + 0.5 * xtol;
    const m = 0.5 * (c - b);
    if (Math.abs(m) <= tol || fb === 0) return b;
    if (Math.abs(e) >= tol && Math.abs(fa) > Math.abs(fb)) {
      // Interpolate: secant when only two points are distinct, inverse quadratic otherwise.
      const s = fb / fa;
      let p: number;
      let q: number;
      if (a === c) {
        p = 2 * m * s;
        q = 1 - s;
      } else {
        const qq = fa / fc;
        const r = fb / fc;
        p = s * (2 * m * qq * (qq - r) - (b - a) * (r - 1));
        q = (qq - 1) * (r - 1) * (s - 1);
      }
      if (p > 0) q = -q; else p = -p;
      if (2 * p < Math.min(3 * m * q - Math.abs(tol * q), Math.abs(e * q))) {
        e = d;
        d = p / q;
      } else {
        d = m; e = m;
      }
    } else {
      d = m; e = m;
    }
    a = b;
    fa = fb;
    b += Math.abs(d) > tol ? d : (m > 0 ? tol : -tol);
    fb = f(b);
  }
  throw new Error(`root finding did not converge in ${maxIterations} iterations (last x = ${b})`);
}

/**
 * Root of an increasing f on [low, ∞): doubles the upper end until f changes sign, then Brent.
 * Throws when f never reaches zero below `limit`.
 */
export function rootIncreasingFrom(f: (x: number) => number, low: number, startHigh: number, limit = 1e15, options?: BrentOptions): number {
  let lo = low;
  let hi = startHigh;
  if (f(lo) > 0) throw new RangeError(`no root above ${low}: the target is already met at ${low}`);
  while (f(hi) < 0) {
    lo = hi;
    hi *= 2;
    if (hi > limit) throw new RangeError(`no root below ${limit}: the target is never met`);
  }
  return brentRoot(f, lo, hi, options);
}
