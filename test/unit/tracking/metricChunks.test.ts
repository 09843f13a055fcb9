import * as assert from 'node:assert/strict';
import { PointBuffer, unpackPoints, sortHistory, BYTES_PER_POINT } from '../../../src/core/tracking/metricChunks';

describe('metric chunks', () => {
  it('round-trips steps, epoch-ms timestamps and non-finite values exactly', () => {
    const buffer = new PointBuffer(1); // forces growth
    const ts = 1_763_780_000_123;
    buffer.push(0, ts, 0.1);
    buffer.push(2 ** 40, ts + 1, NaN);
    buffer.push(3, ts + 2, -Infinity);
    const points = unpackPoints('loss', buffer.bytes());
    assert.deepEqual(points.map((p) => [p.key, p.step, p.ts, p.value]), [
      ['loss', 0, ts, 0.1], ['loss', 2 ** 40, ts + 1, null], ['loss', 3, ts + 2, -Infinity],
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

  it('rejects a chunk that is not whole points, and sorts history stably', () => {
    assert.throws(() => unpackPoints('m', new Uint8Array(BYTES_PER_POINT + 1)), /not a whole number of 24-byte points/);
    const sorted = sortHistory([
      { key: 'm', step: 1, ts: 5, value: 1 }, { key: 'm', step: 0, ts: 9, value: 2 }, { key: 'm', step: 1, ts: 5, value: 3 },
    ]);
    assert.deepEqual(sorted.map((p) => p.value), [2, 1, 3]);
  });
});
