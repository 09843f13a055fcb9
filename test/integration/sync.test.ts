// Modelcloud: Sync in the real extension host against a real S3 (a Ceph radosgw started by this
// test, ~15 s): a teammate's store (a second folder, synced with the platform code as the CLI
// does) publishes a run and a model version with an alias; the command pulls both into the
// workspace, ingests, and the Experiments and Models views show them. Then both register a
// version and move the alias concurrently: ours is renumbered, the alias resolved by the rules,
// both reported, and both stores converge.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { COMMAND } from '../../src/features/commandIds';
import type { SyncReport } from '../../src/core/sync/report';
import { RegistryStore } from '../../src/platform/registry/registryStore';
import { localBlobPath } from '../../src/platform/remote/localBlobs';
import { remotesPath, saveRemote, type RemoteConfig } from '../../src/platform/remote/remotesConfig';
import { connectRemote } from '../../src/platform/remote/s3Remote';
import { syncWithRemote } from '../../src/platform/sync/syncWithRemote';
import { activatedApi, storeOf, waitFor, workspaceRoot } from './helpers';
import { startRadosgw, type Radosgw } from '../system/support/radosgw';

const MODEL = 'it-sync-wine';
const TEAMMATE_RUN = '5ca1ab1e000000000000000000000001';

