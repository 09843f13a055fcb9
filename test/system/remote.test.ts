// Model push/pull against a real S3: a single-node Ceph radosgw on 127.0.0.1 (support/radosgw.ts,
// ~13 s to start, once for this file). Covers multipart upload of a 50 MB model, a re-push that
// sends nothing, resume after an interrupted push, a corrupted remote blob caught on pull, and
// two concurrent pushes of one version racing on the create-only manifest put.
import * as assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import {
  CreateBucketCommand, HeadObjectCommand, ListMultipartUploadsCommand, ListPartsCommand, PutObjectCommand,
} from '@aws-sdk/client-s3';
import { blobKey, versionManifestKey } from '../../src/core/remote/keyLayout';
import type { ManifestFile, VersionManifest } from '../../src/core/remote/manifest';
import { MIB } from '../../src/core/remote/partPlan';
import type { TransferProgress } from '../../src/core/remote/progress';
import { runCli, TRACKING_DB } from '../../src/cli/runCli';
import { RegistryStore } from '../../src/platform/registry/registryStore';
import { localBlobPath } from '../../src/platform/remote/localBlobs';
import { CorruptBlobError, pullVersion } from '../../src/platform/remote/pull';
import { ManifestConflictError, pushVersion } from '../../src/platform/remote/push';
import { readRemoteAliases } from '../../src/platform/remote/remoteAliases';
import { connectRemote, type RemoteConnection } from '../../src/platform/remote/s3Remote';
import type { RemoteConfig } from '../../src/platform/remote/remotesConfig';
import { startRadosgw, type Radosgw } from './support/radosgw';

const BUCKET = 'models';

function sha(buf: Buffer): string {
  return createHash('sha256').update(buf).digest('hex');
}

/** Puts content into the local artifact store the way the Python client does; returns its manifest entry. */
function storeBlob(storeDir: string, path: string, content: Buffer): ManifestFile {
  const hex = sha(content);
  const target = localBlobPath(storeDir, hex);
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, content);
  return { path, sha256: hex, size: content.length };
}

function manifestOf(name: string, version: number, files: ManifestFile[], extra: Partial<VersionManifest> = {}): VersionManifest {
  return { name, version, files, runId: 'r1', stage: 'None', aliases: [], signature: null, flavor: 'pickle', createdMs: 1_700_000_000_000, ...extra };
}

