// Push/pull throughput of a large model against a real S3 (single-node Ceph radosgw, the same
// provisioning as the system tests): the product's path (multipart with 4 parallel parts, parallel
// ranged GETs, sha256 verification) vs one PutObject / one GetObject stream of the same file.
// Size: MODELCLOUD_BENCH_PUSH_MB (default 1024). Needs ~2.5x that in free RAM (memstore OSD).
// MODELCLOUD_BENCH_PUSH_PARTS (parts in flight, default 4), MODELCLOUD_BENCH_PUSH_PART_MB (default: the product's).
// Every phase also reports the CPU seconds of this process (incl. the hash worker) and of the Ceph
// daemons (radosgw + OSD + mon, from /proc/<pid>/stat): with everything on one small machine the
// transfer is CPU-bound, and those figures say who spent it.
// Run: node esbuild.mjs && node out/test/bench/push.bench.js   (last line: JSON figures)
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, createReadStream, createWriteStream, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
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
const PARTS = Number(process.env.MODELCLOUD_BENCH_PUSH_PARTS ?? 4);
const PART_MB = process.env.MODELCLOUD_BENCH_PUSH_PART_MB ? Number(process.env.MODELCLOUD_BENCH_PUSH_PART_MB) : undefined;
const CLK_TCK = 100; // Linux USER_HZ

/** CPU seconds so far of the Ceph daemons startRadosgw spawned (our direct children), by name. */
function daemonCpu(): Record<string, number> {
  const out: Record<string, number> = {};
  for (const pid of readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
    let stat: string;
    try { stat = readFileSync(`/proc/${pid}/stat`, 'utf8'); } catch { continue; }
    const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // f[0] is field 3 (state)
    if (Number(f[1]) !== process.pid) continue;
    out[comm] = (out[comm] ?? 0) + (Number(f[11]) + Number(f[12])) / CLK_TCK; // utime + stime
  }
  return out;
}

/** Runs one phase and returns its wall time and the CPU seconds spent by us and by each daemon. */
async function measure(fn: () => Promise<unknown>): Promise<{ ms: number; cpu: Record<string, number> }> {
  const d0 = daemonCpu();
  const c0 = process.cpuUsage();
  const t = performance.now();
  await fn();
  const ms = performance.now() - t;
  const c = process.cpuUsage(c0);
  const d1 = daemonCpu();
  const cpu: Record<string, number> = { node: Number(((c.user + c.system) / 1e6).toFixed(2)) };
  for (const [k, v] of Object.entries(d1)) cpu[k] = Number((v - (d0[k] ?? 0)).toFixed(2));
  return { ms, cpu };
}
const cpuText = (cpu: Record<string, number>) => `cpu s: ${Object.entries(cpu).map(([k, v]) => `${k} ${v}`).join(', ')}`;

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

    const transfer = { concurrency: PARTS, ...(PART_MB ? { partSize: PART_MB * MIB } : {}) };
    let pushed = { bytesSent: 0 };
    const push = await measure(async () => { pushed = await pushVersion(remote, manifest, store, transfer); });
    console.log(`push (multipart, ${PARTS} parallel parts, incl. sha256): ${(push.ms / 1000).toFixed(1)} s, ${mbps(model.size, push.ms)} MB/s, ${pushed.bytesSent} bytes sent; ${cpuText(push.cpu)}`);
    const pull = await measure(() => pullVersion(remote, 'big', 1, join(work, 'pulled'), transfer));
    console.log(`pull (${PARTS} parallel ranged GETs, incl. sha256 verify): ${(pull.ms / 1000).toFixed(1)} s, ${mbps(model.size, pull.ms)} MB/s; ${cpuText(pull.cpu)}`);
    rmSync(join(work, 'pulled'), { recursive: true, force: true });
    await remote.client.send(new DeleteObjectCommand({ Bucket: 'bench', Key: blobKey('p', model.sha256) }));

    const key = 'single/model.bin';
    const put = await measure(() => remote.client.send(new PutObjectCommand({ Bucket: 'bench', Key: key, Body: createReadStream(model.path), ContentLength: model.size })));
    console.log(`single PutObject (stream, no hashing): ${(put.ms / 1000).toFixed(1)} s, ${mbps(model.size, put.ms)} MB/s; ${cpuText(put.cpu)}`);
    const get = await measure(async () => {
      const got = await remote.client.send(new GetObjectCommand({ Bucket: 'bench', Key: key }));
      await pipeline(got.Body as Readable, createWriteStream(join(work, 'single.bin')));
    });
    console.log(`single GetObject (stream, no hashing): ${(get.ms / 1000).toFixed(1)} s, ${mbps(model.size, get.ms)} MB/s; ${cpuText(get.cpu)}`);
    const ratio = (a: number, b: number) => Number((a / b).toFixed(2));
    console.log(`same-run speed-up vs single request: push ${ratio(put.ms, push.ms)}x, pull ${ratio(get.ms, pull.ms)}x (goal >= 2x)`);

    console.log(JSON.stringify({
      bench: 'push', sizeMB: SIZE_MB, parts: PARTS, partMB: PART_MB ?? 'default', radosgwStartS: Number((rgw.startMs / 1000).toFixed(1)),
      pushMultipartS: Number((push.ms / 1000).toFixed(1)), pushMultipartMBps: mbps(model.size, push.ms),
      pullRangedS: Number((pull.ms / 1000).toFixed(1)), pullRangedMBps: mbps(model.size, pull.ms),
      singlePutS: Number((put.ms / 1000).toFixed(1)), singlePutMBps: mbps(model.size, put.ms),
      singleGetS: Number((get.ms / 1000).toFixed(1)), singleGetMBps: mbps(model.size, get.ms),
      pushSpeedup: ratio(put.ms, push.ms), pullSpeedup: ratio(get.ms, pull.ms),
      cpuS: { push: push.cpu, pull: pull.cpu, singlePut: put.cpu, singleGet: get.cpu },
    }));
  } finally {
    remote.client.destroy();
    await rgw.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((e) => { console.error(e); process.exitCode = 1; });
