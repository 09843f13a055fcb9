// The model registry in the real extension host: Register Model… on a file from the explorer
// (content-addressed blob on disk, a new version), Transition Stage (with archiving of the current
// Production), Set Alias (validated), Copy URI, Delete Version, Select Best Model Version from the
// setting's environments, and the Models view's badges. Commands get their answers as arguments,
// so nothing prompts. A second RegistryStore on the same database checks what was written.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { COMMAND, REGISTRY_SETTINGS } from '../../src/features/commandIds';
import { RegistryStore, type ModelVersionDetail } from '../../src/platform/registry/registryStore';
import type { SelectBestResult } from '../../src/features/models/selectBest';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { saveRemote, remotesPath } from '../../src/platform/remote/remotesConfig';
import { activatedApi, RUN_RF3, RUN_RF8, storeOf, workspaceRoot } from './helpers';

const MODEL = 'it-registry-wine';

describe('model registry: Models view and commands', () => {
  let registry: RegistryStore;
  const files: string[] = [];

  before(async () => {
    const api = await activatedApi();
    registry = new RegistryStore(storeOf(api).path);
  });
  after(async () => {
    for (const v of registry.getModel(MODEL)?.versions ?? []) registry.deleteVersion(MODEL, v.version);
    registry.close();
    for (const f of files) rmSync(f, { force: true });
    await vscode.workspace.getConfiguration(REGISTRY_SETTINGS.section).update(REGISTRY_SETTINGS.environments, undefined, vscode.ConfigurationTarget.Workspace);
  });

  /** A run log with one artifact (blob in the store), ingested: the run Register from Run Artifact starts from. */
  async function runWithArtifact(api: Awaited<ReturnType<typeof activatedApi>>) {
    const runId = 'fe11a7e0000000000000000000000001';
    const content = 'model logged by a run';
    const sha = createHash('sha256').update(content).digest('hex');
    const blob = join(workspaceRoot(), '.modelcloud', 'artifacts', sha.slice(0, 2), sha.slice(2));
    mkdirSync(dirname(blob), { recursive: true });
    writeFileSync(blob, content);
    const log = join(workspaceRoot(), '.modelcloud', 'runs', `${runId}.jsonl`);
    const ts = Date.now();
    writeFileSync(log, [
      { v: 1, t: 'run_start', ts, run: runId, experiment: 'registry-it', name: 'registry-run', user: 'it', host: 'it', pid: 1, source: { kind: 'script', path: 'train.py' }, tags: {} },
      { v: 1, t: 'artifact', ts: ts + 1, path: 'model/model.pkl', size: Buffer.byteLength(content), sha256: sha },
      { v: 1, t: 'run_end', ts: ts + 2, status: 'FINISHED' },
    ].map((e) => JSON.stringify(e)).join('\n') + '\n');
    await api.ingestNow();
    const run = storeOf(api).getRun(runId);
    assert.ok(run && run.artifacts.length === 1, `the run was ingested with its artifact: ${JSON.stringify(run?.artifacts)}`);
    return run;
  }

  function modelFile(name: string, content: string): vscode.Uri {
    const path = join(workspaceRoot(), 'models', name);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, content);
    files.push(path);
    return vscode.Uri.file(path);
  }

  it('registers a file from the explorer: the blob is stored content-addressed and a version is created', async () => {
    const content = 'not really a pickle, but bytes all the same';
    const sha = createHash('sha256').update(content).digest('hex');
    const version = await vscode.commands.executeCommand<ModelVersionDetail>(COMMAND.registerModelFile, modelFile('wine.pkl', content), MODEL);
    assert.ok(version, 'the command returned the new version');
    assert.equal(version.version, 1);
    assert.deepEqual(version.files, [{ path: 'wine.pkl', sha256: sha, size: Buffer.byteLength(content) }]);
    assert.equal(version.runId, null);
    assert.equal(version.flavor, 'pickle');
    const blob = join(workspaceRoot(), '.modelcloud', 'artifacts', sha.slice(0, 2), sha.slice(2));
    assert.ok(existsSync(blob), `blob at ${blob}`);
    assert.equal(readFileSync(blob, 'utf8'), content);
    const second = await vscode.commands.executeCommand<ModelVersionDetail>(COMMAND.registerModelFile, modelFile('wine-v2.joblib', 'second model'), MODEL);
    assert.equal(second.version, 2);
    assert.equal(registry.getModel(MODEL)!.versions.length, 2);
  });

  it('transitions stages, archiving the current Production, and records the reason', async () => {
    await vscode.commands.executeCommand(COMMAND.modelTransitionStage, { name: MODEL, version: 1 }, 'Production');
    await vscode.commands.executeCommand(COMMAND.modelTransitionStage, `models:/${MODEL}/2`, 'Production', { archiveExisting: true, reason: 'better f1' });
    const stages = registry.getModel(MODEL)!.versions.map((v) => [v.version, v.stage]);
    assert.deepEqual(stages, [[1, 'Archived'], [2, 'Production']]);
    const last = registry.transitions(MODEL, 2).pop()!;
    assert.equal(last.reason, 'better f1');
    // Moving a version to the stage it is in changes nothing (the error is shown, not thrown).
    const none = await vscode.commands.executeCommand(COMMAND.modelTransitionStage, { name: MODEL, version: 2 }, 'Production');
    assert.equal(none, undefined);
    assert.equal(registry.transitions(MODEL).length, 3);
  });

  it('sets an alias, rejecting an invalid one without changing anything', async () => {
    assert.equal(await vscode.commands.executeCommand(COMMAND.modelSetAlias, { name: MODEL, version: 2 }, 'champion'), 'champion');
    assert.equal(await vscode.commands.executeCommand(COMMAND.modelSetAlias, { name: MODEL, version: 1 }, '12'), undefined);
    assert.equal(await vscode.commands.executeCommand(COMMAND.modelSetAlias, { name: MODEL, version: 1 }, 'has space'), undefined);
    assert.deepEqual(registry.getModel(MODEL)!.versions.map((v) => v.aliases), [[], ['champion']]);
    assert.equal(registry.resolve(`models:/${MODEL}@champion`).version, 2);
  });

  it('shows the model with stage badges, aliases and files in the Models view', async () => {
    const api = await activatedApi();
    assert.ok(api.modelsView, 'the API exposes the Models view');
    const model = api.modelsView.snapshot().models.find((m) => m.label === MODEL);
    assert.ok(model, `the view lists ${MODEL}: ${JSON.stringify(api.modelsView.snapshot())}`);
    assert.equal(model.description, '2 versions');
    assert.deepEqual(model.versions.map((v) => [v.label, v.description, v.contextValue]), [
      ['v2', 'Production · @champion', 'modelVersion'],
      ['v1', 'Archived', 'modelVersion'],
    ]);
    const sha = createHash('sha256').update('second model').digest('hex');
    assert.deepEqual(model.versions[0].files, [{ label: 'wine-v2.joblib', description: `12 B · ${sha.slice(0, 8)}` }]);
  });

  it('copies the URI of a version and deletes a version after confirmation', async () => {
    assert.equal(await vscode.commands.executeCommand(COMMAND.modelCopyUri, { name: MODEL, version: 2 }), `models:/${MODEL}/2`);
    assert.equal(await vscode.env.clipboard.readText(), `models:/${MODEL}/2`);
    const third = await vscode.commands.executeCommand<ModelVersionDetail>(COMMAND.registerModelFile, modelFile('wine.onnx', 'third'), MODEL);
    assert.equal(await vscode.commands.executeCommand(COMMAND.modelDeleteVersion, { name: MODEL, version: third.version }, { confirmed: true }), true);
    assert.deepEqual(registry.getModel(MODEL)!.versions.map((v) => v.version), [1, 2]);
  });

  it('registers a run artifact from the Experiments tree as a version linked to the run', async () => {
    const api = await activatedApi();
    const run = await runWithArtifact(api);
    const artifact = run.artifacts[0];
    const name = `${MODEL}-from-run`;
    const node = { kind: 'run', run: { id: run.id } };
    const version = await vscode.commands.executeCommand<ModelVersionDetail>(COMMAND.registerModelFromRun, node, 'model', name);
    try {
      assert.equal(version.runId, run.id);
      // The folder "model": its files with paths relative to it.
      assert.deepEqual(version.files, [{ path: 'model.pkl', sha256: artifact.sha256, size: artifact.size }]);
      assert.equal(version.source, `runs:/${run.id}/model`);
      assert.equal(version.flavor, 'pickle');
      const row = api.modelsView!.snapshot().models.find((m) => m.label === name)!.versions[0];
      assert.equal(row.contextValue, 'modelVersion.run', 'Open Source Run is offered for it');
      const panel = await vscode.commands.executeCommand(COMMAND.modelOpenSourceRun, { name, version: version.version });
      assert.ok(panel, 'Open Source Run opened the run detail');
      // An artifact the run does not have registers nothing.
      assert.equal(await vscode.commands.executeCommand(COMMAND.registerModelFromRun, run.id, 'no/such/artifact', name), undefined);
      assert.equal(registry.getModel(name)!.versions.length, 1);
    } finally {
      registry.deleteVersion(name, version.version);
    }
  });

  it('Push to Remote talks to the configured S3 endpoint and reports its failure without changing the version', async () => {
    const storeDir = join(workspaceRoot(), '.modelcloud');
    assert.equal(await vscode.commands.executeCommand(COMMAND.modelPush, { name: MODEL, version: 2 }), undefined, 'no remotes: nothing to push to');
    // A real HTTP endpoint that refuses every request: the push must reach it, for the right bucket.
    const seen: string[] = [];
    const server = createServer((req: IncomingMessage, res) => { seen.push(`${req.method} ${req.url}`); res.writeHead(403).end('<Error><Code>AccessDenied</Code></Error>'); });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    // Test-only credentials through the AWS default chain (the extension host shares this env).
    const savedEnv = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };
    process.env.AWS_ACCESS_KEY_ID = 'it-key';
    process.env.AWS_SECRET_ACCESS_KEY = 'it-secret';
    try {
      const port = (server.address() as AddressInfo).port;
      saveRemote(storeDir, { name: 'it-remote', url: 's3://it-bucket/models', endpoint: `http://127.0.0.1:${port}` });
      const before = registry.getModel(MODEL)!.versions;
      assert.equal(await vscode.commands.executeCommand(COMMAND.modelPush, { name: MODEL, version: 2 }, 'it-remote'), undefined);
      assert.ok(seen.some((line) => line.includes('/it-bucket/')), `the push reached the endpoint for it-bucket: ${JSON.stringify(seen)}`);
      assert.deepEqual(registry.getModel(MODEL)!.versions, before);
      assert.equal(await vscode.commands.executeCommand(COMMAND.modelPull, { name: MODEL, version: 2 }, 'it-remote'), undefined);
    } finally {
      server.close();
      rmSync(remotesPath(storeDir), { force: true });
      for (const [key, value] of [['AWS_ACCESS_KEY_ID', savedEnv.id], ['AWS_SECRET_ACCESS_KEY', savedEnv.secret]] as const) {
        if (value === undefined) delete process.env[key]; else process.env[key] = value;
      }
    }
  });

  it('selects the best version an environment of the setting accepts, with a reason for every version', async () => {
    const api = await activatedApi();
    const rf3 = storeOf(api).getRun(RUN_RF3)!;
    const rf8 = storeOf(api).getRun(RUN_RF8)!;
    const metric = Object.keys(rf3.metrics).find((k) => typeof rf3.metrics[k].value === 'number' && typeof rf8.metrics[k]?.value === 'number');
    assert.ok(metric, 'the fixture runs share a metric');
    const blob = registry.getModel(MODEL)!.versions[0].files;
    const name = `${MODEL}-runs`;
    const v1 = registry.createVersion(name, { runId: RUN_RF3, files: blob }).version;
    const v2 = registry.createVersion(name, { runId: RUN_RF8, files: blob }).version;
    const v3 = registry.createVersion(name, { runId: null, files: blob }).version;
    try {
      await vscode.workspace.getConfiguration(REGISTRY_SETTINGS.section)
        .update(REGISTRY_SETTINGS.environments, { int: `<=${v3}`, prod: `=${v1}` }, vscode.ConfigurationTarget.Workspace);
      const int = await vscode.commands.executeCommand<SelectBestResult>(COMMAND.selectBestModelVersion, { environment: 'int', model: name, metric, direction: 'max' });
      const best = rf3.metrics[metric].value! > rf8.metrics[metric].value! ? v1 : v2;
      assert.equal(int.best?.version, best);
      assert.deepEqual(int.reasons.map((r) => r.status).sort(), ['candidate', 'missing-metric', 'selected']);
      const prod = await vscode.commands.executeCommand<SelectBestResult>(COMMAND.selectBestModelVersion, { environment: 'prod', model: name, metric, direction: 'min' });
      assert.equal(prod.best?.version, v1);
      assert.equal(prod.reasons.filter((r) => r.status === 'excluded-by-range').length, 2);
      const shown = vscode.window.activeTextEditor?.document.getText() ?? '';
      assert.match(shown, new RegExp(`Selected: v${v1}`));
    } finally {
      for (const v of [v1, v2, v3]) registry.deleteVersion(name, v);
    }
  });
});
