// Notebooks: the kernel bridge, driven by a stand-in for the Jupyter extension (which cannot be
// installed here) that implements its Kernels/Kernel API over a REAL ipykernel (jupyter_client),
// and the run card CodeLens on a saved notebook.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KernelSetupRecord } from '../../src/features/notebooks/kernelBridge';
import { RUN_CARD_MIME, isRunCardPayload, type RunCardPayload } from '../../src/protocol/notebookRunCard';
import { EXTENSION_ID, activatedApi, storeOf, waitFor, workspaceRoot } from './helpers';
import { StandInJupyterKernels, type StandInKernel } from './support/standInKernel';

const FIXTURE_RUN = '94214ee25aab4b0d9d75ec1da20b58ce';

function standInKernels(withStartEvent = false): StandInJupyterKernels {
  const python = process.env.MODELCLOUD_PYTHON;
  if (!python) throw new Error('MODELCLOUD_PYTHON is not set: the harness passes the venv python (with ipykernel and jupyter_client) to the extension host');
  const extension = vscode.extensions.getExtension(EXTENSION_ID);
  if (!extension) throw new Error(`extension ${EXTENSION_ID} is not loaded`);
  return new StandInJupyterKernels(python, join(extension.extensionPath, 'test', 'integration', 'support', 'kernel_stand_in.py'), withStartEvent);
}

/** A new empty notebook file in the workspace, opened as a document (the stable Jupyter API polls open notebooks). */
async function openEmptyNotebook(name: string): Promise<vscode.NotebookDocument> {
  const dir = join(workspaceRoot(), 'notebooks');
  mkdirSync(dir, { recursive: true });
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify({ cells: [], metadata: { kernelspec: { name: 'python3', display_name: 'Python 3', language: 'python' } }, nbformat: 4, nbformat_minor: 5 }));
  return vscode.workspace.openNotebookDocument(vscode.Uri.file(path));
}

async function execute(kernel: StandInKernel, code: string): Promise<Array<{ mime: string; text: string }>> {
  const items: Array<{ mime: string; text: string }> = [];
  const cancel = new vscode.CancellationTokenSource();
  for await (const output of kernel.executeCode(code, cancel.token)) {
    for (const item of output.items) items.push({ mime: item.mime, text: new TextDecoder().decode(item.data) });
  }
  cancel.dispose();
  return items;
}

function lastCard(items: Array<{ mime: string; text: string }>): RunCardPayload {
  const cards = items.filter((i) => i.mime === RUN_CARD_MIME).map((i) => JSON.parse(i.text) as unknown).filter(isRunCardPayload);
  const card = cards.at(-1);
  if (!card) throw new Error(`no run card among the outputs: ${JSON.stringify(items).slice(0, 600)}`);
  return card;
}

async function setupsReach(handle: { setups(): readonly KernelSetupRecord[] }, count: number, timeoutMs = 45_000): Promise<KernelSetupRecord> {
  const { value } = await waitFor(`${count} kernel setup(s)`, () => (handle.setups().length >= count ? handle.setups()[count - 1] : undefined), timeoutMs);
  return value;
}

