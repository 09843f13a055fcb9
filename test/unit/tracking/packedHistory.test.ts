import * as assert from 'node:assert/strict';
import { PointBuffer, packedHistoryOf, unpackHistory } from '../../../src/core/tracking/metricChunks';

function chunk(points: Array<[number, number, number]>): Uint8Array {
  const buffer = new PointBuffer();
  for (const [step, ts, value] of points) buffer.push(step, ts, value);
  return buffer.bytes().slice();
}

describe('unpackHistory', () => {
  it('concatenates chunks into (step, ts, value) triples, NaN and infinities kept', () => {
    const p = unpackHistory([chunk([[0, 10, 1], [1, 11, NaN]]), chunk([[2, 12, Infinity]])]);
    assert.deepEqual(Array.from(p), [0, 10, 1, 1, 11, NaN, 2, 12, Infinity]);
  });

  it('sorts by (step, ts) when points arrived out of order, keeping logging order for ties', () => {
    const p = unpackHistory([chunk([[2, 5, 20], [1, 9, 11], [1, 3, 10], [1, 9, 12]])]);
    assert.deepEqual(Array.from(p).filter((_, i) => i % 3 === 2), [10, 11, 12, 20]);
  });

  it('reads blobs at unaligned offsets', () => {
    const bytes = chunk([[0, 1, 2], [3, 4, 5]]);
    const unaligned = new Uint8Array(bytes.byteLength + 3);
    unaligned.set(bytes, 3);
    assert.deepEqual(Array.from(unpackHistory([unaligned.subarray(3)])), [0, 1, 2, 3, 4, 5]);
  });

  it('returns an empty history for no chunks and refuses a chunk that is not whole points', () => {
    assert.equal(unpackHistory([]).length, 0);
    assert.throws(() => unpackHistory([new Uint8Array(25)]), /24-byte points/);
  });
});

describe('packedHistoryOf', () => {
  it('views aligned bytes in place and sorts only when needed', () => {
    const sorted = chunk([[0, 1, 5], [1, 2, 6]]);
    const view = packedHistoryOf(sorted);
    assert.deepEqual(Array.from(view), [0, 1, 5, 1, 2, 6]);
    assert.equal(view.buffer, sorted.buffer, 'no copy');
    assert.deepEqual(Array.from(packedHistoryOf(chunk([[1, 2, 6], [0, 1, 5]]))), [0, 1, 5, 1, 2, 6]);
    const unaligned = new Uint8Array(sorted.byteLength + 1);
    unaligned.set(sorted, 1);
    assert.deepEqual(Array.from(packedHistoryOf(unaligned.subarray(1))), [0, 1, 5, 1, 2, 6]);
    assert.throws(() => packedHistoryOf(new Uint8Array(7)), /24-byte points/);
  });
});
