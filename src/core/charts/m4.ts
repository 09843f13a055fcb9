// M4 reduction (Jugel et al., "M4: a visualization-oriented time series data aggregation", 2014):
// per bucket of consecutive points keep the first, the minimum, the maximum and the last, in their
// original order. A line drawn through the kept points touches every extreme the full series
// touches, so a sealed metric chunk stored this way (its "level of detail", 16x smaller) can stand
// in for its points whenever a chart wants far fewer points than the history holds.
// Non-finite values (NaN = logged null, ±Infinity) are gaps for the charts: min/max look at
// finite values only, and the first non-finite point of a bucket is kept so the gap survives.

/** Points per M4 bucket: at most 5 survive of each (first, min, max, last, a gap), usually 4. */
export const M4_BUCKET_POINTS = 64;

/**
 * The M4 subset of points packed `stride` numbers each (y at `yOffset`), already in x order:
 * a new packed array of whole points, in input order, no point twice.
 */
export function m4Reduce(data: Float64Array, stride: number, yOffset: number, bucketPoints = M4_BUCKET_POINTS): Float64Array {
  if (data.length % stride !== 0) throw new Error(`m4: ${data.length} numbers are not whole points of ${stride}`);
  if (!(bucketPoints >= 4)) throw new Error(`m4: a bucket must hold at least 4 points (got ${bucketPoints})`);
  const n = data.length / stride;
  if (n <= 4) return data.slice();
  // Runs at ingest over every sealed chunk: one pass, no per-bucket allocation.
  const out = new Float64Array(Math.ceil(n / bucketPoints) * 5 * stride);
  const picks = new Int32Array(5);
  let written = 0;
  for (let from = 0; from < n; from += bucketPoints) {
    const to = Math.min(n, from + bucketPoints);
    let argMin = -1;
    let argMax = -1;
    let firstGap = -1;
    let minValue = Infinity;
    let maxValue = -Infinity;
    for (let i = from, o = from * stride + yOffset; i < to; i++, o += stride) {
      const v = data[o];
      if (v - v !== 0) { // NaN or ±Infinity
        if (firstGap < 0) firstGap = i;
      } else {
        if (argMin < 0 || v < minValue) { minValue = v; argMin = i; }
        if (argMax < 0 || v > maxValue) { maxValue = v; argMax = i; }
      }
    }
    // At most five indices (a point may be several of them at once): keep each once, in order.
    picks[0] = from;
    let count = 1;
    const pick = (index: number): void => {
      if (index < 0) return;
      let at = count++;
      while (at > 0 && picks[at - 1] > index) { picks[at] = picks[at - 1]; at--; }
      picks[at] = index;
    };
    pick(argMin);
    pick(argMax);
    pick(firstGap);
    pick(to - 1);
    for (let k = 0; k < count; k++) {
      if (k > 0 && picks[k] === picks[k - 1]) continue;
      const source = picks[k] * stride;
      for (let c = 0; c < stride; c++) out[written++] = data[source + c];
    }
  }
  return out.slice(0, written);
}
