import * as assert from 'node:assert/strict';
import { PointBuffer, packedHistoryOf, pointsOfPacked, BYTES_PER_POINT } from '../../../src/core/tracking/metricChunks';

describe('metric chunks', () => {
  it('round-trips steps, epoch-ms timestamps and non-finite values exactly, in step order', () => {
    const buffer = new PointBuffer(1); // forces growth
    const ts = 1_763_780_000_123;
    buffer.push(0, ts, 0.1);
    buffer.push(2 ** 40, ts + 1, NaN);
    buffer.push(3, ts + 2, -Infinity);
    const points = pointsOfPacked('loss', packedHistoryOf(buffer.bytes().slice()));
    assert.deepEqual(points.map((p) => [p.key, p.step, p.ts, p.value]), [
      ['loss', 0, ts, 0.1], ['loss', 3, ts + 2, -Infinity], ['loss', 2 ** 40, ts + 1, null],
    ]);
    assert.equal(buffer.bytes(1, 2).byteLength, BYTES_PER_POINT);
  });

  it('picks the latest point by (step, ts), later logs winning ties', () => {
    const buffer = new PointBuffer();
    buffer.push(5, 10, 1);
    buffer.push(5, 10, 2);
    buffer.push(4, 99, 3);
    assert.deepEqual(buffer.latest(), { step: 5, ts: 10, value: 2 });
    assert.equal(new PointBuffer().latest(), undefined);
  });

  it('rejects a chunk that is not whole points, and sorts history stably by (step, time)', () => {
    assert.throws(() => packedHistoryOf(new Uint8Array(BYTES_PER_POINT + 1)), /not a whole number of 24-byte points/);
    const buffer = new PointBuffer();
    buffer.push(1, 5, 1);
    buffer.push(0, 9, 2);
    buffer.push(1, 5, 3);
    assert.deepEqual(pointsOfPacked('m', packedHistoryOf(buffer.bytes().slice())).map((p) => p.value), [2, 1, 3]);
  });
});