describe('remote: push/pull against a real S3 (Ceph radosgw)', function () {
  this.timeout(180_000);
  let rgw: Radosgw;
  let work: string;
  let config: RemoteConfig;
  let remote: RemoteConnection;
  let store: string;
  const savedEnv = { ...process.env };

  before(async function () {
    rgw = await startRadosgw((line) => console.log(`      ${line}`));
    work = mkdtempSync(join(tmpdir(), 'mc-remote-'));
    store = join(work, 'store');
    config = { name: 'central', url: `s3://${BUCKET}/team-a`, endpoint: rgw.endpoint, region: rgw.region };
    // The product reads credentials from the AWS default chain only; give it the test user's.
    Object.assign(process.env, { AWS_ACCESS_KEY_ID: rgw.credentials.accessKeyId, AWS_SECRET_ACCESS_KEY: rgw.credentials.secretAccessKey, AWS_REGION: rgw.region });
    remote = connectRemote(config);
    await remote.client.send(new CreateBucketCommand({ Bucket: BUCKET }));
  });

  after(async function () {
    process.env = savedEnv;
    remote?.client.destroy();
    await rgw?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  const big = randomBytes(50 * 1024 * 1024);
  const meta = Buffer.from(JSON.stringify({ flavor: 'pickle', note: 'MLmodel' }));

  it('pushes a 50 MB model multipart and pulls it back byte-identical', async function () {
    const files = [storeBlob(store, 'model.pkl', big), storeBlob(store, 'MLmodel.json', meta)];
    const progress: TransferProgress[] = [];
    const t0 = performance.now();
    const result = await pushVersion(remote, manifestOf('wine', 1, files, { aliases: ['champion'] }), store, { onProgress: (p) => progress.push(p) });
    console.log(`      push 50 MB: ${(performance.now() - t0).toFixed(0)} ms`);
    assert.equal(result.blobsUploaded, 2);
    assert.equal(result.bytesSent, big.length + meta.length);
    assert.equal(result.manifest, 'created');
    assert.ok(progress.length > 3, 'progress reported along the way');
    assert.deepEqual(progress.map((p) => p.bytesDone), [...progress.map((p) => p.bytesDone)].sort((a, b) => a - b), 'bytesDone never goes back');
    assert.equal(progress.at(-1)!.bytesDone, big.length + meta.length);
    const head = await remote.client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: blobKey('team-a', sha(big)) }));
    assert.match(head.ETag ?? '', /-\d+"?$/, 'a multipart object has an ETag ending in -<parts>');
    assert.equal(head.ContentLength, big.length);
    assert.deepEqual((await readRemoteAliases(remote, 'wine')).aliases, { champion: 1 });

    const other = join(work, 'other-store');
    const target = join(work, 'checkout');
    const t1 = performance.now();
    const pulled = await pullVersion(remote, 'wine', 1, other, { to: target });
    console.log(`      pull 50 MB: ${(performance.now() - t1).toFixed(0)} ms`);
    assert.equal(pulled.blobsDownloaded, 2);
    assert.equal(pulled.bytesReceived, big.length + meta.length);
    assert.ok(readFileSync(join(target, 'model.pkl')).equals(big));
    assert.ok(readFileSync(join(target, 'MLmodel.json')).equals(meta));
    assert.ok(readFileSync(localBlobPath(other, sha(big))).equals(big), 'the blob is cached in the local artifact store');
  });

  it('re-pushing the same version sends 0 bytes', async function () {
    const files = [storeBlob(store, 'model.pkl', big), storeBlob(store, 'MLmodel.json', meta)];
    const result = await pushVersion(remote, manifestOf('wine', 1, files, { aliases: ['champion'] }), store);
    assert.equal(result.bytesSent, 0);
    assert.equal(result.blobsUploaded, 0);
    assert.equal(result.blobsAlreadyRemote, 2);
    assert.equal(result.manifest, 'unchanged');
  });

  it('an interrupted push resumes without re-sending finished parts', async function () {
    const partSize = 5 * MIB;
    const content = randomBytes(8 * partSize);
    const file = storeBlob(store, 'model.pkl', content);
    const key = blobKey('team-a', file.sha256);
    const controller = new AbortController();
    await assert.rejects(pushVersion(remote, manifestOf('resumable', 1, [file]), store, {
      partSize, concurrency: 2, signal: controller.signal,
      onProgress: (p) => { if (p.bytesDone >= 3 * partSize) controller.abort(); },
    }), (e: Error) => e.name === 'AbortError' || /abort/i.test(e.message));
    // Let in-flight requests the abort raced with settle server-side before looking.
    await new Promise((r) => setTimeout(r, 1000));
    const uploads = await remote.client.send(new ListMultipartUploadsCommand({ Bucket: BUCKET, Prefix: key }));
    assert.equal(uploads.Uploads?.length, 1, 'the aborted upload is left open for resuming');
    const listed = await remote.client.send(new ListPartsCommand({ Bucket: BUCKET, Key: key, UploadId: uploads.Uploads![0].UploadId }));
    const finished = listed.Parts?.length ?? 0;
    assert.ok(finished >= 3 && finished < 8, `3..7 parts finished before the abort, got ${finished}`);

    const resumed = await pushVersion(remote, manifestOf('resumable', 1, [file]), store, { partSize, concurrency: 2 });
    assert.equal(resumed.partsResumed, finished);
    assert.equal(resumed.bytesSent, content.length - finished * partSize, 'only the missing parts were sent');
    const after = await remote.client.send(new ListMultipartUploadsCommand({ Bucket: BUCKET, Prefix: key }));
    assert.equal(after.Uploads?.length ?? 0, 0, 'the upload was completed');
    const pulled = await pullVersion(remote, 'resumable', 1, join(work, 'resume-check'), { to: join(work, 'resume-out') });
    assert.ok(readFileSync(join(work, 'resume-out', 'model.pkl')).equals(content));
    assert.equal(pulled.blobsDownloaded, 1);
  });

  it('a corrupted remote blob is caught on pull, reported with its key and not kept', async function () {
    const good = randomBytes(64 * 1024);
    const file = storeBlob(store, 'weights.bin', good);
    await pushVersion(remote, manifestOf('fragile', 1, [file]), store);
    const key = blobKey('team-a', file.sha256);
    const bad = Buffer.from(good);
    bad[1000] ^= 0xff; // one flipped byte, same size
    await remote.client.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: bad }));
    const fresh = join(work, 'fresh-store');
    await assert.rejects(pullVersion(remote, 'fragile', 1, fresh, { to: join(work, 'fragile-out') }), (e: Error) => {
      assert.ok(e instanceof CorruptBlobError, e.message);
      assert.match(e.message, new RegExp(key));
      assert.equal(e.corrupt[0].actual, sha(bad));
      return true;
    });
    assert.equal(existsSync(localBlobPath(fresh, file.sha256)), false, 'the corrupt blob is not in the local store');
    assert.equal(existsSync(join(work, 'fragile-out', 'weights.bin')), false, 'nothing was materialised');
  });

  it('two concurrent pushes of one version with different content: one wins, the other gets a conflict', async function () {
    const a = storeBlob(store, 'model.pkl', Buffer.from('variant A'));
    const b = storeBlob(store, 'model.pkl', Buffer.from('variant B'));
    const results = await Promise.allSettled([
      pushVersion(remote, manifestOf('racy', 1, [a]), store),
      pushVersion(remote, manifestOf('racy', 1, [b]), store),
    ]);
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    assert.equal(won.length, 1, JSON.stringify(results.map((r) => r.status === 'rejected' ? String(r.reason) : r.value)));
    assert.equal(lost.length, 1);
    assert.ok(lost[0].reason instanceof ManifestConflictError, String(lost[0].reason));
    assert.match(lost[0].reason.message, /racy.*already exists on remote 'central'.*different content/);
    assert.equal((won[0] as PromiseFulfilledResult<{ manifest: string }>).value.manifest, 'created');
    // The winner's manifest is what the remote serves.
    const pulled = await pullVersion(remote, 'racy', 1, join(work, 'racy-store'));
    assert.ok([a.sha256, b.sha256].includes(pulled.manifest.files[0].sha256));
    assert.equal(versionManifestKey('team-a', 'racy', 1), 'team-a/models/racy/versions/1.json');
  });

  it('a read-only remote refuses to push', async function () {
    const ro = connectRemote({ ...config, name: 'mirror', readOnly: true });
    const f = storeBlob(store, 'x.bin', Buffer.from('x'));
    await assert.rejects(pushVersion(ro, manifestOf('ro', 1, [f]), store), /remote 'mirror' is read-only/);
    ro.client.destroy();
  });

  it('CLI: remote add/list, push --manifest and pull --to', async function () {
    const cwd = join(work, 'cli');
    mkdirSync(cwd, { recursive: true });
    const out: string[] = [];
    const err: string[] = [];
    const cli = (...argv: string[]) => runCli(argv, { out: (t) => { out.push(t); }, err: (t) => { err.push(t); }, cwd, version: 'test' });
    assert.equal(await cli('--store', store, 'remote', 'add', 'central', `s3://${BUCKET}/cli`, '--endpoint', rgw.endpoint, '--region', rgw.region), 0, err.join(''));
    assert.equal(await cli('--store', store, 'remote', 'list'), 0);
    assert.match(out.join(''), /central\ts3:\/\/models\/cli/);
    assert.doesNotMatch(readFileSync(join(store, 'remotes.json'), 'utf8'), /secret|AccessKey/i, 'no credentials in remotes.json');
    const f = storeBlob(store, 'model.pkl', Buffer.from('cli model'));
    writeFileSync(join(cwd, 'm.json'), JSON.stringify(manifestOf('clim', 1, [f])));
    assert.equal(await cli('--store', store, 'push', '--manifest', 'm.json', '--remote', 'central'), 0, err.join(''));
    assert.match(out.join(''), /models:\/clim\/1 → s3:\/\/models\/cli: 1 blob\(s\) uploaded/);
    assert.equal(await cli('--store', store, 'pull', 'models:/clim/latest', '--remote', 'central', '--to', 'out'), 0, err.join(''));
    assert.equal(readFileSync(join(cwd, 'out', 'model.pkl'), 'utf8'), 'cli model');
    assert.equal(await cli('--store', store, 'pull', 'models:/clim/7', '--remote', 'central'), 1);
    assert.match(err.join(''), /remote 'central' has no version 7 of model 'clim'/);
    assert.equal(await cli('--store', store, 'push', '--manifest', 'm.json', '--remote', 'nope'), 1);
    assert.match(err.join(''), /no remote named 'nope' \(known: central\)/);
  });

  it('CLI: push models:/NAME@alias resolves the version in the local registry', async function () {
    const cwd = join(work, 'cli-registry');
    mkdirSync(cwd, { recursive: true });
    const out: string[] = [];
    const err: string[] = [];
    const cli = (...argv: string[]) => runCli(argv, { out: (t) => { out.push(t); }, err: (t) => { err.push(t); }, cwd, version: 'test' });
    const f = storeBlob(store, 'model.pkl', Buffer.from('registered model'));
    const registry = new RegistryStore(join(store, TRACKING_DB));
    try {
      registry.createVersion('regm', { runId: null, files: [storeBlob(store, 'model.pkl', Buffer.from('v1'))], flavor: 'pickle' });
      registry.createVersion('regm', { runId: null, files: [f], flavor: 'pickle' });
      registry.setAlias('regm', 2, 'champion');
    } finally {
      registry.close();
    }
    assert.equal(await cli('--store', store, 'push', 'models:/regm@champion', '--remote', 'central'), 0, err.join(''));
    assert.match(out.join(''), /models:\/regm\/2 → /);
    assert.equal(await cli('--store', join(work, 'cli-registry-store'), 'remote', 'add', 'central', `s3://${BUCKET}/cli`, '--endpoint', rgw.endpoint), 0, err.join(''));
    assert.equal(await cli('--store', join(work, 'cli-registry-store'), 'pull', 'models:/regm@champion', '--remote', 'central', '--to', 'out'), 0, err.join(''));
    assert.equal(readFileSync(join(cwd, 'out', 'model.pkl'), 'utf8'), 'registered model');
  });
});
