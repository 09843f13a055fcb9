// Probability distributions the A/B statistics need: standard normal, Student t and noncentral t.
// Pure TypeScript, double precision. Accuracy matters here: sample sizes are checked against
// statsmodels to 1e-6 relative, which needs the power function right to ~1e-9, so tails are
// computed directly (never as 1 - cdf near 1) and special functions use series/continued fractions
// that converge to machine precision rather than short polynomial approximations.

const SQRT2 = Math.SQRT2;
const SQRT_PI = Math.sqrt(Math.PI);
const LOG_SQRT_PI = Math.log(SQRT_PI);
const EPS = 1e-16;
const TINY = 1e-300;

// ---------------------------------------------------------------------------------------------
// Gamma and beta functions

const LANCZOS_G = 7;
const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
  -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6,
  1.5056327351493116e-7,
];

/** log Γ(x) for x > 0 (Lanczos, g = 7; ~1e-15 relative). Reflection below 0.5. */
export function logGamma(x: number): number {
  if (!(x > 0)) throw new RangeError(`logGamma needs x > 0, got ${x}`);
  if (x === 0.5) return LOG_SQRT_PI;
  if (x === 1 || x === 2) return 0;
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const z = x - 1;
  let sum = LANCZOS[0];
  for (let i = 1; i < LANCZOS.length; i++) sum += LANCZOS[i] / (z + i);
  const t = z + LANCZOS_G + 0.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(sum);
}

/**
 * log Γ(a) - log Γ(a + b) without subtracting two huge numbers: for a ≥ 10 Stirling's series gives
 * -b·ln a - (a + b - ½)·log1p(b/a) + b + δ(a) - δ(a + b) with δ the small Stirling correction.
 * Matters for t tails with large df (log Γ(125000) ≈ 1.3e6 would leave only ~1e-10 absolute).
 */
export function logGammaDifference(a: number, b: number): number {
  if (a < 10) return logGamma(a) - logGamma(a + b);
  return -b * Math.log(a) - (a + b - 0.5) * Math.log1p(b / a) + b + stirlingCorrection(a) - stirlingCorrection(a + b);
}

/** δ(x) = log Γ(x) - [(x - ½)·ln x - x + ½·ln 2π], for x ≥ 10 (error < 1e-17). */
function stirlingCorrection(x: number): number {
  const x2 = 1 / (x * x);
  return (1 / x) * (1 / 12 - x2 * (1 / 360 - x2 * (1 / 1260 - x2 * (1 / 1680 - x2 / 1188))));
}

/** log B(a, b), with the large argument handled by logGammaDifference. */
export function logBeta(a: number, b: number): number {
  const big = Math.max(a, b);
  const small = Math.min(a, b);
  return logGamma(small) + logGammaDifference(big, small);
}

/**
 * Regularized incomplete beta I_x(a, b). `y` is 1 - x when the caller knows it more exactly than
 * 1 - x would compute it (t tails: x = df/(df+t²), y = t²/(df+t²)). Lentz's continued fraction on
 * the side where it converges fast.
 */
export function incompleteBeta(x: number, a: number, b: number, y: number = 1 - x): number {
  if (!(a > 0) || !(b > 0)) throw new RangeError(`incompleteBeta needs a, b > 0, got a=${a}, b=${b}`);
  if (x <= 0) return 0;
  if (y <= 0) return 1;
  if (x > (a + 1) / (a + b + 2)) return 1 - incompleteBeta(y, b, a, x);
  const logFront = a * Math.log(x) + b * Math.log(y) - logBeta(a, b);
  return Math.exp(logFront) * betaContinuedFraction(x, a, b) / a;
}

