// The workspace artifact store: blobs content-addressed at `<storeDir>/artifacts/<sha[:2]>/<sha[2:]>`
// (the Python client's layout, src/python/modelcloud/_store.py).
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { localBlobRelPath } from '../../core/remote/keyLayout';

export function localBlobPath(storeDir: string, sha256: string): string {
  return join(storeDir, localBlobRelPath(sha256));
}

export async function sha256File(path: string, signal?: AbortSignal): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 1024 * 1024, signal })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** True when the blob is present locally with the expected size and content. */
export async function hasValidLocalBlob(storeDir: string, sha256: string, size: number, signal?: AbortSignal): Promise<boolean> {
  const path = localBlobPath(storeDir, sha256);
  if (!existsSync(path) || statSync(path).size !== size) return false;
  return (await sha256File(path, signal)) === sha256;
}

/**
 * sha256 of a file computed on a worker thread while the caller keeps transferring: hashing 1 GiB
 * takes ~2 s of CPU, which on the main thread would stall the sockets. The worker reads the file
 * in order, never past the watermark the caller has made durable (`advance`), so a download can
 * be hashed as its ranges land and an upload while its parts are on the wire.
 */
export interface TrailingHash {
  /** Bytes [0, upTo) of the file are written and may be hashed. */
  advance(upTo: number): void;
  /** The hex sha256 once `size` bytes are hashed (rejects if the file is shorter). */
  readonly result: Promise<string>;
  /** Stops the worker; `result` rejects if it had not finished. */
  cancel(): void;
}

// Plain CommonJS run with `eval: true`, so it needs no separate bundle entry.
const HASH_WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const { openSync, readSync, closeSync } = require('node:fs');
const { createHash } = require('node:crypto');
const { path, size } = workerData;
const fd = openSync(path, 'r');
const hash = createHash('sha256');
const buf = Buffer.allocUnsafe(4 * 1024 * 1024);
let pos = 0;
let done = false;
const step = (limit) => {
  if (done) return;
  while (pos < Math.min(limit, size)) {
    const n = readSync(fd, buf, 0, Math.min(buf.length, limit - pos), pos);
    if (n === 0) { done = true; closeSync(fd); parentPort.postMessage({ error: path + ' ended at byte ' + pos + ', expected ' + size }); return; }
    hash.update(n === buf.length ? buf : buf.subarray(0, n));
    pos += n;
  }
  if (pos >= size) { done = true; closeSync(fd); parentPort.postMessage({ sha256: hash.digest('hex') }); }
};
parentPort.on('message', step);
step(workerData.upTo);
`;

export function startTrailingHash(path: string, size: number, upTo = 0): TrailingHash {
  const worker = new Worker(HASH_WORKER, { eval: true, workerData: { path, size, upTo } });
  let settled = false;
  let last = upTo;
  const result = new Promise<string>((resolve, reject) => {
    worker.on('message', (m: { sha256?: string; error?: string }) => {
      settled = true;
      void worker.terminate();
      if (m.sha256) resolve(m.sha256);
      else reject(new Error(`hashing ${path} failed: ${m.error}`));
    });
    worker.on('error', (e) => { settled = true; reject(new Error(`hashing ${path} failed: ${e.message}`, { cause: e })); });
    worker.on('exit', () => { if (!settled) { settled = true; reject(new Error(`hashing ${path} was cancelled`)); } });
  });
  result.catch(() => undefined); // callers that cancel need not observe the rejection
  return {
    advance(n) { if (n > last && !settled) { last = n; worker.postMessage(n); } },
    result,
    cancel() { if (!settled) void worker.terminate(); },
  };
}