describe('notebooks: kernel bridge with a stand-in for the Jupyter extension over a real ipykernel', function () {
  this.timeout(120_000);
  const cleanups: Array<() => unknown> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it('loads modelcloud into a kernel when it starts, runs %%mc_run into the Experiments view, and again after a restart', async () => {
    const api = await activatedApi();
    assert.ok(api.notebooks, 'the API has no notebooks part');
    const kernels = standInKernels();
    cleanups.push(() => kernels.dispose());
    const notebook = await openEmptyNotebook('bridge.ipynb');
    const handle = api.notebooks.attachKernels(kernels);
    cleanups.push(() => handle.dispose());

    // Start: found through getKernel (the stable API), setup runs, bridge_info comes back.
    const kernel = await kernels.startFor(notebook.uri, workspaceRoot());
    const first = await setupsReach(handle, 1);
    assert.equal(first.outcome, 'loaded', first.reason);
    assert.equal(first.info?.storeDir, join(workspaceRoot(), '.modelcloud'));
    assert.ok(first.info?.magics.includes('mc_run'), `magics: ${JSON.stringify(first.info?.magics)}`);
    assert.equal(kernel.executed.length, 1, 'setup ran once');

    // The magic works without %load_ext, logs to the workspace store, and the tree shows the run.
    const items = await execute(kernel, '%%mc_run --name bridge-run\nimport modelcloud\nfor i in range(5):\n    modelcloud.log_metric("f1", 0.5 + i / 10, step=i)\nmodelcloud.log_param("depth", 3)\n');
    const card = lastCard(items);
    assert.equal(card.status, 'FINISHED');
    assert.equal(card.storeDir, join(workspaceRoot(), '.modelcloud'));
    assert.deepEqual(card.metrics.f1?.spark, [0.5, 0.6, 0.7, 0.8, 0.9]);
    // Live ingest can show the run while its log is still being written (RUNNING), so wait for its end.
    const shown = await waitFor('the notebook run in the Experiments view, FINISHED', () => api.experimentsView.snapshot().experiments
      .flatMap((e) => e.runs).find((r) => r.id === card.runId && r.status === 'FINISHED'), 20_000);
    assert.equal(shown.value.label, 'bridge-run');

    // Restart: status restarting → idle, setup runs again in the new process.
    await kernels.restart(notebook.uri);
    const second = await setupsReach(handle, 2);
    assert.equal(second.outcome, 'loaded', second.reason);
    assert.equal(kernel.executed.length, 3, 'setup, the %%mc_run cell, setup again');
    const again = lastCard(await execute(kernel, '%%mc_run --name after-restart\nimport modelcloud\nmodelcloud.log_metric("f1", 0.75)\n'));
    assert.equal(again.status, 'FINISHED');
  });

  it('uses the start event of the proposed API when the provider offers it', async () => {
    const api = await activatedApi();
    const kernels = standInKernels(true);
    cleanups.push(() => kernels.dispose());
    const handle = api.notebooks!.attachKernels(kernels);
    cleanups.push(() => handle.dispose());
    await kernels.startFor(vscode.Uri.file(join(workspaceRoot(), 'notebooks', 'never-opened.ipynb')), workspaceRoot());
    const record = await setupsReach(handle, 1);
    assert.equal(record.outcome, 'loaded', record.reason);
  });

  it('runs nothing in a kernel when the workspace is not trusted', async () => {
    const api = await activatedApi();
    const kernels = standInKernels(true);
    cleanups.push(() => kernels.dispose());
    const handle = api.notebooks!.attachKernels(kernels, { isTrusted: () => false });
    cleanups.push(() => handle.dispose());
    const kernel = await kernels.startFor(vscode.Uri.file(join(workspaceRoot(), 'notebooks', 'untrusted.ipynb')), workspaceRoot());
    const record = await setupsReach(handle, 1);
    assert.equal(record.outcome, 'skipped');
    assert.equal(record.reason, 'workspace not trusted');
    assert.deepEqual(kernel.executed, []);
  });

  it('runs nothing in a kernel when modelcloud.notebooks.autoLoad is off', async () => {
    const api = await activatedApi();
    const settings = vscode.workspace.getConfiguration('modelcloud.notebooks');
    await settings.update('autoLoad', false, vscode.ConfigurationTarget.Workspace);
    cleanups.push(() => settings.update('autoLoad', undefined, vscode.ConfigurationTarget.Workspace));
    const kernels = standInKernels(true);
    cleanups.push(() => kernels.dispose());
    const handle = api.notebooks!.attachKernels(kernels);
    cleanups.push(() => handle.dispose());
    const kernel = await kernels.startFor(vscode.Uri.file(join(workspaceRoot(), 'notebooks', 'disabled.ipynb')), workspaceRoot());
    const record = await setupsReach(handle, 1);
    assert.equal(record.outcome, 'skipped');
    assert.match(record.reason ?? '', /autoLoad is off/);
    assert.deepEqual(kernel.executed, []);
  });

  it('stops asking for kernels once access is refused', async () => {
    const api = await activatedApi();
    const kernels = standInKernels();
    kernels.refuseAccess = true;
    cleanups.push(() => kernels.dispose());
    await openEmptyNotebook('refused.ipynb');
    const handle = api.notebooks!.attachKernels(kernels);
    cleanups.push(() => handle.dispose());
    await waitFor('the bridge to ask for a kernel', () => (kernels.getKernelCalls > 0 ? true : undefined), 5000);
    const calls = kernels.getKernelCalls;
    await new Promise((resolve) => setTimeout(resolve, 2500)); // > 2 poll intervals
    assert.equal(kernels.getKernelCalls, calls, 'no more getKernel calls after the refusal');
    assert.deepEqual(handle.setups(), []);
  });
});

describe('notebooks: run card CodeLens', function () {
  this.timeout(60_000);

  it('titles a saved run card cell "Run … · f1 … · Open", and Open ingests the run and opens its dashboard', async () => {
    const api = await activatedApi();
    const uri = vscode.Uri.file(join(workspaceRoot(), 'notebooks', 'run_card.ipynb'));
    const editor = await vscode.window.showNotebookDocument(await vscode.workspace.openNotebookDocument(uri));
    const cell = editor.notebook.getCells().find((c) => c.outputs.some((o) => o.items.some((i) => i.mime === RUN_CARD_MIME)));
    assert.ok(cell, 'the fixture notebook has a cell with a run card output');
    // CodeLens providers answer once the cell's text model exists: ask until they do.
    let found: vscode.CodeLens[] = [];
    for (let i = 0; i < 40 && found.length === 0; i++) {
      found = (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', cell.document.uri)) ?? [];
      found = found.filter((l) => l.command?.command === 'modelcloud.notebooks.openRun');
      if (found.length === 0) await new Promise((resolve) => setTimeout(resolve, 250));
    }
    assert.equal(found.length, 1, 'one lens for the one run');
    assert.match(found[0]!.command!.title, /^Run gbm-lr-0\.1 · f1 0\.9\d+ · Open$/);

    // The run is not in the store yet: Open ingests it first, then opens the dashboard.
    assert.equal(storeOf(api).getRun(FIXTURE_RUN), undefined);
    copyFileSync(join(workspaceRoot(), 'notebooks', 'run_card.run.jsonl'), join(workspaceRoot(), '.modelcloud', 'runs', `${FIXTURE_RUN}.jsonl`));
    const opened = await vscode.commands.executeCommand<boolean>(found[0]!.command!.command, ...(found[0]!.command!.arguments ?? []));
    assert.equal(opened, true);
    assert.equal(storeOf(api).getRun(FIXTURE_RUN)?.name, 'gbm-lr-0.1');
    await waitFor('the Run detail tab', () => vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((t) => t.label === 'Run: gbm-lr-0.1'), 10_000);
  });
});
