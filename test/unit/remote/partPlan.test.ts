import * as assert from 'node:assert/strict';
import { MAX_PARTS, MIB, MIN_PART_SIZE, choosePartSize, planParts } from '../../../src/core/remote/partPlan';
import { createProgressTracker, etaSeconds } from '../../../src/core/remote/progress';

const GIB = 1024 * MIB;

describe('remote: multipart part planning', () => {
  it('uses the preferred size for mid-size files and never goes under 5 MiB', () => {
    assert.equal(choosePartSize(50 * MIB), 8 * MIB);
    assert.equal(choosePartSize(50 * MIB, 1 * MIB), MIN_PART_SIZE);
    assert.equal(choosePartSize(0), 8 * MIB);
  });

  it('grows parts (in whole MiB) so huge files stay within 10,000 parts', () => {
    const size = 200 * GIB;
    const part = choosePartSize(size);
    assert.equal(part % MIB, 0);
    assert.ok(Math.ceil(size / part) <= MAX_PARTS);
    assert.ok(part > 8 * MIB);
    assert.equal(planParts(size, part).length, Math.ceil(size / part));
    assert.throws(() => choosePartSize(60_000 * GIB), /too large for S3 multipart/);
  });

  it('covers the file exactly, numbering parts from 1, the last one short', () => {
    const size = 21 * MIB + 7;
    const parts = planParts(size, 5 * MIB);
    assert.equal(parts.length, 5);
    assert.deepEqual(parts.map((p) => p.partNumber), [1, 2, 3, 4, 5]);
    assert.equal(parts[0].start, 0);
    for (let i = 1; i < parts.length; i++) assert.equal(parts[i].start, parts[i - 1].end);
    assert.equal(parts.at(-1)!.end, size);
    assert.equal(parts.at(-1)!.end - parts.at(-1)!.start, MIB + 7);
    assert.deepEqual(planParts(0, 5 * MIB), [{ partNumber: 1, start: 0, end: 0 }]);
  });

  it('gives the same boundaries on every run (resume depends on it)', () => {
    assert.deepEqual(planParts(123 * MIB + 5), planParts(123 * MIB + 5));
    assert.throws(() => planParts(20 * MIB, MIB), /below the S3 minimum/);
  });
});

describe('remote: progress and ETA', () => {
  it('extrapolates the remaining time from the transfer rate', () => {
    assert.equal(etaSeconds(100, 100, 1000), 1);
    assert.equal(etaSeconds(1000, 100, 1000), 10);
    assert.equal(etaSeconds(0, 0, 0), 0);
    assert.equal(etaSeconds(10, 0, 1000), undefined);
    assert.equal(etaSeconds(10, 10, 0), undefined);
  });

  it('counts skipped bytes as done but not towards the rate', () => {
    const t = createProgressTracker(1000, 0);
    assert.deepEqual(t.snapshot(0), { bytesDone: 0, bytesTotal: 1000, etaSeconds: undefined });
    t.skip(500);
    assert.deepEqual(t.snapshot(100), { bytesDone: 500, bytesTotal: 1000, etaSeconds: undefined });
    t.add(100); // 100 bytes in 1 s → 400 remaining take 4 s
    assert.deepEqual(t.snapshot(1000), { bytesDone: 600, bytesTotal: 1000, etaSeconds: 4 });
    t.add(400);
    assert.deepEqual(t.snapshot(2000), { bytesDone: 1000, bytesTotal: 1000, etaSeconds: 0 });
  });
});
