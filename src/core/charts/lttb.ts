// Largest-Triangle-Three-Buckets downsampling (Sveinn Steinarsson, 2013): keeps the visual shape
// of a long series with a fixed number of points, so a million-point history draws like the
// original at ~2,000 points. Two additions to the textbook algorithm:
//   - non-finite values (NaN, logged as null, ±Infinity) are gaps: each finite run of points is
//     downsampled on its own and one null point marks each gap, so charts show the break;
//   - the global minimum and maximum of each finite run always survive (a loss spike or a
//     collapse is what the user is looking for), replacing the point LTTB picked in their bucket.
// Pure and allocation-light: works on any array-like, including strided views of packed chunks.

/** Points of a series, in x order. y null or NaN means "no value here". */
export interface XYColumns {
  x: ArrayLike<number>;
  y: ArrayLike<number | null>;
}

/** The indices of the input points to keep, ascending; -1 entries never occur. */
export interface LttbSelection {
  /** Indices into the input of the points kept (finite points and one gap marker per gap). */
  indices: number[];
  /** For each kept index: true when it marks a gap (its y is not finite). */
  gap: boolean[];
}

/** Downsamples to at most `threshold` points (at least 3); returns the input when it is already that small. */
export function lttb(series: XYColumns, threshold: number): { x: number[]; y: Array<number | null> } {
  const { indices, gap } = lttbIndices(series, threshold);
  const x = new Array<number>(indices.length);
  const y = new Array<number | null>(indices.length);
  for (let i = 0; i < indices.length; i++) {
    x[i] = series.x[indices[i]];
    y[i] = gap[i] ? null : (series.y[indices[i]] as number);
  }
  return { x, y };
}

/** The same selection as lttb(), as indices, so callers can pick matching columns (time, step) too. */
export function lttbIndices(series: XYColumns, threshold: number): LttbSelection {
  const n = series.x.length;
  if (series.y.length !== n) throw new Error(`lttb: x has ${n} points but y has ${series.y.length}; both columns must be the same length`);
  const packed = new Float64Array(n * 2);
  for (let i = 0; i < n; i++) {
    packed[i * 2] = series.x[i];
    const y = series.y[i];
    packed[i * 2 + 1] = y === null ? NaN : y;
  }
  return lttbPacked(packed, 2, 0, 1, threshold);
}

/**
 * LTTB over points packed in one Float64Array (x at `xOffset`, y at `yOffset` of every `stride`
 * numbers), e.g. the store's (step, ts, value) triples read straight from metric chunks: no
 * column copies, and one monomorphic loop V8 compiles well (a million points in a few ms).
 */
export function lttbPacked(data: Float64Array, stride: number, xOffset: number, yOffset: number, threshold: number): LttbSelection {
  if (!(threshold >= 3)) throw new Error(`lttb: threshold must be at least 3 (got ${threshold})`);
  if (data.length % stride !== 0) throw new Error(`lttb: ${data.length} numbers are not whole points of ${stride}`);
  const view: Packed = { data, stride, xOffset, yOffset };
  const n = data.length / stride;
  const segments = finiteSegments(view, n);
  const gapCount = countGaps(segments, n);
  if (n <= threshold) return everyPoint(view, n);

  // Alternating values and gaps cannot be drawn faithfully at this size anyway: drop the gaps.
  const keepGaps = segments.length * 2 + gapCount <= threshold;
  const budget = threshold - (keepGaps ? gapCount : 0);
  const finiteTotal = segments.reduce((sum, [from, to]) => sum + (to - from), 0);

  const indices: number[] = [];
  const gap: boolean[] = [];
  let cursor = 0;
  for (const [from, to] of segments) {
    if (keepGaps && from > cursor) { indices.push(cursor); gap.push(true); }
    const share = Math.max(Math.min(to - from, 2), Math.floor((budget * (to - from)) / Math.max(1, finiteTotal)));
    downsampleSegment(view, from, to, share, indices, gap);
    cursor = to;
  }
  if (keepGaps && cursor < n) { indices.push(cursor); gap.push(true); }
  return { indices, gap };
}

interface Packed {
  data: Float64Array;
  stride: number;
  xOffset: number;
  yOffset: number;
}

function everyPoint({ data, stride, yOffset }: Packed, n: number): LttbSelection {
  const indices = new Array<number>(n);
  const gap = new Array<boolean>(n);
  for (let i = 0; i < n; i++) { indices[i] = i; gap[i] = !Number.isFinite(data[i * stride + yOffset]); }
  return { indices, gap };
}

