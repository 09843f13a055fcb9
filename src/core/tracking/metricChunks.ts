// Packed metric history (the one place that knows the format): n points as float64 triples (step, ts, value), little-endian, so a chunk
// of thousands of points is one SQLite row. Float64 holds every step and epoch-ms timestamp
// exactly (both < 2^53) and keeps NaN and ±Infinity as they are.
import type { MetricPoint } from './types';
import { m4Reduce } from '../charts/m4';

export const FLOATS_PER_POINT = 3;
export const BYTES_PER_POINT = FLOATS_PER_POINT * 8;

/** Accumulates points for one (run, key) before they are packed. */
export class PointBuffer {
  private data: Float64Array;
  length = 0;

  constructor(capacity = 64) {
    this.data = new Float64Array(capacity * FLOATS_PER_POINT);
  }

  push(step: number, ts: number, value: number): void {
    const at = this.length * FLOATS_PER_POINT;
    if (at + FLOATS_PER_POINT > this.data.length) {
      const grown = new Float64Array(this.data.length * 2);
      grown.set(this.data);
      this.data = grown;
    }
    this.data[at] = step;
    this.data[at + 1] = ts;
    this.data[at + 2] = value;
    this.length++;
  }

  /** Points [from, to) as little-endian bytes (a view: copy before the buffer changes). */
  bytes(from = 0, to = this.length): Uint8Array {
    return asLittleEndianBytes(this.data.subarray(from * FLOATS_PER_POINT, to * FLOATS_PER_POINT));
  }

  /** The point with the largest (step, ts); later points win ties, as later logs do. */
  latest(): { step: number; ts: number; value: number } | undefined {
    let best = -1;
    for (let i = 0; i < this.length; i++) {
      const o = i * FLOATS_PER_POINT;
      if (best < 0) { best = o; continue; }
      const step = this.data[o];
      const bestStep = this.data[best];
      if (step > bestStep || (step === bestStep && this.data[o + 1] >= this.data[best + 1])) best = o;
    }
    return best < 0 ? undefined : { step: this.data[best], ts: this.data[best + 1], value: this.data[best + 2] };
  }
}

const HOST_IS_LITTLE_ENDIAN = new Uint8Array(new Float64Array([1]).buffer)[7] === 0x3f;

function asLittleEndianBytes(floats: Float64Array): Uint8Array {
  if (HOST_IS_LITTLE_ENDIAN) return new Uint8Array(floats.buffer, floats.byteOffset, floats.byteLength);
  const out = new Uint8Array(floats.byteLength);
  const view = new DataView(out.buffer);
  for (let i = 0; i < floats.length; i++) view.setFloat64(i * 8, floats[i], true);
  return out;
}

/** Numbers per point in a packed history: step, ts, value. */
export const HISTORY_STRIDE = FLOATS_PER_POINT;

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

/** A packed history as point objects (NaN as null): for callers that want a few thousand points, not millions. */
export function pointsOfPacked(key: string, packed: Float64Array): MetricPoint[] {
  const points: MetricPoint[] = new Array(packed.length / HISTORY_STRIDE);
  for (let i = 0, o = 0; o < packed.length; i++, o += HISTORY_STRIDE) {
    const value = packed[o + 2];
    points[i] = { key, step: packed[o], ts: packed[o + 1], value: Number.isNaN(value) ? null : value };
  }
  return points;
}

/**
 * A sealed chunk's level of detail: its points in (step, ts) order reduced by M4 (first, min, max,
 * last value of every 64 points, and a gap marker), packed in the chunk format itself, so the
 * same decoders read a chunk and its level of detail.
 */
export function chunkLevelOfDetail(chunk: Uint8Array): Uint8Array {
  const reduced = m4Reduce(packedHistoryOf(chunk), HISTORY_STRIDE, 2);
  return asLittleEndianBytes(reduced);
}
