// The model Version detail view and the rest of issue #5's UI in the real extension host: the
// lineage (a run log with a log_input data file and metrics, a tracked dataset with the same
// bytes, a service revision recorded the way deploys record it), Compare Versions, Track Data
// File, credentials from SecretStorage reaching a real HTTP endpoint, and registry edits made by
// the real CLI in another process showing in the Models view and the open panel without Refresh.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { COMMAND } from '../../src/features/commandIds';
import { RegistryStore } from '../../src/platform/registry/registryStore';
import { RevisionStore } from '../../src/platform/store/revisionStore';
import { openStoreDatabase } from '../../src/platform/store/openStoreDatabase';
import { resolvedModelConfig } from '../../src/platform/registry/deployedModel';
import { saveRemote, remotesPath } from '../../src/platform/remote/remotesConfig';
import type { VersionDetailPanel } from '../../src/features/versionDetail/versionDetailPanel';
import type { VersionDetailStateMessage } from '../../src/protocol/versionDetail';
import type { ComparePanel } from '../../src/features/compare/comparePanel';
import type { TrackDataResult } from '../../src/platform/registry/trackDataFile';
import { activatedApi, storeOf, waitFor, workspaceRoot } from './helpers';

const MODEL = 'it-lineage-wine';
const DATASET = 'it-lineage-data.csv';
const SERVICE = 'it-lineage-svc';
const RUN = 'da7a11e0000000000000000000000001';
const DATA = 'alcohol,quality\n12.1,6\n9.8,5\n';