/** Half-open [from, to) ranges of consecutive finite y values. */
function finiteSegments({ data, stride, yOffset }: Packed, n: number): Array<[number, number]> {
  const segments: Array<[number, number]> = [];
  let start = -1;
  for (let i = 0; i < n; i++) {
    if (Number.isFinite(data[i * stride + yOffset])) {
      if (start < 0) start = i;
    } else if (start >= 0) {
      segments.push([start, i]);
      start = -1;
    }
  }
  if (start >= 0) segments.push([start, n]);
  return segments;
}

function countGaps(segments: Array<[number, number]>, n: number): number {
  let gaps = 0;
  let cursor = 0;
  for (const [from, to] of segments) {
    if (from > cursor) gaps++;
    cursor = to;
  }
  return gaps + (cursor < n ? 1 : 0);
}

/** Textbook LTTB over [from, to) into `out`, with the segment's extremes forced into their buckets. */
function downsampleSegment(
  { data, stride, xOffset, yOffset }: Packed, from: number, to: number, threshold: number, out: number[], gap: boolean[],
): void {
  // Direct indexing below (no accessor closures): this loop runs over every point of every series.
  const yAt = (i: number): number => data[i * stride + yOffset];
  const n = to - from;
  if (n <= threshold || threshold < 3) {
    if (threshold < 3 && n > threshold) {
      // Too small a share for LTTB: keep the ends (a 1-point share keeps the first).
      out.push(from); gap.push(false);
      if (threshold === 2) { out.push(to - 1); gap.push(false); }
      return;
    }
    for (let i = from; i < to; i++) { out.push(i); gap.push(false); }
    return;
  }
  let argMin = from;
  let argMax = from;
  let minValue = yAt(from);
  let maxValue = minValue;
  for (let i = from + 1, o = (from + 1) * stride + yOffset; i < to; i++, o += stride) {
    const v = data[o];
    if (v < minValue) { minValue = v; argMin = i; }
    if (v > maxValue) { maxValue = v; argMax = i; }
  }

  // When both extremes fall in one bucket both are kept: plan one bucket fewer so the total still fits.
  let buckets = threshold - 2;
  if (shareBucket(from, n, buckets, argMin, argMax)) buckets--;
  const every = (n - 2) / buckets;
  let a = from;
  out.push(a); gap.push(false);
  for (let bucket = 0; bucket < buckets; bucket++) {
    const start = from + Math.floor(bucket * every) + 1;
    const end = Math.min(from + Math.floor((bucket + 1) * every) + 1, to - 1);
    // The average of the next bucket (the last point for the last bucket) is the triangle's third corner.
    const nextStart = end;
    const nextEnd = Math.max(nextStart + 1, Math.min(from + Math.floor((bucket + 2) * every) + 1, to));
    let avgX = 0;
    let avgY = 0;
    for (let o = nextStart * stride; o < nextEnd * stride; o += stride) { avgX += data[o + xOffset]; avgY += data[o + yOffset]; }
    const count = nextEnd - nextStart;
    avgX /= count;
    avgY /= count;

    const hasMin = argMin >= start && argMin < end;
    const hasMax = argMax >= start && argMax < end;
    if (hasMin || hasMax) {
      if (hasMin && hasMax) {
        const first = Math.min(argMin, argMax);
        out.push(first); gap.push(false);
        a = Math.max(argMin, argMax);
      } else {
        a = hasMin ? argMin : argMax;
      }
      out.push(a); gap.push(false);
      continue;
    }
    const ax = data[a * stride + xOffset];
    const ay = data[a * stride + yOffset];
    let chosen = start;
    let bestArea = -1;
    const dx = ax - avgX;
    const dy = avgY - ay;
    for (let i = start, o = start * stride; i < end; i++, o += stride) {
      // Twice the triangle's area (a, point i, next bucket's average); the factor does not change the winner.
      const area = Math.abs(dx * (data[o + yOffset] - ay) - (ax - data[o + xOffset]) * dy);
      if (area > bestArea) { bestArea = area; chosen = i; }
    }
    out.push(chosen); gap.push(false);
    a = chosen;
  }
  out.push(to - 1); gap.push(false);
}

/** True when LTTB's bucket plan for [from, from + n) puts both indices in the same middle bucket. */
function shareBucket(from: number, n: number, buckets: number, i: number, j: number): boolean {
  const every = (n - 2) / buckets;
  for (let bucket = 0; bucket < buckets; bucket++) {
    const start = from + Math.floor(bucket * every) + 1;
    const end = Math.min(from + Math.floor((bucket + 1) * every) + 1, from + n - 1);
    if (i >= start && i < end) return j >= start && j < end;
  }
  return false;
}
