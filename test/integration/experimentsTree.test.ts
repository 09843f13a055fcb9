import * as assert from 'node:assert/strict';
import { activatedApi, storeOf, RUN_LOGREG, RUN_RF3, RUN_RF8 } from './helpers';

describe('Experiments tree', () => {
  it('shows the fixture workspace: Modelcloud run logs and the MLflow store', async () => {
    const api = await activatedApi();
    await api.ingestNow();
    const snapshot = api.experimentsView.snapshot();
    const byName = new Map(snapshot.experiments.map((e) => [e.label, e]));
    assert.deepEqual([...byName.keys()].sort(), ['Default', 'cnn-sweep', 'wine-quality']);
    const wine = byName.get('wine-quality')!;
    // newest first, each with its primary metric (f1) as description
    assert.deepEqual(wine.runs.map((r) => r.id), [RUN_LOGREG, RUN_RF8, RUN_RF3]);
    assert.deepEqual(wine.runs.map((r) => r.status), ['FAILED', 'FINISHED', 'FINISHED']);
    assert.match(wine.runs[1].description, /f1 0\.972/);
    assert.match(wine.description, /3 runs/);
    const sweep = byName.get('cnn-sweep')!;
    assert.ok(sweep.runs.some((r) => r.status === 'RUNNING'), 'the MLflow RUNNING run is shown as running');
  });

  it('reports a corrupt line as a warning and keeps everything else of that log', async () => {
    const api = await activatedApi();
    await api.ingestNow();
    const store = storeOf(api);
    assert.ok(store.problemCount() > 0);
    const problem = store.recentProblems(50).find((p) => p.source.endsWith(`${RUN_LOGREG}.jsonl`));
    assert.ok(problem, 'the garbage line is reported with its file');
    assert.equal(problem!.line, 4);
    const run = store.getRun(RUN_LOGREG)!;
    assert.equal(run.status, 'FAILED', 'run_end after the garbage line was still read');
    assert.deepEqual(store.metricHistory(RUN_LOGREG, 'f1').map((p) => p.value), [0.7, null]);
  });
});