describe('model version detail, lineage, datasets and remote credentials', () => {
  let registry: RegistryStore;
  let revisions: RevisionStore;
  let dbPathOfSuite = '';
  const cleanup: string[] = [];

  before(async () => {
    const api = await activatedApi();
    registry = new RegistryStore(storeOf(api).path);
    revisions = new RevisionStore(storeOf(api).path);
    dbPathOfSuite = storeOf(api).path;
  });
  after(() => {
    for (const name of [MODEL, DATASET]) for (const v of registry.getModel(name)?.versions ?? []) registry.deleteVersion(name, v.version);
    registry.close();
    revisions.close();
    // The service revisions this suite wrote stand in for a deploy; leave no service behind.
    const db = openStoreDatabase(dbPathOfSuite);
    try { db.prepare('DELETE FROM service_revisions WHERE service = ?').run(SERVICE); } finally { db.close(); }
    for (const f of cleanup) rmSync(f, { force: true, recursive: true });
  });

  /** A run log with a data input (log_input's tags and artifact), params and a metric, ingested. */
  async function runWithDataInput(): Promise<void> {
    const api = await activatedApi();
    const sha = createHash('sha256').update(DATA).digest('hex');
    const blob = join(workspaceRoot(), '.modelcloud', 'artifacts', sha.slice(0, 2), sha.slice(2));
    mkdirSync(dirname(blob), { recursive: true });
    writeFileSync(blob, DATA);
    const log = join(workspaceRoot(), '.modelcloud', 'runs', `${RUN}.jsonl`);
    cleanup.push(log);
    const ts = Date.now();
    const input = `modelcloud.input.${DATASET}.`;
    writeFileSync(log, [
      { v: 1, t: 'run_start', ts, run: RUN, experiment: 'lineage-it', name: 'lineage-run', user: 'it', host: 'it', pid: 1, source: { kind: 'script', path: 'train.py' }, tags: {} },
      { v: 1, t: 'params', ts, params: { n_estimators: '50' } },
      { v: 1, t: 'artifact', ts, path: `inputs/${DATASET}`, size: Buffer.byteLength(DATA), sha256: sha },
      { v: 1, t: 'tags', ts, tags: { [`${input}sha256`]: sha, [`${input}size`]: String(Buffer.byteLength(DATA)), [`${input}path`]: `data/${DATASET}`, [`${input}context`]: 'training' } },
      { v: 1, t: 'metrics', ts, keys: ['f1'], values: [0.91], steps: [0], times: [ts] },
      { v: 1, t: 'run_end', ts: ts + 1, status: 'FINISHED' },
    ].map((e) => JSON.stringify(e)).join('\n') + '\n');
    await api.ingestNow();
    assert.ok(storeOf(api).getRun(RUN), 'the run was ingested');
  }

  function dataFile(): vscode.Uri {
    const path = join(workspaceRoot(), 'data', DATASET);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, DATA);
    cleanup.push(join(workspaceRoot(), 'data'));
    return vscode.Uri.file(path);
  }

  async function latestState(panel: VersionDetailPanel, what: string, check: (s: VersionDetailStateMessage) => boolean = () => true): Promise<VersionDetailStateMessage> {
    return (await waitFor(what, () => [...panel.posted].reverse().find((m): m is VersionDetailStateMessage => m.type === 'state' && check(m)), 8000)).value;
  }

  it('Track Data File registers a dataset version, says "unchanged" for the same bytes, and the Models view marks it', async () => {
    const uri = dataFile();
    const first = await vscode.commands.executeCommand<TrackDataResult>(COMMAND.trackDataFile, uri, DATASET);
    assert.equal(first.unchanged, false);
    assert.equal(first.version.files[0].sha256, createHash('sha256').update(DATA).digest('hex'));
    const again = await vscode.commands.executeCommand<TrackDataResult>(COMMAND.trackDataFile, uri, DATASET);
    assert.deepEqual([again.unchanged, again.version.version], [true, first.version.version]);
    assert.equal(registry.getModel(DATASET)!.versions.length, 1, 'nothing was created the second time');
    const api = await activatedApi();
    const row = api.modelsView!.snapshot().models.find((m) => m.label === DATASET);
    assert.equal(row?.description, '1 version · dataset');
  });

  it('opens a version with its lineage: data input (linked to the dataset) → run → version → service revisions', async () => {
    await runWithDataInput();
    const v1 = registry.createVersion(MODEL, { runId: RUN, files: registry.getModel(DATASET)!.versions[0].files, signature: { inputs: [{ name: 'alcohol', type: 'double' }], outputs: null } });
    registry.transitionStage(MODEL, v1.version, 'Staging', { user: 'it', reason: 'first candidate' });
    registry.setAlias(MODEL, v1.version, 'champion');
    // Service revisions as a deploy writes them: an alias URI with its resolution recorded, and an
    // older alias deploy from before resolutions were recorded.
    const dbPath = storeOf(await activatedApi()).path;
    const old = revisions.create({ service: SERVICE, target: 'local', digest: 'sha256:0', modelVersion: `models:/${MODEL}/Production`, config: {} });
    const rev = revisions.create({ service: SERVICE, target: 'local', digest: 'sha256:1', modelVersion: `models:/${MODEL}@champion`, config: { ...resolvedModelConfig(dbPath, `models:/${MODEL}@champion`) } });
    revisions.markActive(SERVICE, rev.revision);

    const panel = await vscode.commands.executeCommand<VersionDetailPanel>(COMMAND.modelOpenVersion, { kind: 'version', model: MODEL, version: v1 });
    assert.ok(panel, 'the command returned the panel');
    try {
      const s = await latestState(panel, 'the state message');
      assert.equal(s.uri, `models:/${MODEL}/${v1.version}`);
      assert.deepEqual([s.stage, s.aliases], ['Staging', ['champion']]);
      assert.deepEqual(s.signature?.inputs, [{ name: 'alcohol', type: 'double' }]);
      assert.deepEqual(s.transitions.map((t) => [t.from, t.to, t.user, t.reason]), [['None', 'Staging', 'it', 'first candidate']]);
      assert.equal(s.files[0].cached, true, 'the blob is in the local cache');
      assert.equal(s.run?.id, RUN);
      assert.deepEqual(s.run?.metrics, [{ key: 'f1', value: 0.91 }]);
      assert.deepEqual(s.run?.params, { n_estimators: '50' });
      assert.deepEqual(s.inputs.map((i) => [i.name, i.context, i.dataset?.name]), [[DATASET, 'training', DATASET]]);
      assert.deepEqual(s.deployments.map((d) => [d.service, d.revision, d.match, d.status]),
        [[SERVICE, rev.revision, 'serves', 'active'], [SERVICE, old.revision, 'unknown', 'retired']]);
      // The same command reveals the open tab rather than opening a second one.
      assert.equal(await vscode.commands.executeCommand(COMMAND.modelOpenVersion, `models:/${MODEL}/${v1.version}`), panel);
      // Open Source Run from the panel opens the run detail (the Models view's command).
      await panel.handleMessage({ type: 'openSourceRun' });
    } finally {
      panel.dispose();
    }
  });

  it('shows a stage change made by the CLI in another process in the Models view and the open panel, without Refresh', async () => {
    const api = await activatedApi();
    const version = registry.getModel(MODEL)!.versions[0].version;
    const panel = await vscode.commands.executeCommand<VersionDetailPanel>(COMMAND.modelOpenVersion, { name: MODEL, version });
    try {
      await latestState(panel, 'the first state');
      // This bundle is dist/test/suite/index.js; the CLI is dist/cli.js.
      const cli = join(__dirname, '..', '..', 'cli.js');
      const started = Date.now();
      await promisify(execFile)(process.execPath, [cli, 'stage', MODEL, String(version), 'Production', '--reason', 'from the terminal'], { cwd: workspaceRoot(), timeout: 30_000 });
      const cliMs = Date.now() - started;
      const { ms } = await waitFor('the Models view to show Production', () => {
        const row = api.modelsView!.snapshot().models.find((m) => m.label === MODEL)?.versions.find((v) => v.label === `v${version}`);
        return row?.description.startsWith('Production') ? true : undefined;
      }, 5000);
      const s = await latestState(panel, 'the panel to show Production', (m) => m.stage === 'Production');
      assert.equal(s.transitions.at(-1)?.reason, 'from the terminal');
      console.log(`      (CLI ran in ${cliMs} ms; the view showed the change ${ms} ms after it exited)`);
    } finally {
      panel.dispose();
    }
  });

  it('Compare Versions opens the source runs and leaves out versions without a run, explained', async () => {
    const files = registry.getModel(MODEL)!.versions[0].files;
    const noRun = registry.createVersion(MODEL, { runId: null, files });
    const withRun = registry.createVersion(MODEL, { runId: RUN, files });
    const versions = registry.getModel(MODEL)!.versions.map((v) => v.version);
    const panel = await vscode.commands.executeCommand<ComparePanel | undefined>(COMMAND.modelCompareVersions, { name: MODEL, versions });
    try {
      assert.ok(panel, 'the compare view opened');
      assert.deepEqual(panel.model.runIds, [RUN], 'one run: the version without a run is left out and the shared run compared once');
    } finally {
      panel?.dispose();
    }
    // Only a version without a run: nothing opens.
    assert.equal(await vscode.commands.executeCommand(COMMAND.modelCompareVersions, { name: MODEL, versions: [noRun.version] }), undefined);
    registry.deleteVersion(MODEL, noRun.version);
    registry.deleteVersion(MODEL, withRun.version);
  });

  it('Push uses the credentials stored in SecretStorage for the remote, not once remotes.json points it elsewhere, and the AWS default chain once they are cleared', async () => {
    const storeDir = join(workspaceRoot(), '.modelcloud');
    const auth: string[] = [];
    const server = createServer((req: IncomingMessage, res) => { auth.push(String(req.headers.authorization ?? '')); res.writeHead(403).end('<Error><Code>AccessDenied</Code></Error>'); });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const otherAuth: string[] = [];
    const otherServer = createServer((req: IncomingMessage, res) => { otherAuth.push(String(req.headers.authorization ?? '')); res.writeHead(403).end('<Error><Code>AccessDenied</Code></Error>'); });
    await new Promise<void>((resolve) => otherServer.listen(0, '127.0.0.1', resolve));
    const savedEnv = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };
    process.env.AWS_ACCESS_KEY_ID = 'ENVCHAINKEY';
    process.env.AWS_SECRET_ACCESS_KEY = 'env-secret';
    try {
      saveRemote(storeDir, { name: 'it-cred', url: 's3://it-bucket/models', endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
      assert.equal(await vscode.commands.executeCommand(COMMAND.setRemoteCredentials, 'it-cred', 'STOREDKEYID', 'stored-secret'), true);
      const target = { name: MODEL, version: registry.getModel(MODEL)!.versions[0].version };
      await vscode.commands.executeCommand(COMMAND.modelPush, target, 'it-cred');
      assert.ok(auth.length > 0 && auth.every((a) => a.includes('Credential=STOREDKEYID/')), `signed with the stored key: ${JSON.stringify(auth.map((a) => a.slice(0, 60)))}`);
      // remotes.json is workspace content: pointed at another server, the remote no longer gets the stored key.
      saveRemote(storeDir, { name: 'it-cred', url: 's3://it-bucket/models', endpoint: `http://127.0.0.1:${(otherServer.address() as AddressInfo).port}` });
      auth.length = 0;
      await vscode.commands.executeCommand(COMMAND.modelPush, target, 'it-cred');
      assert.ok(otherAuth.length > 0 && otherAuth.every((a) => a.includes('Credential=ENVCHAINKEY/')),
        `the moved remote is signed with the default chain, not the stored key: ${JSON.stringify(otherAuth.map((a) => a.slice(0, 60)))}`);
      assert.equal(auth.length, 0);
      saveRemote(storeDir, { name: 'it-cred', url: 's3://it-bucket/models', endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
      assert.equal(await vscode.commands.executeCommand(COMMAND.clearRemoteCredentials, 'it-cred'), true);
      auth.length = 0;
      await vscode.commands.executeCommand(COMMAND.modelPush, target, 'it-cred');
      assert.ok(auth.length > 0 && auth.every((a) => a.includes('Credential=ENVCHAINKEY/')), 'signed with the default chain after Clear');
      assert.equal(await vscode.commands.executeCommand(COMMAND.clearRemoteCredentials, 'it-cred'), false, 'nothing left to clear');
    } finally {
      server.close();
      otherServer.close();
      rmSync(remotesPath(storeDir), { force: true });
      for (const [key, value] of [['AWS_ACCESS_KEY_ID', savedEnv.id], ['AWS_SECRET_ACCESS_KEY', savedEnv.secret]] as const) {
        if (value === undefined) delete process.env[key]; else process.env[key] = value;
      }
    }
  });
});
