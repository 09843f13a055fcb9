// Team sync end to end against a real S3 (Ceph radosgw, support/radosgw.ts, ~13 s to start): two
// workspaces A (alice) and B (bob) log runs with the real Python client, register and move
// aliases with the CLI, and sync through one bucket with `modelcloud sync`. Covers: B receiving A's
// runs and registry; a pulled run not uploaded back; concurrent alias moves resolving to the same
// winner on both sides with the loser reported; concurrent registrations renumbered and
// converging (after a pull, and in a true race on the create-only put); a read-only remote pulling only.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { compareStamps, type SyncEvent } from '../../src/core/sync/events';
import type { SyncReport } from '../../src/core/sync/report';
import { runCli } from '../../src/cli/runCli';
import { connectRemote, type RemoteConnection } from '../../src/platform/remote/s3Remote';
import { startRadosgw, type Radosgw } from './support/radosgw';

const REPO = process.env.MODELCLOUD_REPO ?? join(__dirname, '..', '..', '..');
const PYTHON = process.env.MODELCLOUD_PYTHON ?? 'python3';
const BUCKET = 'team';

function python(code: string, cwd: string): void {
  const result = spawnSync(PYTHON, ['-c', code], {
    cwd, encoding: 'utf8', timeout: 120_000, env: { ...process.env, PYTHONPATH: join(REPO, 'src', 'python'), PYTHONWARNINGS: 'ignore' },
  });
  assert.equal(result.status, 0, `python failed: ${result.stderr}`);
}

async function cli(cwd: string, ...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(argv, { out: (t) => { out += t; }, err: (t) => { err += t; }, cwd, version: 'test' });
  return { code, out, err };
}

async function sync(ws: string, remote = 'team'): Promise<SyncReport> {
  const r = await cli(ws, 'sync', '--remote', remote, '--json');
  assert.equal(r.code, 0, `sync in ${ws} failed: ${r.err}`);
  return JSON.parse(r.out) as SyncReport;
}

interface VersionJson { version: number; aliases: string[]; files: Array<{ sha256: string }>; createdMs: number; runId: string | null }

async function versions(ws: string): Promise<VersionJson[]> {
  const r = await cli(ws, 'models', '--json');
  assert.equal(r.code, 0, r.err);
  const models = JSON.parse(r.out) as Array<{ name: string; versions: VersionJson[] }>;
  return models.find((m) => m.name === 'wine')?.versions ?? [];
}

/** What identifies a version across stores (number → content), for comparing two registries. */
async function versionTable(ws: string): Promise<string[]> {
  return (await versions(ws)).map((v) => `${v.version}:${v.runId}:${v.createdMs}:${v.files.map((f) => f.sha256.slice(0, 8)).join(',')}`);
}

async function championOf(ws: string): Promise<number | undefined> {
  return (await versions(ws)).find((v) => v.aliases.includes('champion'))?.version;
}

async function runIds(ws: string): Promise<string[]> {
  const r = await cli(ws, 'runs', '--json');
  assert.equal(r.code, 0, r.err);
  return (JSON.parse(r.out) as Array<{ id: string }>).map((x) => x.id).sort();
}