function betaContinuedFraction(x: number, a: number, b: number): number {
  const qab = a + b;
  const qap = a + 1;
  const qam = a - 1;
  let c = 1;
  let d = 1 - (qab * x) / qap;
  if (Math.abs(d) < TINY) d = TINY;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 100000; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((qam + m2) * (a + m2));
    d = 1 + aa * d; if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c; if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (qab + m) * x) / ((a + m2) * (qap + m2));
    d = 1 + aa * d; if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c; if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < EPS) return h;
  }
  throw new Error(`incomplete beta continued fraction did not converge (x=${x}, a=${a}, b=${b})`);
}

// ---------------------------------------------------------------------------------------------
// Standard normal

/** erfc(x) to ~1e-15 relative: a positive-term series for |x| < 3, a continued fraction beyond. */
export function erfc(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x < 0) return 2 - erfc(-x);
  if (x < 3) return 1 - erfSeries(x);
  if (x > 27) return 0;
  // erfc(x) = exp(-x²)/√π · 1/(x + 1/2/(x + 1/(x + 3/2/(x + ...)))), evaluated by Lentz.
  let f = x;
  let c = x;
  let d = 0;
  for (let n = 1; n < 5000; n++) {
    const an = n / 2;
    d = x + an * d; if (Math.abs(d) < TINY) d = TINY;
    c = x + an / c; if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < EPS) break;
  }
  return Math.exp(-x * x) / SQRT_PI / f;
}

/** erf(x) = 2/√π · e^{-x²} · Σ 2ⁿ x^{2n+1} / (1·3·…·(2n+1)): all terms positive, no cancellation. */
function erfSeries(x: number): number {
  const x2 = x * x;
  let term = x;
  let sum = x;
  for (let n = 1; n < 500; n++) {
    term *= (2 * x2) / (2 * n + 1);
    sum += term;
    if (term < sum * EPS) break;
  }
  return (2 / SQRT_PI) * Math.exp(-x2) * sum;
}

export function normalPdf(x: number): number {
  return Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI);
}

/** Φ(x), accurate in the lower tail. */
export function normalCdf(x: number): number {
  return 0.5 * erfc(-x / SQRT2);
}

/** 1 - Φ(x), accurate in the upper tail. */
export function normalSf(x: number): number {
  return 0.5 * erfc(x / SQRT2);
}

// Acklam's rational approximation (relative error ~1e-9), then Halley steps on the exact tail.
const ACK_A = [-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02, 1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00];
const ACK_B = [-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02, 6.680131188771972e+01, -1.328068155288572e+01];
const ACK_C = [-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00, -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00];
const ACK_D = [7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00];

/** Φ⁻¹(p) for 0 < p < 1 (full double precision after refinement). */
export function normalPpf(p: number): number {
  if (Number.isNaN(p) || p < 0 || p > 1) return NaN;
  if (p === 0) return -Infinity;
  if (p === 1) return Infinity;
  if (p > 0.5) return -normalIsfLower(1 - p);
  return normalIsfLower(p);
}

/** Φ⁻¹(1 - q) computed from q directly (keeps precision for tiny q). */
export function normalIsf(q: number): number {
  if (Number.isNaN(q) || q < 0 || q > 1) return NaN;
  if (q === 0) return Infinity;
  if (q === 1) return -Infinity;
  if (q > 0.5) return normalIsfLower(1 - q);
  return -normalIsfLower(q);
}

/** x with Φ(x) = p for p ≤ 0.5. */
function normalIsfLower(p: number): number {
  let x: number;
  if (p < 0.02425) {
    const q = Math.sqrt(-2 * Math.log(p));
    x = (((((ACK_C[0] * q + ACK_C[1]) * q + ACK_C[2]) * q + ACK_C[3]) * q + ACK_C[4]) * q + ACK_C[5]) /
      ((((ACK_D[0] * q + ACK_D[1]) * q + ACK_D[2]) * q + ACK_D[3]) * q + 1);
  } else {
    const q = p - 0.5;
    const r = q * q;
    x = (((((ACK_A[0] * r + ACK_A[1]) * r + ACK_A[2]) * r + ACK_A[3]) * r + ACK_A[4]) * r + ACK_A[5]) * q /
      (((((ACK_B[0] * r + ACK_B[1]) * r + ACK_B[2]) * r + ACK_B[3]) * r + ACK_B[4]) * r + 1);
  }
  for (let i = 0; i < 3; i++) {
    const e = normalCdf(x) - p;
    const u = e / normalPdf(x);
    const step = u / (1 + (x * u) / 2);
    x -= step;
    if (Math.abs(step) <= 1e-16 * Math.max(1, Math.abs(x))) break;
  }
  return x;
}

