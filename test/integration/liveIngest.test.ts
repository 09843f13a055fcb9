import * as assert from 'node:assert/strict';
import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { activatedApi, storeOf, waitFor, workspaceRoot } from './helpers';

const LIVE_RUN = 'feedc0defeedc0defeedc0defeedc0de';

describe('live ingest', () => {
  it('shows a run in the tree within a second of its first line, then its metrics as they are logged', async () => {
    const api = await activatedApi();
    await api.ingestNow();
    const store = storeOf(api);
    const log = join(workspaceRoot(), '.modelcloud', 'runs', `${LIVE_RUN}.jsonl`);
    const now = Date.now();
    writeFileSync(log, `${JSON.stringify({
      v: 1, t: 'run_start', ts: now, run: LIVE_RUN, experiment: 'live', name: 'training-now', source: { kind: 'script', path: 'train.py' },
    })}\n`);
    const shown = await waitFor('the new run in the tree', () => api.experimentsView.snapshot().experiments
      .find((e) => e.label === 'live')?.runs.find((r) => r.id === LIVE_RUN), 3000);
    assert.equal(shown.value.status, 'RUNNING');
    assert.ok(shown.ms < 1000, `run appeared after ${shown.ms} ms (goal < 1000 ms)`);

    appendFileSync(log, `${JSON.stringify({ v: 1, t: 'metrics', ts: now + 1, keys: ['f1'], values: [0.5], steps: [0], times: [now + 1] })}\n`);
    const metric = await waitFor('the metric update', () => {
      const run = api.experimentsView.snapshot().experiments.find((e) => e.label === 'live')?.runs.find((r) => r.id === LIVE_RUN);
      return run && /f1 0\.5/.test(run.description) ? run : undefined;
    }, 3000);
    assert.ok(metric.ms < 1000, `metric appeared after ${metric.ms} ms (goal < 1000 ms)`);

    // a half-written line waits for its newline; nothing is lost once it arrives
    appendFileSync(log, '{"v":1,"t":"run_end","ts":');
    await new Promise((resolve) => setTimeout(resolve, 400));
    assert.equal(store.getRun(LIVE_RUN)!.status, 'RUNNING');
    appendFileSync(log, `${now + 2},"status":"FINISHED"}\n`);
    await waitFor('the run to finish', () => (store.getRun(LIVE_RUN)?.status === 'FINISHED' ? true : undefined), 3000);
  });
});