function publishedEvents(ws: string): SyncEvent[] {
  return readFileSync(join(ws, '.modelcloud', 'sync', 'team', 'events.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as SyncEvent);
}

const TRAIN = (register: boolean, artifactPath: string, c: number): string => `
import modelcloud
from sklearn.datasets import load_wine
from sklearn.linear_model import LogisticRegression
X, y = load_wine(return_X_y=True)
with modelcloud.start_run(experiment="wine"):
    modelcloud.log_param("C", ${c})
    modelcloud.log_metric("f1", ${c / 10})
    clf = LogisticRegression(C=${c}, max_iter=30).fit(X, y)
    modelcloud.log_model(clf, name=${register ? '"wine"' : 'None'}, register=${register ? 'True' : 'False'}, artifact_path="${artifactPath}")
`;

describe('team sync: two workspaces through a real S3 (Ceph radosgw)', function () {
  this.timeout(300_000);
  let rgw: Radosgw;
  let work: string;
  let a: string;
  let b: string;
  let s3: RemoteConnection;
  const savedEnv = { ...process.env };
  let runA2 = '';
  let runB1 = '';

  before(async function () {
    rgw = await startRadosgw((line) => console.log(`      ${line}`));
    Object.assign(process.env, { AWS_ACCESS_KEY_ID: rgw.credentials.accessKeyId, AWS_SECRET_ACCESS_KEY: rgw.credentials.secretAccessKey, AWS_REGION: rgw.region });
    work = mkdtempSync(join(tmpdir(), 'mc-sync-'));
    a = join(work, 'alice');
    b = join(work, 'bob');
    s3 = connectRemote({ name: 'team', url: `s3://${BUCKET}/ml`, endpoint: rgw.endpoint, region: rgw.region });
    await s3.client.send(new CreateBucketCommand({ Bucket: BUCKET }));
    for (const [ws, name] of [[a, 'alice@test'], [b, 'bob@test']] as const) {
      mkdirSync(join(ws, '.modelcloud', 'sync'), { recursive: true });
      // The name teammates see; the id is random as in real use, so the tie-break is not staged.
      writeFileSync(join(ws, '.modelcloud', 'sync', 'client.json'), JSON.stringify({ id: randomBytes(16).toString('hex'), name }));
      const added = await cli(ws, 'remote', 'add', 'team', `s3://${BUCKET}/ml`, '--endpoint', rgw.endpoint, '--region', rgw.region);
      assert.equal(added.code, 0, added.err);
    }
  });

  after(async function () {
    process.env = savedEnv;
    s3?.client.destroy();
    await rgw?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('B gets A\'s runs and wine v1; a pulled run is not uploaded back; a second sync has nothing to do', async function () {
    python(TRAIN(true, 'model', 1), a);
    python(TRAIN(false, 'candidate', 2), a);
    python(TRAIN(false, 'candidate', 3), b);
    for (const ws of [a, b]) assert.equal((await cli(ws, 'ingest', '.')).code, 0);
    const runsA = await runIds(a);
    runB1 = (await runIds(b))[0];
    assert.equal(runsA.length, 2);
    assert.deepEqual((await versions(a)).map((v) => v.version), [1]);

    const t0 = performance.now();
    const syncA = await sync(a);
    console.log(`      sync A (2 runs, 1 version): ${(performance.now() - t0).toFixed(0)} ms`);
    assert.deepEqual(syncA.runsUploaded.sort(), runsA);
    assert.ok(syncA.eventsUploaded >= 1, 'wine v1 published');
    assert.ok(syncA.blobsUploaded >= 2, 'model and metadata blobs uploaded');

    const t1 = performance.now();
    const syncB = await sync(b);
    console.log(`      sync B (pull 2 runs, 1 version): ${(performance.now() - t1).toFixed(0)} ms`);
    assert.deepEqual(syncB.runsDownloaded.sort(), runsA);
    assert.deepEqual(syncB.runsUploaded, [runB1]);
    assert.deepEqual(syncB.versionsPulled, ['wine/1']);
    assert.deepEqual(await runIds(b), [...runsA, runB1].sort(), 'B lists A\'s runs after the ingest sync runs');
    assert.deepEqual(await versionTable(b), await versionTable(a), 'B has wine v1 as A registered it, once (ingest did not add it again)');
    const v1Run = (await versions(a))[0].runId;
    runA2 = runsA.find((id) => id !== v1Run)!;

    const again = await sync(b);
    assert.deepEqual([again.runsUploaded, again.runsDownloaded, again.eventsUploaded, again.eventsDownloaded], [[], [], 0, 0], 'nothing left to do');
    assert.deepEqual((await sync(a)).runsDownloaded, [runB1], 'A gets B\'s run');
    const pulled = await cli(b, 'pull', 'models:/wine/1', '--remote', 'team', '--to', 'checkout');
    assert.equal(pulled.code, 0, `B pulls wine v1's files lazily: ${pulled.err}`);
  });

  it('concurrent alias moves: the same winner on both sides by (clock, client id), the loser reported', async function () {
    assert.equal((await cli(a, 'register', '--run', runA2, '--artifact', 'candidate', '--name', 'wine')).code, 0);
    await sync(a);
    await sync(b);
    assert.deepEqual((await versions(b)).map((v) => v.version), [1, 2]);
    assert.equal((await cli(a, 'alias', 'wine', '1', 'champion')).code, 0);
    assert.equal((await cli(b, 'alias', 'wine', '2', 'champion')).code, 0);
    const first = await sync(a);
    const second = await sync(b);
    const third = await sync(a);
    const aliasEvent = (ws: string): SyncEvent => publishedEvents(ws).filter((e) => e.op.kind === 'set' && e.op.field === 'alias').at(-1)!;
    const expected = compareStamps(aliasEvent(a), aliasEvent(b)) > 0 ? 1 : 2;
    assert.equal(await championOf(a), expected);
    assert.equal(await championOf(b), expected);
    assert.equal(first.conflicts.length, 0, 'A saw nothing of B yet');
    const conflictB = second.conflicts.find((c) => c.kind === 'register')!;
    const conflictA = third.conflicts.find((c) => c.kind === 'register')!;
    assert.ok(conflictB && conflictA, 'both sides report the conflict');
    console.log(`      B: ${conflictB.message}\n      A: ${conflictA.message}`);
    assert.equal(conflictB.kind === 'register' && conflictB.yours, expected === 2 ? 'won' : 'lost');
    assert.equal(conflictA.kind === 'register' && conflictA.yours, expected === 1 ? 'won' : 'lost');
    assert.match(conflictB.message, /^alias champion of wine: (yours|alice@test) → v[12] lost to (yours|alice@test) → v[12] at \d\d:\d\d UTC$/);
    const text = await cli(b, 'sync', '--remote', 'team');
    assert.match(text.out, /conflicts: 0/, 'a conflict is reported once, by the sync that found it');
  });

  it('concurrent registrations: one is renumbered and both stores converge', async function () {
    assert.equal((await cli(a, 'register', '--run', runA2, '--artifact', 'candidate', '--name', 'wine', '--description', 'alice')).code, 0);
    assert.equal((await cli(b, 'register', '--run', runB1, '--artifact', 'candidate', '--name', 'wine', '--description', 'bob')).code, 0);
    assert.deepEqual((await versions(a)).map((v) => v.version), [1, 2, 3]);
    assert.deepEqual((await versions(b)).map((v) => v.version), [1, 2, 3]);
    await sync(a);
    const atB = await sync(b);
    const renumbered = atB.conflicts.find((c) => c.kind === 'renumbered');
    assert.ok(renumbered && renumbered.kind === 'renumbered', JSON.stringify(atB.conflicts));
    assert.deepEqual([renumbered.from, renumbered.to], [3, 4]);
    console.log(`      B: ${renumbered.message}`);
    await sync(a);
    assert.deepEqual((await versions(a)).map((v) => v.version), [1, 2, 3, 4]);
    assert.deepEqual(await versionTable(b), await versionTable(a), 'the same version list, number for number');
    assert.equal((await versions(b)).find((v) => v.version === 4)!.runId, runB1, 'bob\'s version is v4 everywhere');
  });

  it('two syncs racing to claim one number: the create-only put lets one win, the other renumbers', async function () {
    assert.equal((await cli(a, 'register', '--run', runA2, '--artifact', 'candidate', '--name', 'wine')).code, 0);
    assert.equal((await cli(b, 'register', '--run', runB1, '--artifact', 'candidate', '--name', 'wine')).code, 0);
    const [fromA, fromB] = await Promise.all([sync(a), sync(b)]);
    const renumbered = [...fromA.conflicts, ...fromB.conflicts].filter((c) => c.kind === 'renumbered');
    assert.equal(renumbered.length, 1, `exactly one side renumbered: ${JSON.stringify(renumbered)}`);
    assert.ok(renumbered[0].kind === 'renumbered' && renumbered[0].from === 5 && renumbered[0].to === 6);
    await sync(a);
    await sync(b);
    assert.deepEqual((await versions(a)).map((v) => v.version), [1, 2, 3, 4, 5, 6]);
    assert.deepEqual(await versionTable(b), await versionTable(a));
  });

  it('a read-only remote only pulls, and says so', async function () {
    const c = join(work, 'carol');
    assert.equal((await cli(c, 'remote', 'add', 'team', `s3://${BUCKET}/ml`, '--endpoint', rgw.endpoint, '--region', rgw.region, '--read-only')).code, 0);
    const before = await countKeys();
    const r = await cli(c, 'sync', '--remote', 'team');
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /read-only remote: pulled only, nothing uploaded/);
    assert.match(r.out, /runs: 0 uploaded, 3 downloaded/);
    const pulledVersions = /new versions: ([^)]*)\)/.exec(r.out)?.[1].split(', ').sort();
    assert.deepEqual(pulledVersions, [1, 2, 3, 4, 5, 6].map((n) => `wine/${n}`), 'every version, in the order of their events');
    assert.deepEqual(await versionTable(c), await versionTable(a));
    assert.equal(await countKeys(), before, 'nothing written to the remote');
  });

  async function countKeys(): Promise<number> {
    const out = await s3.client.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'ml/' }));
    return out.KeyCount ?? 0;
  }
});