// ---------------------------------------------------------------------------------------------
// Student t

/** P(T > t) for T ~ t(df), accurate in the upper tail. df may be fractional (Welch). */
export function studentTSf(t: number, df: number): number {
  if (!(df > 0)) return NaN;
  if (Number.isNaN(t)) return NaN;
  if (t === Infinity) return 0;
  if (t === -Infinity) return 1;
  if (df === Infinity) return normalSf(t);
  const t2 = t * t;
  const tail = 0.5 * incompleteBeta(df / (df + t2), df / 2, 0.5, t2 / (df + t2));
  return t > 0 ? tail : 1 - tail;
}

/** P(T ≤ t). */
export function studentTCdf(t: number, df: number): number {
  return studentTSf(-t, df);
}

export function studentTPdf(t: number, df: number): number {
  if (df === Infinity) return normalPdf(t);
  const logC = logGamma((df + 1) / 2) - logGamma(df / 2) - 0.5 * Math.log(df * Math.PI);
  return Math.exp(logC - ((df + 1) / 2) * Math.log1p((t * t) / df));
}

/** t with P(T ≤ t) = p. */
export function studentTPpf(p: number, df: number): number {
  if (Number.isNaN(p) || p < 0 || p > 1 || !(df > 0)) return NaN;
  if (p === 0) return -Infinity;
  if (p === 1) return Infinity;
  if (p === 0.5) return 0;
  if (p > 0.5) return studentTIsf(1 - p, df);
  return -studentTIsf(p, df);
}

/** t with P(T > t) = q, solved from q itself so tiny tails keep their precision. */
export function studentTIsf(q: number, df: number): number {
  if (Number.isNaN(q) || q < 0 || q > 1 || !(df > 0)) return NaN;
  if (q === 0) return Infinity;
  if (q === 1) return -Infinity;
  if (q === 0.5) return 0;
  if (q > 0.5) return -studentTIsf(1 - q, df);
  if (df === Infinity) return normalIsf(q);
  // Exact forms for df 1 and 2; elsewhere a bracketed Newton iteration from a normal-based start.
  if (df === 1) return 1 / Math.tan(Math.PI * q); // cot(πq): exact even for tiny q
  if (df === 2) return (1 - 2 * q) / Math.sqrt(2 * q * (1 - q));
  let lo = 0;
  let hi = Math.max(1, normalIsf(q) * 2);
  while (studentTSf(hi, df) > q) { lo = hi; hi *= 2; if (hi > 1e300) return Infinity; }
  let x = Math.min(Math.max(normalIsf(q) * (1 + (1 + normalIsf(q) ** 2) / (4 * df)), lo), hi);
  for (let i = 0; i < 200; i++) {
    const f = studentTSf(x, df) - q; // decreasing in x
    if (f > 0) lo = x; else hi = x;
    let next = x + f / studentTPdf(x, df);
    if (!(next > lo && next < hi)) next = (lo + hi) / 2;
    if (Math.abs(next - x) <= 1e-15 * Math.max(1, Math.abs(x))) return next;
    x = next;
  }
  return x;
}

// ---------------------------------------------------------------------------------------------
// Noncentral t

/**
 * P(T ≤ t) for the noncentral t with df degrees of freedom and noncentrality delta. Lenth's
 * algorithm AS 243 (1989): a Poisson-weighted sum of incomplete beta functions with a bound on the
 * remainder, plus Φ(-δ). Negative t uses F(t; ν, δ) = 1 - F(-t; ν, -δ).
 */
