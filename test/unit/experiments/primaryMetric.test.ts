import { strict as assert } from 'node:assert';
import { choosePrimaryMetric } from '../../../src/core/experiments/primaryMetric';

describe('choosePrimaryMetric', () => {
  it('returns undefined for a run without metrics', () => {
    assert.equal(choosePrimaryMetric([]), undefined);
    assert.equal(choosePrimaryMetric([], 'f1'), undefined);
  });

  it('uses the configured metric when the run logged it', () => {
    assert.equal(choosePrimaryMetric(['f1', 'loss', 'epoch_time'], 'epoch_time'), 'epoch_time');
    assert.equal(choosePrimaryMetric(['f1', 'loss'], '  loss '), 'loss');
  });

  it('falls back to the preference list when the configured metric is missing', () => {
    assert.equal(choosePrimaryMetric(['loss', 'accuracy'], 'bleu'), 'accuracy');
  });

  it('follows the preference order f1, accuracy, auc, r2, rmse, loss', () => {
    assert.equal(choosePrimaryMetric(['loss', 'rmse', 'r2', 'auc', 'accuracy', 'f1']), 'f1');
    assert.equal(choosePrimaryMetric(['loss', 'rmse', 'r2', 'auc', 'accuracy']), 'accuracy');
    assert.equal(choosePrimaryMetric(['loss', 'rmse', 'r2', 'auc']), 'auc');
    assert.equal(choosePrimaryMetric(['loss', 'rmse', 'r2']), 'r2');
    assert.equal(choosePrimaryMetric(['loss', 'rmse']), 'rmse');
    assert.equal(choosePrimaryMetric(['loss', 'zeta']), 'loss');
  });

  it('matches preferred names case-insensitively and as the last path segment', () => {
    assert.equal(choosePrimaryMetric(['Loss', 'ACCURACY']), 'ACCURACY');
    assert.equal(choosePrimaryMetric(['val/f1', 'loss']), 'val/f1');
    assert.equal(choosePrimaryMetric(['val/loss', 'train/loss']), 'train/loss', 'ties break alphabetically');
    assert.equal(choosePrimaryMetric(['eval_accuracy', 'loss']), 'loss', 'a prefix is a different metric');
  });

  it('otherwise picks the alphabetically first key', () => {
    assert.equal(choosePrimaryMetric(['zeta', 'beta', 'alpha']), 'alpha');
  });
});
