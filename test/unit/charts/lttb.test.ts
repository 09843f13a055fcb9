import * as assert from 'node:assert/strict';
import { lttb, lttbIndices } from '../../../src/core/charts/lttb';

/** A deterministic noisy series (no Math.random: failures must reproduce). */
function noisy(n: number, seed = 7): { x: number[]; y: number[] } {
  let s = seed;
  const rand = (): number => { s = (s * 1103515245 + 12345) % 2147483648; return s / 2147483648; };
  const x = Array.from({ length: n }, (_, i) => i);
  const y = x.map((i) => Math.sin(i / 500) + (rand() - 0.5) * 0.2);
  return { x, y };
}

describe('lttb', () => {
  it('returns the input unchanged when it has no more points than the threshold', () => {
    const series = { x: [0, 1, 2, 3], y: [1, 5, 2, 4] };
    assert.deepEqual(lttb(series, 4), { x: [0, 1, 2, 3], y: [1, 5, 2, 4] });
    assert.deepEqual(lttb(series, 2000), { x: [0, 1, 2, 3], y: [1, 5, 2, 4] });
  });

  it('keeps the first and the last point and returns exactly the threshold for a long series', () => {
    const series = noisy(100_000);
    const out = lttb(series, 2000);
    assert.equal(out.x.length, 2000);
    assert.equal(out.x[0], 0);
    assert.equal(out.y[0], series.y[0]);
    assert.equal(out.x[out.x.length - 1], 99_999);
    assert.equal(out.y[out.y.length - 1], series.y[99_999]);
    for (let i = 1; i < out.x.length; i++) assert.ok(out.x[i] > out.x[i - 1], 'x stays strictly increasing');
  });

  it('keeps the global maximum and minimum spikes of a noisy series', () => {
    const series = noisy(1_000_000);
    series.y[123_457] = 50; // a loss spike
    series.y[876_543] = -50; // a collapse
    const out = lttb(series, 2000);
    assert.ok(out.x.length <= 2000);
    assert.ok(out.y.includes(50), 'the maximum survives');
    assert.ok(out.y.includes(-50), 'the minimum survives');
    assert.equal(out.x[out.y.indexOf(50)], 123_457);
  });

  it('keeps both extremes when they fall into the same bucket, still within the threshold', () => {
    const series = noisy(10_000);
    series.y[5000] = 9;
    series.y[5001] = -9;
    const out = lttb(series, 100);
    assert.ok(out.x.length <= 100, `got ${out.x.length} points`);
    assert.ok(out.y.includes(9) && out.y.includes(-9));
  });

  it('keeps NaN/null gaps as one null point per gap and downsamples around them', () => {
    const n = 50_000;
    const x = Array.from({ length: n }, (_, i) => i);
    const y: Array<number | null> = x.map((i) => Math.cos(i / 1000));
    for (let i = 20_000; i < 20_100; i++) y[i] = null;
    for (let i = 30_000; i < 30_010; i++) y[i] = NaN;
    const out = lttb({ x, y }, 1000);
    assert.ok(out.x.length <= 1000);
    const gapXs = out.x.filter((_, i) => out.y[i] === null);
    assert.deepEqual(gapXs, [20_000, 30_000], 'one marker at the start of each gap');
    assert.ok(out.y.every((v) => v === null || Number.isFinite(v)), 'NaN never comes back as a number');
    // the points around each gap are kept, so the line stops and restarts where the data does
    assert.ok(out.x.includes(19_999) && out.x.includes(20_100));
  });

  it('marks gaps in short series too, and handles leading and trailing gaps', () => {
    assert.deepEqual(lttb({ x: [0, 1, 2, 3], y: [NaN, 1, null, 2] }, 10), { x: [0, 1, 2, 3], y: [null, 1, null, 2] });
    const x = Array.from({ length: 1000 }, (_, i) => i);
    const y = x.map((i) => (i < 10 || i >= 990 ? NaN : i));
    const out = lttb({ x, y }, 100);
    assert.equal(out.y[0], null);
    assert.equal(out.y[out.y.length - 1], null);
    assert.equal(out.x[1], 10);
    assert.equal(out.x[out.x.length - 2], 989);
  });

  it('works on typed arrays and returns indices callers can use for other columns', () => {
    const x = Float64Array.from({ length: 10_000 }, (_, i) => i * 2);
    const y = Float64Array.from(x, (v) => v % 7);
    const { indices, gap } = lttbIndices({ x, y }, 500);
    assert.equal(indices.length, 500);
    assert.equal(gap.every((g) => !g), true);
    assert.equal(indices[0], 0);
    assert.equal(indices[indices.length - 1], 9999);
  });

  it('rejects a threshold below 3 and columns of different lengths with a clear message', () => {
    assert.throws(() => lttb({ x: [1, 2, 3], y: [1, 2, 3] }, 2), /threshold must be at least 3/);
    assert.throws(() => lttb({ x: [1, 2, 3], y: [1, 2] }, 10), /same length/);
  });

  it('downsamples a million points in well under a second', () => {
    const { x, y } = noisy(1_000_000);
    const started = performance.now();
    lttb({ x: Float64Array.from(x), y: Float64Array.from(y) }, 2000);
    assert.ok(performance.now() - started < 1000);
  });
});

describe('lttbPacked', () => {
  it('selects the same points from (step, ts, value) triples as lttb() from columns', async () => {
    const { lttbPacked } = require('../../../src/core/charts/lttb') as typeof import('../../../src/core/charts/lttb');
    const n = 30_000;
    const packed = new Float64Array(n * 3);
    const x: number[] = [];
    const y: number[] = [];
    for (let i = 0; i < n; i++) {
      const v = Math.sin(i / 300) + (i === 12_345 ? 9 : 0);
      packed.set([i, 1e12 + i, v], i * 3);
      x.push(i); y.push(v);
    }
    const fromPacked = lttbPacked(packed, 3, 0, 2, 700);
    assert.deepEqual(fromPacked.indices, lttbIndices({ x, y }, 700).indices);
    assert.ok(fromPacked.indices.includes(12_345));
    assert.throws(() => lttbPacked(new Float64Array(4), 3, 0, 2, 10), /whole points/);
  });
});