export function noncentralTCdf(t: number, df: number, delta: number): number {
  if (!(df > 0) || Number.isNaN(t) || Number.isNaN(delta)) return NaN;
  if (t === Infinity) return 1;
  if (t === -Infinity) return 0;
  if (delta === 0) return studentTCdf(t, df);
  const negative = t < 0;
  const tt = negative ? -t : t;
  const del = negative ? -delta : delta;
  let sum = 0;
  const t2 = tt * tt;
  const x = t2 / (t2 + df);
  if (x > 0) {
    const oneMinusX = df / (t2 + df);
    const lambda = del * del;
    // Beyond |δ| ≈ 37 the first Poisson weight underflows; integrate over the chi variable instead.
    if (lambda > 1000) return noncentralTCdfByMixture(t, df, delta);
    let p = 0.5 * Math.exp(-0.5 * lambda);
    let q = Math.sqrt(2 / Math.PI) * p * del;
    let s = 0.5 - p;
    let a = 0.5;
    const b = 0.5 * df;
    const rxb = Math.exp(b * Math.log(oneMinusX));
    const logBetaAB = LOG_SQRT_PI + logGammaDifference(b, a);
    let xodd = incompleteBeta(x, a, b, oneMinusX);
    let godd = 2 * rxb * Math.exp(a * Math.log(x) - logBetaAB);
    let xeven = 1 - rxb;
    let geven = b * x * rxb;
    sum = p * xodd + q * xeven;
    for (let en = 1; en <= 100000; en++) {
      a += 1;
      xodd -= godd;
      xeven -= geven;
      godd *= (x * (a + b - 1)) / a;
      geven *= (x * (a + b - 0.5)) / (a + 0.5);
      p *= lambda / (2 * en);
      q *= lambda / (2 * en + 1);
      s -= p;
      sum += p * xodd + q * xeven;
      const errorBound = 2 * s * (xodd - godd);
      if (errorBound <= 1e-15 && en > 1) break;
    }
  }
  sum += normalSf(del);
  const cdf = negative ? 1 - sum : sum;
  return Math.min(1, Math.max(0, cdf));
}

export function noncentralTSf(t: number, df: number, delta: number): number {
  return 1 - noncentralTCdf(t, df, delta);
}

/**
 * F(t; ν, δ) = E[Φ(t·S - δ)] with S = √(χ²_ν / ν): composite Simpson over the bulk of S's density
 * (±14 sd around its mean). Used for very large noncentrality, where AS 243's weights underflow.
 */
function noncentralTCdfByMixture(t: number, df: number, delta: number): number {
  if (df < 1) throw new RangeError(`noncentral t with df ${df} < 1 and noncentrality ${delta} is not supported`);
  const mean = Math.sqrt(2 / df) * Math.exp(logGamma((df + 1) / 2) - logGamma(df / 2));
  const sd = Math.sqrt(Math.max(1e-300, 1 - mean * mean));
  const lo = Math.max(0, mean - 14 * sd);
  const hi = mean + 14 * sd;
  const intervals = 20000;
  const h = (hi - lo) / intervals;
  const logNorm = Math.log(2) + (df / 2) * Math.log(df / 2) - logGamma(df / 2);
  const density = (s: number): number => (s <= 0 ? (df === 1 ? Math.exp(logNorm) : 0)
    : Math.exp(logNorm + (df - 1) * Math.log(s) - (df * s * s) / 2));
  let sum = 0;
  for (let i = 0; i <= intervals; i++) {
    const s = lo + i * h;
    const w = i === 0 || i === intervals ? 1 : i % 2 === 1 ? 4 : 2;
    sum += w * density(s) * normalCdf(t * s - delta);
  }
  return Math.min(1, Math.max(0, (sum * h) / 3));
}
