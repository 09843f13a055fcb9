import * as assert from 'node:assert/strict';
import { emaSmooth } from '../../../src/core/charts/smoothing';

describe('emaSmooth', () => {
  it('returns the values unchanged at weight 0', () => {
    assert.deepEqual(emaSmooth([1, 2, 3], 0), [1, 2, 3]);
  });

  it('is debiased: a constant series stays constant from the first point', () => {
    for (const v of emaSmooth([5, 5, 5, 5], 0.9)) assert.ok(Math.abs((v as number) - 5) < 1e-12);
  });

  it('follows the EMA recurrence', () => {
    const out = emaSmooth([0, 10], 0.5) as number[];
    assert.equal(out[0], 0);
    // last = 0.5*0 + 0.5*0 = 0 → 0.5*0 + 0.5*10 = 5; debias 1 - 0.25 = 0.75 → 6.666…
    assert.ok(Math.abs(out[1] - 5 / 0.75) < 1e-12);
  });

  it('smooths noise: the smoothed series varies less than the raw one', () => {
    const raw = Array.from({ length: 200 }, (_, i) => (i % 2 === 0 ? 1 : -1));
    const smooth = emaSmooth(raw, 0.9) as number[];
    const spread = (a: number[]): number => Math.max(...a.slice(50)) - Math.min(...a.slice(50));
    assert.ok(spread(smooth) < spread(raw) / 5);
  });

  it('keeps gaps as null without disturbing the average', () => {
    const out = emaSmooth([5, null, NaN, 5, undefined, Infinity, 5], 0.8);
    assert.deepEqual(out.map((v) => (v === null ? null : Math.round(v * 1e9) / 1e9)), [5, null, null, 5, null, null, 5]);
  });

  it('rejects weights outside [0, 1)', () => {
    assert.throws(() => emaSmooth([1], 1), /\[0, 1\)/);
    assert.throws(() => emaSmooth([1], -0.1), /\[0, 1\)/);
  });
});
