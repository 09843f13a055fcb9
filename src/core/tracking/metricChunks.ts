// Packed metric history: n points as float64 triples (step, ts, value), little-endian, so a chunk
// of thousands of points is one SQLite row. Float64 holds every step and epoch-ms timestamp
// exactly (both < 2^53) and keeps NaN and ±Infinity as they are.
import type { MetricPoint } from './types';

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

/** Decodes a chunk's bytes (as stored) into points of `key`. */
export function unpackPoints(key: string, bytes: Uint8Array, into: MetricPoint[] = []): MetricPoint[] {
  if (bytes.byteLength % BYTES_PER_POINT !== 0) {
    throw new Error(`metric chunk of ${bytes.byteLength} bytes is not a whole number of ${BYTES_PER_POINT}-byte points`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let o = 0; o < bytes.byteLength; o += BYTES_PER_POINT) {
    const value = view.getFloat64(o + 16, true);
    into.push({ key, step: view.getFloat64(o, true), ts: view.getFloat64(o + 8, true), value: Number.isNaN(value) ? null : value });
  }
  return into;
}

/** History in display order: by step, then time; stable, so equal points keep their logging order. */
export function sortHistory(points: MetricPoint[]): MetricPoint[] {
  return points.sort((a, b) => a.step - b.step || a.ts - b.ts);
}

const HOST_IS_LITTLE_ENDIAN = new Uint8Array(new Float64Array([1]).buffer)[7] === 0x3f;

function asLittleEndianBytes(floats: Float64Array): Uint8Array {
  if (HOST_IS_LITTLE_ENDIAN) return new Uint8Array(floats.buffer, floats.byteOffset, floats.byteLength);
  const out = new Uint8Array(floats.byteLength);
  const view = new DataView(out.buffer);
  for (let i = 0; i < floats.length; i++) view.setFloat64(i * 8, floats[i], true);
  return out;
}
