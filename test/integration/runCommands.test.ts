import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { activatedApi, storeOf, RUN_RF3 } from './helpers';

describe('run commands', () => {
  it('renames a run, adds a tag, deletes it and undoes the delete', async () => {
    const api = await activatedApi();
    await api.ingestNow();
    const store = storeOf(api);
    const node = () => ({ kind: 'run', run: store.getRun(RUN_RF3)! });

    await vscode.commands.executeCommand('modelcloud.run.rename', node(), 'rf-depth-3 (baseline)');
    assert.equal(store.getRun(RUN_RF3)!.name, 'rf-depth-3 (baseline)');

    await vscode.commands.executeCommand('modelcloud.run.addTag', node(), 'dataset=wine-v2');
    assert.equal(store.getRun(RUN_RF3)!.tags.dataset, 'wine-v2');
    // a malformed tag changes nothing
    await vscode.commands.executeCommand('modelcloud.run.addTag', node(), 'no equals sign');
    assert.equal(Object.keys(store.getRun(RUN_RF3)!.tags).includes('no equals sign'), false);

    await vscode.commands.executeCommand('modelcloud.run.delete', node());
    assert.equal(store.getRun(RUN_RF3)!.deleted, true);
    const hidden = await waitForSnapshot(api, (ids) => !ids.includes(RUN_RF3));
    assert.ok(hidden, 'the deleted run left the tree');

    await vscode.commands.executeCommand('modelcloud.undoLastDelete');
    assert.equal(store.getRun(RUN_RF3)!.deleted, false);
    assert.ok(await waitForSnapshot(api, (ids) => ids.includes(RUN_RF3)), 'the restored run is back in the tree');
  });

  it('refuses an empty run name', async () => {
    const api = await activatedApi();
    const store = storeOf(api);
    const before = store.getRun(RUN_RF3)!.name;
    await vscode.commands.executeCommand('modelcloud.run.rename', { kind: 'run', run: store.getRun(RUN_RF3)! }, '   ');
    assert.equal(store.getRun(RUN_RF3)!.name, before);
  });
});

async function waitForSnapshot(api: Awaited<ReturnType<typeof activatedApi>>, ok: (runIds: string[]) => boolean): Promise<boolean> {
  for (let i = 0; i < 40; i++) {
    const ids = api.experimentsView.snapshot().experiments.flatMap((e) => e.runs.map((r) => r.id));
    if (ok(ids)) return true;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return false;
}
