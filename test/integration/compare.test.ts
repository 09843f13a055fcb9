import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { ComparePanel } from '../../src/features/compare/comparePanel';
import type { CompareStateMessage, MetricDataMessage } from '../../src/protocol/compare';
import { activatedApi, waitFor, RUN_RF3, RUN_RF8 } from './helpers';

describe('Compare view', () => {
  let panel: ComparePanel | undefined;
  afterEach(() => panel?.dispose());

  it('opens for two runs by command, and the webview gets state and the default charts after ready', async () => {
    const api = await activatedApi();
    await api.ingestNow();
    panel = await vscode.commands.executeCommand<ComparePanel>('modelcloud.compareRuns', [RUN_RF3, RUN_RF8]);
    assert.ok(panel, 'the command returns the panel');
    // (an earlier suite renamed rf-depth-3 to "rf-depth-3 (baseline)")
    assert.match(panel.dashboard.panel.title, /^Compare: rf-depth-3.* · rf-depth-8$/);
    // The real webview loads its bundle and says ready; then the host posts the full state.
    await waitFor('the compare webview to say ready', () => (panel!.dashboard.isReady ? true : undefined), 15_000);
    const { value: state } = await waitFor('the state message', () => panel!.posted.find((m): m is CompareStateMessage => m.type === 'state'), 5000);
    assert.deepEqual(state.runs.map((r) => r.id), [RUN_RF3, RUN_RF8]);
    assert.deepEqual(state.metricKeys, ['accuracy', 'f1', 'loss']);
    assert.deepEqual(state.defaultMetrics, ['f1', 'accuracy', 'loss']);
    assert.deepEqual(state.missingRunIds, []);
    assert.equal(state.runs[0].params.max_depth, '3');
    assert.equal(state.runs[1].params.max_depth, '8');
    const { value: metrics } = await waitFor('the three default charts',
      () => { const m = panel!.posted.filter((x): x is MetricDataMessage => x.type === 'metric'); return m.length >= 3 ? m : undefined; }, 5000);
    assert.deepEqual(metrics.map((m) => m.key), ['f1', 'accuracy', 'loss']);
  });

  it('answers loadMetrics from the webview with each run\'s history (message round trip)', async () => {
    await activatedApi();
    panel = await vscode.commands.executeCommand<ComparePanel>('modelcloud.compareRuns', [RUN_RF3, RUN_RF8, 'f'.repeat(32)]);
    const replies = await panel!.handleMessage({ type: 'loadMetrics', keys: ['loss', 'no-such-metric'] });
    assert.deepEqual(replies.map((r) => r.type === 'metric' && r.key), ['loss', 'no-such-metric']);
    const loss = replies[0] as MetricDataMessage;
    assert.deepEqual(loss.series.map((s) => s.runId), [RUN_RF3, RUN_RF8]);
    assert.deepEqual(loss.series[0].values, [0.61, 0.42, 0.31]);
    assert.deepEqual(loss.series[0].steps, [0, 1, 2]);
    assert.equal(loss.series[0].totalPoints, 3);
    assert.deepEqual((replies[1] as MetricDataMessage).series, [], 'a metric nobody logged has no series');
    // an unknown run id is reported, not fatal
    assert.deepEqual(panel!.model.state().missingRunIds, ['f'.repeat(32)]);
  });

  it('takes the runs of several selected tree nodes', async () => {
    const api = await activatedApi();
    const store = api.store!;
    const nodes = [RUN_RF8, RUN_RF3].map((id) => ({ kind: 'run', run: store.getRun(id)! }));
    panel = await vscode.commands.executeCommand<ComparePanel>('modelcloud.compareRuns', nodes[0], nodes);
    assert.deepEqual(panel!.model.runIds, [RUN_RF8, RUN_RF3]);
  });
});
