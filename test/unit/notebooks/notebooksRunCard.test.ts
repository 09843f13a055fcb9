import { strict as assert } from 'node:assert';
import { runCardLensTitle, runCardPrimaryMetric, runCardsInOutputs } from '../../../src/core/notebooks/runCardSummary';
import { sparklineGeometry } from '../../../src/core/notebooks/sparkline';
import { RUN_CARD_MIME, type RunCardPayload } from '../../../src/protocol/notebookRunCard';
import { isOpenRunFromCardMessage } from '../../../src/protocol/notebookRenderer';

function card(overrides: Partial<RunCardPayload> = {}): RunCardPayload {
  return {
    schema: 1, runId: 'a'.repeat(32), runName: 'rf-depth-3', experiment: 'churn', status: 'FINISHED',
    startMs: 1_700_000_000_000, endMs: 1_700_000_012_000, storeDir: '/ws/.modelcloud',
    params: { max_depth: '3' }, paramsTruncated: 0,
    metrics: { accuracy: { last: 0.91, step: 9, spark: [0.5, 0.91] }, f1: { last: 0.97123, step: 9, spark: [0.4, 0.97123] } },
    notebook: { path: '/ws/train.ipynb', cell: 3, sourceSha256: 'f'.repeat(64) },
    ...overrides,
  };
}

const encode = (value: unknown): Uint8Array => new TextEncoder().encode(typeof value === 'string' ? value : JSON.stringify(value));

describe('notebooks: run card summary (CodeLens)', () => {
  it('titles a finished run with its primary metric', () => {
    assert.equal(runCardLensTitle(card(), ''), 'Run rf-depth-3 · f1 0.9712 · Open');
  });

  it('uses the primaryMetric setting when the run logged it, the tree choice otherwise', () => {
    assert.equal(runCardLensTitle(card(), 'accuracy'), 'Run rf-depth-3 · accuracy 0.91 · Open');
    assert.equal(runCardLensTitle(card(), 'auc'), 'Run rf-depth-3 · f1 0.9712 · Open');
    assert.deepEqual(runCardPrimaryMetric(card({ metrics: { zeta: { last: 2, step: 0, spark: [2] }, alpha: { last: null, step: 1, spark: [null] } } }), ''), { key: 'alpha', value: null });
  });

  it('says running / failed, falls back to the id without a name, and skips the metric when none', () => {
    assert.equal(runCardLensTitle(card({ status: 'RUNNING', endMs: null, metrics: {} }), ''), 'Run rf-depth-3 · running · Open');
    assert.equal(runCardLensTitle(card({ status: 'FAILED', runName: '  ', metrics: {} }), ''), 'Run aaaaaaaa · failed · Open');
  });

  it('reads cards from outputs: one per run, newest wins, invalid items skipped', () => {
    const other = card({ runId: 'b'.repeat(32), runName: 'other' });
    const cards = runCardsInOutputs([
      { items: [{ mime: 'text/plain', data: encode('hi') }, { mime: RUN_CARD_MIME, data: encode(card({ status: 'RUNNING', endMs: null })) }] },
      { items: [{ mime: RUN_CARD_MIME, data: encode('{not json') }, { mime: RUN_CARD_MIME, data: encode({ schema: 2, runId: 'x' }) }] },
      { items: [{ mime: RUN_CARD_MIME, data: encode(other) }, { mime: RUN_CARD_MIME, data: encode(card()) }] },
    ]);
    assert.deepEqual(cards.map((c) => [c.runName, c.status]), [['other', 'FINISHED'], ['rf-depth-3', 'FINISHED']]);
  });
});

describe('notebooks: run card renderer pieces', () => {
  it('scales a sparkline into its box and breaks it at NaN', () => {
    const g = sparklineGeometry([0, 1, null, 0.5], 100, 20, 0);
    assert.deepEqual(g.segments, ['0,20 33.3,0', '100,10']);
    assert.deepEqual(g.last, { x: 100, y: 10 });
  });

  it('draws a flat or single-point series in the middle, and nothing without finite values', () => {
    assert.deepEqual(sparklineGeometry([3, 3], 10, 10, 0).segments, ['0,5 10,5']);
    assert.deepEqual(sparklineGeometry([7], 10, 10, 0), { segments: ['5,5'], last: { x: 5, y: 5 } });
    assert.deepEqual(sparklineGeometry([null, null], 10, 10), { segments: [] });
  });

  it('accepts only well-formed "open run" messages from the renderer', () => {
    assert.ok(isOpenRunFromCardMessage({ type: 'openRun', runId: 'a'.repeat(32), storeDir: '/x' }));
    assert.ok(!isOpenRunFromCardMessage({ type: 'openRun', runId: '../../etc', storeDir: '/x' }));
    assert.ok(!isOpenRunFromCardMessage({ type: 'other', runId: 'a'.repeat(32), storeDir: '/x' }));
    assert.ok(!isOpenRunFromCardMessage(null));
  });
});
