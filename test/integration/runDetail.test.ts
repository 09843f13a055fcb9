import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { appendFileSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunDetailPanel } from '../../src/features/runDetail/runDetailPanel';
import type { RunDetailLiveMessage, RunDetailStateMessage } from '../../src/protocol/runDetail';
import { activatedApi, storeOf, waitFor, workspaceRoot, RUN_RF3 } from './helpers';

describe('Run detail view', () => {
  let panel: RunDetailPanel | undefined;
  afterEach(() => panel?.dispose());

  it('opens by command and sends the run\'s state after ready', async () => {
    const api = await activatedApi();
    await api.ingestNow();
    panel = await vscode.commands.executeCommand<RunDetailPanel>('modelcloud.run.openDetail', RUN_RF3);
    assert.ok(panel);
    await waitFor('the run detail webview to say ready', () => (panel!.dashboard.isReady ? true : undefined), 15_000);
    const { value: state } = await waitFor('the state message', () => panel!.posted.find((m): m is RunDetailStateMessage => m.type === 'state'), 5000);
    assert.equal(state.run.id, RUN_RF3);
    assert.equal(state.run.status, 'FINISHED');
    assert.equal(state.run.git.commit, '9c1e5f0a2b3c4d5e6f708192a3b4c5d6e7f80912');
    assert.equal(state.params.max_depth, '3');
    assert.deepEqual(state.metrics.map((m) => [m.key, m.value, m.steps.length]), [['accuracy', 0.917, 3], ['f1', 0.912, 3], ['loss', 0.31, 3]]);
  });

  it('edits tags and the note through the host message handler and stores them', async () => {
    const api = await activatedApi();
    const store = storeOf(api);
    panel = await vscode.commands.executeCommand<RunDetailPanel>('modelcloud.run.openDetail', RUN_RF3);
    let replies = await panel!.handleMessage({ type: 'setTag', key: 'reviewed', value: 'yes' });
    assert.equal(store.getRun(RUN_RF3)!.tags.reviewed, 'yes');
    assert.equal((replies[0] as RunDetailStateMessage).tags.reviewed, 'yes');

    replies = await panel!.handleMessage({ type: 'setTag', key: 'bad=key', value: 'x' });
    assert.equal(replies[0].type, 'error');
    assert.equal(store.getRun(RUN_RF3)!.tags['bad'], undefined);

    replies = await panel!.handleMessage({ type: 'deleteTag', key: 'reviewed' });
    assert.equal(store.getRun(RUN_RF3)!.tags.reviewed, undefined);

    const note = '# Baseline\n\n- depth **3**\n<script>alert(1)</script>';
    replies = await panel!.handleMessage({ type: 'saveNote', text: note });
    assert.equal(store.getRun(RUN_RF3)!.tags['mlflow.note.content'], note);
    assert.equal((replies[0] as RunDetailStateMessage).note, note);
    assert.equal((replies[0] as RunDetailStateMessage).tags['mlflow.note.content'], undefined, 'the note is not listed as a tag');
    await panel!.handleMessage({ type: 'saveNote', text: '  ' });
    assert.equal(store.getRun(RUN_RF3)!.tags['mlflow.note.content'], undefined, 'an empty note removes the tag');

    replies = await panel!.handleMessage({ type: 'openArtifact', sha256: '0'.repeat(64) });
    assert.equal(replies[0].type, 'error', 'an artifact the run does not have is refused');
  });

  it('deletes a soft-deleted run permanently with its unshared artifact blobs', async () => {
    const api = await activatedApi();
    const store = storeOf(api);
    const storeDir = join(workspaceRoot(), '.modelcloud');
    const runId = 'e'.repeat(32);
    const keeper = 'd'.repeat(32);
    const own = 'a1'.repeat(32);
    const shared = 'b2'.repeat(32);
    const blob = (sha: string): string => join(storeDir, 'artifacts', sha.slice(0, 2), sha.slice(2));
    for (const sha of [own, shared]) {
      mkdirSync(join(storeDir, 'artifacts', sha.slice(0, 2)), { recursive: true });
      writeFileSync(blob(sha), 'bytes');
    }
    store.apply({
      runs: [
        { id: runId, experiment: 'wine-quality', name: 'to-purge', status: 'FINISHED', startMs: 1, origin: 'modelcloud' },
        { id: keeper, experiment: 'wine-quality', name: 'keeps-shared', status: 'FINISHED', startMs: 1, origin: 'modelcloud' },
      ],
      artifacts: [
        { runId, path: 'model.pkl', size: 5, sha256: own },
        { runId, path: 'shared.csv', size: 5, sha256: shared },
        { runId: keeper, path: 'shared.csv', size: 5, sha256: shared },
      ],
    });
    try {
      // Only runs in the trash can be purged.
      const refused = await vscode.commands.executeCommand('modelcloud.run.deletePermanently', { kind: 'deletedRun', run: store.getRun(runId)! }, true);
      assert.equal(refused, undefined);
      assert.ok(store.getRun(runId));

      store.softDeleteRun(runId);
      assert.ok(store.listDeletedRuns().some((r) => r.id === runId));
      const result = await vscode.commands.executeCommand<{ artifactsFreed: string[] }>(
        'modelcloud.run.deletePermanently', { kind: 'deletedRun', run: store.getRun(runId)! }, true);
      assert.deepEqual(result?.artifactsFreed, [own]);
      assert.equal(store.getRun(runId), undefined);
      assert.equal(existsSync(blob(own)), false, 'the blob only this run used is gone');
      assert.equal(existsSync(blob(shared)), true, 'the blob another run uses stays');
    } finally {
      store.apply({ resetRuns: [runId, keeper] });
    }
  });

  it('updates live while the run logs: metrics, charts and status, without a full state', async () => {
    const api = await activatedApi();
    await api.ingestNow();
    const store = storeOf(api);
    const runId = 'de7a11ede7a11ede7a11ede7a11ede7a';
    const log = join(workspaceRoot(), '.modelcloud', 'runs', `${runId}.jsonl`);
    const now = Date.now();
    const line = (event: object): string => `${JSON.stringify({ v: 1, ...event })}\n`;
    writeFileSync(log, line({ t: 'run_start', ts: now, run: runId, experiment: 'live-detail', name: 'watched', source: { kind: 'script', path: 'train.py' } })
      + line({ t: 'metrics', ts: now, keys: ['loss'], values: [1], steps: [0], times: [now] }));
    try {
      await waitFor('the run in the store', () => (store.getRun(runId)?.metrics.loss ? true : undefined), 5000);
      panel = await vscode.commands.executeCommand<RunDetailPanel>('modelcloud.run.openDetail', runId);
      await waitFor('the run detail webview to say ready', () => (panel!.dashboard.isReady ? true : undefined), 15_000);
      const { value: state } = await waitFor('the state message', () => panel!.posted.find((m): m is RunDetailStateMessage => m.type === 'state'), 5000);
      assert.equal(state.run.status, 'RUNNING');
      assert.deepEqual(state.metrics.map((m) => [m.key, m.steps.length]), [['loss', 1]]);
      const statesBefore = panel!.posted.filter((m) => m.type === 'state').length;

      appendFileSync(log, line({ t: 'metrics', ts: now + 1, keys: ['loss', 'loss', 'f1'], values: [0.5, 0.25, 0.8], steps: [1, 2, 2], times: [now + 1, now + 2, now + 2] }));
      const { value: metrics } = await waitFor('a live update with the new metrics', () => panel!.posted.find((m): m is RunDetailLiveMessage =>
        m.type === 'live' && m.metrics.some((x) => x.key === 'f1')), 5000);
      assert.deepEqual(metrics.metrics.map((m) => [m.key, m.value, m.steps]), [['f1', 0.8, [2]], ['loss', 0.25, [0, 1, 2]]]);
      assert.equal(metrics.run.status, 'RUNNING');

      appendFileSync(log, line({ t: 'run_end', ts: now + 3, status: 'FINISHED' }));
      const { value: finished } = await waitFor('a live update with the final status', () => panel!.posted.find((m): m is RunDetailLiveMessage =>
        m.type === 'live' && m.run.status === 'FINISHED'), 5000);
      assert.equal(finished.run.endMs, now + 3);
      assert.equal(panel!.posted.filter((m) => m.type === 'state').length, statesBefore, 'live changes never resend the full state');
      assert.equal(panel!.posted.filter((m) => m.type === 'error').length, 0);

      // Nothing new for this run (another run changes): no message.
      const count = panel!.posted.length;
      await api.ingestNow();
      store.setTag(RUN_RF3, 'touched', 'yes');
      await new Promise((resolve) => setTimeout(resolve, 1200));
      assert.equal(panel!.posted.length, count, 'changes to other runs send nothing');
      store.deleteTag(RUN_RF3, 'touched');
    } finally {
      rmSync(log, { force: true });
      store.apply({ resetRuns: [runId] });
      const experiment = store.listExperiments().find((e) => e.name === 'live-detail');
      if (experiment) store.softDeleteExperiment(experiment.id);
    }
  });
});
