// Pull a model version from a remote: read its manifest, download the blobs the local store
// lacks (large ones as parallel ranged GETs), verify every sha256, then optionally materialise
// the files under a target folder. A blob whose content does not match its key is deleted
// locally and reported with its remote key, so nothing corrupt is ever used or cached.
// Large blobs are hashed on a worker thread that trails the downloaded ranges (issue #5), so the
// verification costs almost no time after the last byte arrives.
import { copyFileSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { dirname, resolve, sep } from 'node:path';
import { GetObjectCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import { blobKey, versionManifestKey } from '../../core/remote/keyLayout';
import { isSafeRelativePath, parseVersionManifest, uniqueBlobs, type ManifestFile, type VersionManifest } from '../../core/remote/manifest';
import { DEFAULT_MULTIPART_THRESHOLD, choosePartSize, planParts } from '../../core/remote/partPlan';
import { createProgressTracker } from '../../core/remote/progress';
import { hasValidLocalBlob, localBlobPath, sha256File, startTrailingHash } from './localBlobs';
import { runPool } from './pool';
import { readRemoteText, type TransferOptions } from './push';
import { describeS3Error, type RemoteConnection } from './s3Remote';

export interface PullResult {
  manifest: VersionManifest;
  blobsDownloaded: number;
  blobsAlreadyLocal: number;
  bytesReceived: number;
  /** Absolute paths written under `to`, when given. */
  materialised: string[];
}

export class CorruptBlobError extends Error {
  constructor(readonly corrupt: Array<{ key: string; expected: string; actual: string }>, remoteName: string) {
    super(`${corrupt.length} blob(s) on remote '${remoteName}' do not match their sha256 and were discarded: ` +
      `${corrupt.map((c) => `${c.key} (content hashes to ${c.actual})`).join(', ')}; re-push the version from a machine that has the good files`);
    this.name = 'CorruptBlobError';
  }
}

export async function readRemoteManifest(remote: RemoteConnection, name: string, version: number, signal?: AbortSignal): Promise<VersionManifest> {
  const key = versionManifestKey(remote.location.prefix, name, version);
  const text = await readRemoteText(remote, key, signal);
  if (text === undefined) {
    throw new Error(`remote '${remote.config.name}' has no version ${version} of model '${name}' (${remote.config.url}/${key}); push it first`);
  }
  const manifest = parseVersionManifest(text, `${remote.config.url}/${key}`);
  if (manifest.name !== name || manifest.version !== version) {
    throw new Error(`${remote.config.url}/${key} describes ${manifest.name}/${manifest.version}, not ${name}/${version}`);
  }
  return manifest;
}

export async function pullVersion(
  remote: RemoteConnection, name: string, version: number, storeDir: string, options: TransferOptions & { to?: string } = {},
): Promise<PullResult> {
  const manifest = await readRemoteManifest(remote, name, version, options.signal);
  const blobs = uniqueBlobs(manifest);
  const tracker = createProgressTracker(blobs.reduce((n, f) => n + f.size, 0), Date.now());
  const report = () => options.onProgress?.(tracker.snapshot(Date.now()));
  const result: PullResult = { manifest, blobsDownloaded: 0, blobsAlreadyLocal: 0, bytesReceived: 0, materialised: [] };
  const corrupt: CorruptBlobError['corrupt'] = [];
  const threshold = options.multipartThreshold ?? DEFAULT_MULTIPART_THRESHOLD;

  const fetchOne = async (f: ManifestFile): Promise<void> => {
    if (await hasValidLocalBlob(storeDir, f.sha256, f.size, options.signal)) {
      result.blobsAlreadyLocal++;
      tracker.skip(f.size);
      report();
      return;
    }
    const key = blobKey(remote.location.prefix, f.sha256);
    const final = localBlobPath(storeDir, f.sha256);
    mkdirSync(dirname(final), { recursive: true });
    const tmp = `${final}.${process.pid}.partial`;
    const onBytes = (n: number) => { tracker.add(n); result.bytesReceived += n; report(); };
    let actual: string;
    try {
      if (f.size >= threshold) {
        // A ranged download needs the right length up front; a wrong one is corruption, not a network error.
        const head = await remote.client.send(new HeadObjectCommand({ Bucket: remote.location.bucket, Key: key }), { abortSignal: options.signal });
        if (head.ContentLength !== f.size) {
          corrupt.push({ key, expected: f.sha256, actual: `<${head.ContentLength} bytes, expected ${f.size}>` });
          return;
        }
        const hashed = await downloadRanges(remote, key, tmp, f.size, options, onBytes);
        actual = statSync(tmp).size === f.size ? hashed : `<${statSync(tmp).size} bytes, expected ${f.size}>`;
      } else {
        await downloadWhole(remote, key, tmp, options, onBytes);
        actual = statSync(tmp).size === f.size ? await sha256File(tmp, options.signal) : `<${statSync(tmp).size} bytes, expected ${f.size}>`;
      }
      if (actual !== f.sha256) {
        rmSync(tmp, { force: true });
        corrupt.push({ key, expected: f.sha256, actual });
        return;
      }
      renameSync(tmp, final);
      result.blobsDownloaded++;
    } catch (error) {
      rmSync(tmp, { force: true });
      throw describeS3Error(error, `downloading ${key}`, remote.config);
    }
  };
  const small = blobs.filter((f) => f.size < threshold);
  await runPool(small, options.concurrency ?? 4, fetchOne);
  for (const f of blobs.filter((b) => b.size >= threshold)) await fetchOne(f);
  if (corrupt.length) throw new CorruptBlobError(corrupt, remote.config.name);

  if (options.to !== undefined) result.materialised = materialise(manifest, storeDir, options.to);
  return result;
}

/** Copies each file of the manifest from the local store to `to/<path>`. */
export function materialise(manifest: VersionManifest, storeDir: string, to: string): string[] {
  const root = resolve(to);
  return manifest.files.map((f) => {
    const target = resolve(root, f.path);
    if (!isSafeRelativePath(f.path) || !target.startsWith(root + sep)) throw new Error(`refusing to write '${f.path}' outside ${root}`);
    mkdirSync(dirname(target), { recursive: true });
    copyFileSync(localBlobPath(storeDir, f.sha256), target);
    return target;
  });
}

async function downloadWhole(remote: RemoteConnection, key: string, path: string, options: TransferOptions, onBytes: (n: number) => void): Promise<void> {
  const out = await remote.client.send(new GetObjectCommand({ Bucket: remote.location.bucket, Key: key }), { abortSignal: options.signal });
  const handle = await open(path, 'w');
  try {
    for await (const chunk of out.Body as AsyncIterable<Uint8Array>) {
      await handle.write(chunk);
      onBytes(chunk.length);
    }
  } finally {
    await handle.close();
  }
}

/**
 * Parallel ranged GETs, each written at its offset, while a worker hashes the file up to the end of
 * the contiguous written prefix. Returns the sha256 of the whole file.
 */
async function downloadRanges(remote: RemoteConnection, key: string, path: string, size: number, options: TransferOptions, onBytes: (n: number) => void): Promise<string> {
  const handle = await open(path, 'w');
  const hasher = startTrailingHash(path, size);
  try {
    await handle.truncate(size);
    const ranges = planParts(size, choosePartSize(size, options.partSize));
    // written[i]: bytes of range i are on disk up to this offset. The hashable prefix ends at the
    // first unfinished range's offset; posted in >= 4 MiB steps to keep the messages few.
    const written = ranges.map((r) => r.start);
    let first = 0;
    let posted = 0;
    const advance = () => {
      while (first < ranges.length && written[first] === ranges[first].end) first++;
      const upTo = first < ranges.length ? written[first] : size;
      if (upTo === size || upTo - posted >= 4 * 1024 * 1024) { hasher.advance(upTo); posted = upTo; }
    };
    await runPool(ranges.map((r, i) => ({ r, i })), options.concurrency ?? 4, async ({ r, i }) => {
      const out = await remote.client.send(new GetObjectCommand({ Bucket: remote.location.bucket, Key: key, Range: `bytes=${r.start}-${r.end - 1}` }), { abortSignal: options.signal });
      let pos = r.start;
      // Socket chunks are ~64 KiB: gather ~1 MiB per positioned writev (fewer syscalls, no copies).
      let pending: Uint8Array[] = [];
      let pendingBytes = 0;
      const flush = async () => {
        if (!pendingBytes) return;
        const batch = pending;
        const n = pendingBytes;
        pending = [];
        pendingBytes = 0;
        await handle.writev(batch, pos);
        pos += n;
        written[i] = pos;
        if (i === first) advance();
        onBytes(n);
      };
      for await (const chunk of out.Body as AsyncIterable<Uint8Array>) {
        if (pos + pendingBytes + chunk.length > r.end) throw new Error(`the remote sent more than the requested range of ${key}`);
        pending.push(chunk);
        pendingBytes += chunk.length;
        if (pendingBytes >= 1024 * 1024) await flush();
      }
      await flush();
      if (pos !== r.end) throw new Error(`the remote sent ${pos - r.start} of ${r.end - r.start} bytes of ${key} range ${r.start}-${r.end - 1}`);
      advance();
    });
    return await hasher.result;
  } catch (error) {
    hasher.cancel();
    throw error;
  } finally {
    await handle.close();
  }
}
