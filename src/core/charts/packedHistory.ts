// Decodes packed metric chunks (float64 triples step, ts, value, little-endian; see
// core/tracking/metricChunks.ts) into one Float64Array of triples sorted by (step, ts). Charts
// read millions of points per run: copying the chunks whole (a memcpy on little-endian hosts)
// and downsampling the triples in place (lttbPacked) is ~10x cheaper than one object per point.

/** Numbers per point in a packed history: step, ts, value. */
export const HISTORY_STRIDE = 3;

const BYTES_PER_POINT = 24;
const HOST_IS_LITTLE_ENDIAN = new Uint8Array(new Float64Array([1]).buffer)[7] === 0x3f;

/**
 * The concatenated chunk bytes (storage order) as triples sorted by (step, ts), ties in logging
 * order, NaN kept. A view on `bytes` when they are aligned and the host is little-endian (no copy).
 */
export function packedHistoryOf(bytes: Uint8Array): Float64Array {
  if (bytes.byteLength % BYTES_PER_POINT !== 0) {
    throw new Error(`metric history of ${bytes.byteLength} bytes is not a whole number of ${BYTES_PER_POINT}-byte points`);
  }
  const floats = HOST_IS_LITTLE_ENDIAN && bytes.byteOffset % 8 === 0
    ? new Float64Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 8)
    : unpackHistory([bytes]);
  return isSorted(floats) ? floats : sortHistory(floats);
}

/** Chunks in storage order → triples sorted by (step, ts), ties in logging order; NaN kept. */
export function unpackHistory(chunks: readonly Uint8Array[]): Float64Array {
  let total = 0;
  for (const chunk of chunks) {
    if (chunk.byteLength % BYTES_PER_POINT !== 0) {
      throw new Error(`metric chunk of ${chunk.byteLength} bytes is not a whole number of ${BYTES_PER_POINT}-byte points`);
    }
    total += chunk.byteLength;
  }
  const out = new Float64Array(total / 8);
  let at = 0;
  for (const chunk of chunks) {
    if (HOST_IS_LITTLE_ENDIAN) {
      // Byte-wise copy: SQLite hands out blobs at any offset, so a Float64Array view may not be possible.
      new Uint8Array(out.buffer, at * 8, chunk.byteLength).set(chunk);
    } else {
      const view = new DataView(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      for (let i = 0; i < chunk.byteLength / 8; i++) out[at + i] = view.getFloat64(i * 8, true);
    }
    at += chunk.byteLength / 8;
  }
  return isSorted(out) ? out : sortHistory(out);
}

function isSorted(p: Float64Array): boolean {
  for (let o = HISTORY_STRIDE; o < p.length; o += HISTORY_STRIDE) {
    const step = p[o];
    const previous = p[o - HISTORY_STRIDE];
    if (step < previous || (step === previous && p[o + 1] < p[o + 1 - HISTORY_STRIDE])) return false;
  }
  return true;
}

/** Stable sort of the triples by (step, ts) through an index permutation. */
function sortHistory(p: Float64Array): Float64Array {
  const n = p.length / HISTORY_STRIDE;
  const order = Array.from({ length: n }, (_, i) => i);
  order.sort((a, b) => p[a * 3] - p[b * 3] || p[a * 3 + 1] - p[b * 3 + 1] || a - b);
  const out = new Float64Array(p.length);
  order.forEach((from, to) => out.set(p.subarray(from * 3, from * 3 + 3), to * 3));
  return out;
}
