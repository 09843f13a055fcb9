// Exponential moving average for the compare charts' smoothing slider, debiased the way
// TensorBoard does it so the first points are not pulled towards zero. Gaps (null, NaN,
// ±Infinity) stay gaps and do not disturb the average.

/**
 * Smooths `values` with weight `weight` in [0, 1): 0 returns the values unchanged, 0.99 is very
 * smooth. Non-finite values come back as null.
 */
export function emaSmooth(values: ArrayLike<number | null | undefined>, weight: number): Array<number | null> {
  if (!(weight >= 0 && weight < 1)) {
    throw new Error(`smoothing weight must be in [0, 1) (got ${weight}); 0 means no smoothing`);
  }
  const out = new Array<number | null>(values.length);
  let last = 0;
  let count = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === null || v === undefined || !Number.isFinite(v)) {
      out[i] = null;
      continue;
    }
    if (weight === 0) {
      out[i] = v;
      continue;
    }
    last = last * weight + (1 - weight) * v;
    count++;
    out[i] = last / (1 - Math.pow(weight, count));
  }
  return out;
}
