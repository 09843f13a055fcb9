import * as assert from 'node:assert/strict';
import { alignSeries } from '../../../src/core/charts/alignSeries';

describe('alignSeries', () => {
  it('merges x values and fills missing points with undefined, keeping null gaps', () => {
    const aligned = alignSeries([
      { x: [0, 2, 4], y: [1, null, 3] },
      { x: [1, 2], y: [10, 20] },
    ]);
    assert.deepEqual(aligned, [[0, 1, 2, 4], [1, undefined, null, 3], [undefined, 10, 20, undefined]]);
  });

  it('ignores non-finite x and handles no series', () => {
    assert.deepEqual(alignSeries([]), [[]]);
    assert.deepEqual(alignSeries([{ x: [NaN, 1], y: [5, 6] }]), [[1], [6]]);
  });
});
