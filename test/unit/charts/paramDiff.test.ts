import * as assert from 'node:assert/strict';
import { diffParams, sameParamValue, numericValue, compareNatural } from '../../../src/core/charts/paramDiff';

describe('diffParams', () => {
  it('flags the params that differ and counts identical ones', () => {
    const diff = diffParams([
      { model: 'RandomForest', max_depth: '3', n_estimators: '100' },
      { model: 'RandomForest', max_depth: '8', n_estimators: '100' },
    ]);
    assert.deepEqual(diff.rows.map((r) => [r.key, r.differs]), [['max_depth', true], ['model', false], ['n_estimators', false]]);
    assert.deepEqual(diff.rows[0].values, ['3', '8']);
    assert.equal(diff.differing, 1);
    assert.equal(diff.identical, 2);
  });

  it('counts a param only some runs logged as a difference, with null for the others', () => {
    const diff = diffParams([{ lr: '0.1' }, {}, { lr: '0.1' }]);
    assert.deepEqual(diff.rows, [{ key: 'lr', values: ['0.1', null, '0.1'], differs: true }]);
  });

  it('treats equal numbers spelled differently as the same', () => {
    const diff = diffParams([{ lr: '0.001' }, { lr: '1e-3' }, { lr: ' 0.0010 ' }]);
    assert.equal(diff.rows[0].differs, false);
    assert.equal(sameParamValue('3', '3.0'), true);
    assert.equal(sameParamValue('3', 'three'), false);
    assert.equal(sameParamValue('', ''), true);
    assert.equal(sameParamValue('', null), false);
  });

  it('handles no runs, one run, and keys that look like object properties', () => {
    assert.deepEqual(diffParams([]), { rows: [], differing: 0, identical: 0 });
    assert.equal(diffParams([{ a: '1' }]).rows[0].differs, false);
    const diff = diffParams([{ constructor: 'x' }, { toString: 'y' }]);
    assert.deepEqual(diff.rows.map((r) => r.values), [[ 'x', null ], [null, 'y']]);
  });

  it('sorts keys naturally', () => {
    assert.deepEqual(diffParams([{ 'layer10': '1', 'layer2': '1', 'Alpha': '1' }]).rows.map((r) => r.key), ['Alpha', 'layer2', 'layer10']);
    assert.ok(compareNatural('run-2', 'run-10') < 0);
  });

  it('reads numbers strictly', () => {
    assert.equal(numericValue('  5 '), 5);
    assert.equal(numericValue(''), undefined);
    assert.equal(numericValue('NaN'), undefined);
    assert.equal(numericValue('Infinity'), undefined);
    assert.equal(numericValue('0x10'), 16);
    assert.equal(numericValue('adam'), undefined);
  });
});