describe('team sync: Modelcloud: Sync in the extension host (real S3: Ceph radosgw)', function () {
  this.timeout(180_000);
  let rgw: Radosgw;
  let teammate: string;
  let config: RemoteConfig;
  const savedEnv = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY, region: process.env.AWS_REGION };
  const storeDir = (): string => join(workspaceRoot(), '.modelcloud');

  before(async function () {
    rgw = await startRadosgw();
    Object.assign(process.env, { AWS_ACCESS_KEY_ID: rgw.credentials.accessKeyId, AWS_SECRET_ACCESS_KEY: rgw.credentials.secretAccessKey, AWS_REGION: rgw.region });
    config = { name: 'it-team', url: 's3://it-sync/team', endpoint: rgw.endpoint, region: rgw.region };
    const s3 = connectRemote(config);
    await s3.client.send(new CreateBucketCommand({ Bucket: 'it-sync' }));
    s3.client.destroy();

    // The teammate: one run log with its model artifact, and that model registered with an alias.
    teammate = mkdtempSync(join(tmpdir(), 'mc-it-teammate-'));
    mkdirSync(join(teammate, 'sync'), { recursive: true });
    writeFileSync(join(teammate, 'sync', 'client.json'), JSON.stringify({ id: 'f'.repeat(32), name: 'teammate@it' }));
    const content = 'the teammate\'s model';
    const sha = createHash('sha256').update(content).digest('hex');
    mkdirSync(dirname(localBlobPath(teammate, sha)), { recursive: true });
    writeFileSync(localBlobPath(teammate, sha), content);
    const ts = Date.now();
    mkdirSync(join(teammate, 'runs'), { recursive: true });
    writeFileSync(join(teammate, 'runs', `${TEAMMATE_RUN}.jsonl`), [
      { v: 1, t: 'run_start', ts, run: TEAMMATE_RUN, experiment: 'sync-it', name: 'teammate-run', user: 'teammate', host: 'elsewhere', pid: 1, source: { kind: 'script', path: 'train.py' }, tags: {} },
      { v: 1, t: 'metrics', ts: ts + 1, keys: ['f1'], values: [0.91], steps: [0], times: [ts + 1] },
      { v: 1, t: 'artifact', ts: ts + 2, path: 'model/model.pkl', size: Buffer.byteLength(content), sha256: sha },
      { v: 1, t: 'run_end', ts: ts + 3, status: 'FINISHED' },
    ].map((e) => JSON.stringify(e)).join('\n') + '\n');
    const registry = new RegistryStore(join(teammate, 'tracking.db'));
    try {
      registry.createVersion(MODEL, { runId: TEAMMATE_RUN, files: [{ path: 'model.pkl', sha256: sha, size: Buffer.byteLength(content) }], flavor: 'pickle' });
      registry.setAlias(MODEL, 1, 'champion');
    } finally {
      registry.close();
    }
    const published = await syncWithRemote({ storeDir: teammate, remote: config });
    assert.deepEqual(published.runsUploaded, [TEAMMATE_RUN]);
  });

  after(async function () {
    const registry = new RegistryStore(storeOf(await activatedApi()).path);
    try {
      for (const v of registry.getModel(MODEL)?.versions ?? []) registry.deleteVersion(MODEL, v.version);
    } finally {
      registry.close();
    }
    rmSync(join(storeDir(), 'runs', `${TEAMMATE_RUN}.jsonl`), { force: true });
    rmSync(join(storeDir(), 'sync'), { recursive: true, force: true });
    rmSync(remotesPath(storeDir()), { force: true });
    for (const [key, value] of [['AWS_ACCESS_KEY_ID', savedEnv.id], ['AWS_SECRET_ACCESS_KEY', savedEnv.secret], ['AWS_REGION', savedEnv.region]] as const) {
      if (value === undefined) delete process.env[key]; else process.env[key] = value;
    }
    await rgw?.stop();
    if (teammate) rmSync(teammate, { recursive: true, force: true });
  });

  it('pulls a teammate\'s run and model version, ingests, and the views show them', async () => {
    const api = await activatedApi();
    assert.equal(await vscode.commands.executeCommand(COMMAND.sync), undefined, 'no remotes yet: nothing to sync with');
    saveRemote(storeDir(), config);
    const refreshesBefore = api.experimentsView.refreshCount();
    const report = await vscode.commands.executeCommand<SyncReport>(COMMAND.sync, 'it-team');
    assert.ok(report, 'the command returned its report');
    assert.deepEqual(report.runsDownloaded, [TEAMMATE_RUN]);
    assert.deepEqual(report.versionsPulled, [`${MODEL}/1`]);
    assert.ok(report.runsUploaded.length > 0, 'the workspace\'s own run logs went up');
    const run = storeOf(api).getRun(TEAMMATE_RUN);
    assert.ok(run, 'the teammate\'s run was ingested');
    assert.equal(run.experiment, 'sync-it');
    await waitFor('the Experiments view to refresh', () => (api.experimentsView.refreshCount() > refreshesBefore ? true : undefined), 5_000);
    const model = api.modelsView!.snapshot().models.find((m) => m.label === MODEL);
    assert.ok(model, `the Models view shows ${MODEL}: ${JSON.stringify(api.modelsView!.snapshot().models.map((m) => m.label))}`);
    assert.match(JSON.stringify(model.versions[0]), /champion/);
  });

  it('concurrent registrations and alias moves: renumbered, resolved by the rules, reported, converged', async () => {
    const registry = new RegistryStore(storeOf(await activatedApi()).path);
    const theirs = new RegistryStore(join(teammate, 'tracking.db'));
    try {
      // Both add v2 (theirs first, so ours is renumbered), then point champion at different versions.
      const blob = theirs.getModel(MODEL)!.versions[0].files;
      theirs.createVersion(MODEL, { runId: null, files: blob, flavor: 'pickle', description: 'theirs' });
      theirs.setAlias(MODEL, 2, 'champion');
      await syncWithRemote({ storeDir: teammate, remote: config });
      // Our version's file is in our store (a teammate's files stay remote until pulled).
      const content = 'our model';
      const sha = createHash('sha256').update(content).digest('hex');
      mkdirSync(dirname(localBlobPath(storeDir(), sha)), { recursive: true });
      writeFileSync(localBlobPath(storeDir(), sha), content);
      registry.createVersion(MODEL, { runId: null, files: [{ path: 'model.pkl', sha256: sha, size: content.length }], flavor: 'pickle', description: 'ours' });
      registry.setAlias(MODEL, 2, 'champion');
    } finally {
      registry.close();
      theirs.close();
    }
    const report = await vscode.commands.executeCommand<SyncReport>(COMMAND.sync, 'it-team');
    assert.ok(report);
    const moved = report.conflicts.find((c) => c.kind === 'register');
    assert.ok(moved && moved.kind === 'register' && moved.key === 'champion', `the alias conflict is reported: ${JSON.stringify(report.conflicts)}`);
    const renumbered = report.conflicts.find((c) => c.kind === 'renumbered');
    assert.ok(renumbered && renumbered.kind === 'renumbered' && renumbered.from === 2 && renumbered.to === 3, JSON.stringify(report.conflicts));
    const back = await syncWithRemote({ storeDir: teammate, remote: config });
    assert.deepEqual(back.versionsPulled, [`${MODEL}/3`]);
    const check = new RegistryStore(storeOf(await activatedApi()).path);
    const other = new RegistryStore(join(teammate, 'tracking.db'));
    try {
      const list = (r: RegistryStore): string[] => r.getModel(MODEL)!.versions.map((v) => `${v.version}:${v.description}:${v.aliases.join(',')}`);
      assert.deepEqual(list(check), list(other), 'both stores hold the same versions and aliases');
      assert.deepEqual(list(check).map((l) => l.split(':')[1]), [null, 'theirs', 'ours'].map(String));
    } finally {
      check.close();
      other.close();
    }
  });
});
