import * as assert from 'node:assert/strict';
import { axisLabels, axisPosition, buildAxis, niceTicks, formatTick } from '../../../src/core/charts/axisScale';

describe('parallel-coordinates axes', () => {
  it('scales a numeric param linearly from its min (0) to its max (1)', () => {
    const axis = buildAxis('max_depth', ['3', '8', '5.5']);
    assert.equal(axis.kind, 'numeric');
    assert.equal(axisPosition(axis, '3'), 0);
    assert.equal(axisPosition(axis, '8'), 1);
    assert.equal(axisPosition(axis, 5.5), 0.5);
  });

  it('makes an ordinal axis of a categorical param, in natural order, evenly spaced', () => {
    const axis = buildAxis('optimizer', ['sgd', 'adam', 'rmsprop', 'adam']);
    assert.deepEqual(axis.kind === 'categorical' && axis.categories, ['adam', 'rmsprop', 'sgd']);
    assert.equal(axisPosition(axis, 'adam'), 0);
    assert.equal(axisPosition(axis, 'rmsprop'), 0.5);
    assert.equal(axisPosition(axis, 'sgd'), 1);
    assert.equal(axisPosition(axis, 'lbfgs'), null);
  });

  it('treats a mix of numbers and text as categorical', () => {
    const axis = buildAxis('depth', ['3', 'None', '10']);
    assert.equal(axis.kind, 'categorical');
    assert.deepEqual(axis.kind === 'categorical' && axis.categories, ['3', '10', 'None']);
  });

  it('centres a single value and gives missing values no position', () => {
    const numeric = buildAxis('lr', ['0.1', null, undefined, '0.1']);
    assert.equal(axisPosition(numeric, '0.1'), 0.5);
    assert.equal(axisPosition(numeric, null), null);
    assert.equal(axisPosition(buildAxis('zero', [0, 0]), 0), 0.5);
    const single = buildAxis('opt', ['adam']);
    assert.equal(axisPosition(single, 'adam'), 0.5);
    assert.equal(buildAxis('nothing', [null, undefined]).kind, 'categorical');
  });

  it('labels numeric axes with round ticks inside the range', () => {
    const axis = buildAxis('f1', [0.81, 0.93]);
    const labels = axisLabels(axis);
    assert.ok(labels.length >= 3);
    for (const { position } of labels) assert.ok(position >= 0 && position <= 1);
    assert.deepEqual(niceTicks(0, 10, 6), [0, 2, 4, 6, 8, 10]);
    assert.deepEqual(niceTicks(0.81, 0.93, 5), [0.825, 0.85, 0.875, 0.9, 0.925]);
    assert.equal(formatTick(0.0001), '1.0e-4');
    assert.equal(formatTick(1234.5678), '1235');
  });
});
