import * as assert from 'node:assert/strict';
import { m4Reduce, M4_BUCKET_POINTS } from '../../../src/core/charts/m4';

/** (x, y) pairs packed two numbers a point, x = index. */
function packed(ys: number[]): Float64Array {
  const out = new Float64Array(ys.length * 2);
  ys.forEach((y, i) => { out[i * 2] = i; out[i * 2 + 1] = y; });
  return out;
}
const xs = (p: Float64Array): number[] => Array.from(p.filter((_, i) => i % 2 === 0));

describe('m4Reduce', () => {
  it('keeps first, min, max and last of every bucket, in order, each point once', () => {
    // Bucket 0: min at 2, max at 5; bucket 1 (points 8..15): max is its first point, min its last.
    const ys = [3, 4, 0, 2, 5, 9, 1, 4, /**/ 10, 6, 7, 6, 5, 6, 7, -1];
    const out = m4Reduce(packed(ys), 2, 1, 8);
    assert.deepEqual(xs(out), [0, 2, 5, 7, 8, 15]);
    assert.deepEqual(Array.from(out.filter((_, i) => i % 2 === 1)), [3, 0, 9, 4, 10, -1]);
  });

  it('keeps the first and last point and the global extremes of a long noisy series, 16x smaller', () => {
    let s = 11;
    const rand = (): number => { s = (s * 1103515245 + 12345) % 2147483648; return s / 2147483648; };
    const ys = Array.from({ length: 8192 }, (_, i) => Math.exp(-i / 3000) + (rand() - 0.5) * 0.1);
    ys[4321] = 7; // a spike
    ys[777] = -3; // a collapse
    const out = m4Reduce(packed(ys), 2, 1);
    const kept = xs(out);
    assert.ok(kept.length <= (8192 / M4_BUCKET_POINTS) * 4, `${kept.length} points kept`);
    assert.equal(kept[0], 0);
    assert.equal(kept[kept.length - 1], 8191);
    assert.ok(kept.includes(4321) && kept.includes(777));
    for (let i = 1; i < kept.length; i++) assert.ok(kept[i] > kept[i - 1], 'in input order, no duplicates');
  });

  it('carries whole points (every column) and marks gaps with their first non-finite point', () => {
    const triples = new Float64Array([0, 100, 1, 1, 101, NaN, 2, 102, NaN, 3, 103, 5, 4, 104, 2, 5, 105, Infinity, 6, 106, 0, 7, 107, 3]);
    const out = m4Reduce(triples, 3, 2, 8);
    // first (0), the first gap (1), max (3), min (6), last (7); the second NaN and the Infinity are dropped.
    assert.deepEqual(Array.from(out), [0, 100, 1, 1, 101, NaN, 3, 103, 5, 6, 106, 0, 7, 107, 3]);
  });

  it('returns tiny inputs whole and rejects bad shapes', () => {
    assert.deepEqual(Array.from(m4Reduce(packed([1, 2, 3]), 2, 1)), [0, 1, 1, 2, 2, 3]);
    assert.equal(m4Reduce(new Float64Array(0), 3, 2).length, 0);
    assert.throws(() => m4Reduce(new Float64Array(5), 3, 2), /not whole points of 3/);
    assert.throws(() => m4Reduce(packed([1, 2, 3, 4, 5]), 2, 1, 2), /at least 4 points/);
  });
});
