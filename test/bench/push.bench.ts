// Push/pull throughput of a large model against a real S3 (single-node Ceph radosgw, the same
// provisioning as the system tests): the product's path (multipart with 4 parallel parts, parallel
// ranged GETs, sha256 verification) vs one PutObject / one GetObject stream of the same file.
// Size: MODELCLOUD_BENCH_PUSH_MB (default 1024). Needs ~2.5x that in free RAM (memstore OSD).
// Run: node esbuild.mjs && node out/test/bench/push.bench.js   (last line: JSON figures)
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, createReadStream, createWriteStream, mkdirSync, mkdtempSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import { CreateBucketCommand, DeleteObjectCommand, GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { blobKey } from '../../src/core/remote/keyLayout';
import { MIB } from '../../src/core/remote/partPlan';
import { localBlobPath } from '../../src/platform/remote/localBlobs';
import { pullVersion } from '../../src/platform/remote/pull';
import { pushVersion } from '../../src/platform/remote/push';
import { connectRemote } from '../../src/platform/remote/s3Remote';
import { startRadosgw } from '../system/support/radosgw';

const SIZE_MB = Number(process.env.MODELCLOUD_BENCH_PUSH_MB ?? 1024);

/** Writes SIZE_MB of random bytes into the local store (in 16 MiB chunks) and returns its sha256. */
function writeModel(storeDir: string): { sha256: string; size: number; path: string } {
  const tmp = join(storeDir, 'model.tmp');
  mkdirSync(storeDir, { recursive: true });
  const fd = openSync(tmp, 'w');
  const hash = createHash('sha256');
  const chunk = randomBytes(16 * MIB);
  for (let written = 0; written < SIZE_MB * MIB; written += chunk.length) {
    chunk.writeUInt32LE(written / chunk.length, 0); // distinct chunks, so nothing dedupes
    writeSync(fd, chunk);
    hash.update(chunk);
  }
  closeSync(fd);
  const sha256 = hash.digest('hex');
  const path = localBlobPath(storeDir, sha256);
  mkdirSync(dirname(path), { recursive: true });
  rmSync(path, { force: true });
  renameSync(tmp, path);
  return { sha256, size: SIZE_MB * MIB, path };
}

const mbps = (bytes: number, ms: number) => Number((bytes / 1e6 / (ms / 1000)).toFixed(1));

async function main(): Promise<void> {
  const rgw = await startRadosgw((l) => console.log(l), { memstoreBytes: Math.max(2 * 1024 ** 3, Math.ceil(SIZE_MB * MIB * 2.5)) });
  const work = mkdtempSync(join(tmpdir(), 'mc-push-bench-'));
  Object.assign(process.env, { AWS_ACCESS_KEY_ID: rgw.credentials.accessKeyId, AWS_SECRET_ACCESS_KEY: rgw.credentials.secretAccessKey });
  const remote = connectRemote({ name: 'bench', url: 's3://bench/p', endpoint: rgw.endpoint, region: rgw.region });
  try {
    await remote.client.send(new CreateBucketCommand({ Bucket: 'bench' }));
    const store = join(work, 'store');
    const model = writeModel(store);
    const manifest = { name: 'big', version: 1, files: [{ path: 'model.bin', sha256: model.sha256, size: model.size }] };

    let t = performance.now();
    const pushed = await pushVersion(remote, manifest, store, { concurrency: 4 });
    const pushMs = performance.now() - t;
    console.log(`push (multipart, 4 parallel parts, incl. local sha256): ${(pushMs / 1000).toFixed(1)} s, ${mbps(model.size, pushMs)} MB/s, ${pushed.bytesSent} bytes sent`);
    t = performance.now();
    await pullVersion(remote, 'big', 1, join(work, 'pulled'), { concurrency: 4 });
    const pullMs = performance.now() - t;
    console.log(`pull (4 parallel ranged GETs, incl. sha256 verify): ${(pullMs / 1000).toFixed(1)} s, ${mbps(model.size, pullMs)} MB/s`);
    rmSync(join(work, 'pulled'), { recursive: true, force: true });
    await remote.client.send(new DeleteObjectCommand({ Bucket: 'bench', Key: blobKey('p', model.sha256) }));

    const key = 'single/model.bin';
    t = performance.now();
    await remote.client.send(new PutObjectCommand({ Bucket: 'bench', Key: key, Body: createReadStream(model.path), ContentLength: model.size }));
    const putMs = performance.now() - t;
    console.log(`single PutObject (stream, no hashing): ${(putMs / 1000).toFixed(1)} s, ${mbps(model.size, putMs)} MB/s`);
    t = performance.now();
    const got = await remote.client.send(new GetObjectCommand({ Bucket: 'bench', Key: key }));
    await pipeline(got.Body as Readable, createWriteStream(join(work, 'single.bin')));
    const getMs = performance.now() - t;
    console.log(`single GetObject (stream, no hashing): ${(getMs / 1000).toFixed(1)} s, ${mbps(model.size, getMs)} MB/s`);

    console.log(JSON.stringify({
      bench: 'push', sizeMB: SIZE_MB, radosgwStartS: Number((rgw.startMs / 1000).toFixed(1)),
      pushMultipartS: Number((pushMs / 1000).toFixed(1)), pushMultipartMBps: mbps(model.size, pushMs),
      pullRangedS: Number((pullMs / 1000).toFixed(1)), pullRangedMBps: mbps(model.size, pullMs),
      singlePutS: Number((putMs / 1000).toFixed(1)), singlePutMBps: mbps(model.size, putMs),
      singleGetS: Number((getMs / 1000).toFixed(1)), singleGetMBps: mbps(model.size, getMs),
    }));
  } finally {
    remote.client.destroy();
    await rgw.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((e) => { console.error(e); process.exitCode = 1; });
