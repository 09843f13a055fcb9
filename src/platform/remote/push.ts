// Push a model version to a remote: the blobs the remote lacks (HeadObject), then the version
// manifest with a create-only put. Large blobs go multipart with parallel parts and resume:
// a re-run finds the unfinished upload and skips parts whose ETag equals the local part's MD5.
// Speed (issue #5): part bodies are sent as UNSIGNED-PAYLOAD (the SDK would otherwise sha256 every
// part on the main thread) and the blob's own sha256 is computed on a worker thread while the parts
// are on the wire; CompleteMultipartUpload only happens once it matches the key, so a damaged local
// blob never becomes visible under a content-addressed key (an incomplete upload is invisible).
import { createHash } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { open, readFile } from 'node:fs/promises';
import {
  AbortMultipartUploadCommand, CompleteMultipartUploadCommand, CreateMultipartUploadCommand, GetObjectCommand, HeadObjectCommand,
  ListMultipartUploadsCommand, ListPartsCommand, PutObjectCommand, UploadPartCommand,
} from '@aws-sdk/client-s3';
import { blobKey, versionManifestKey } from '../../core/remote/keyLayout';
import { canonicalManifestJson, parseVersionManifest, uniqueBlobs, validateVersionManifest, type ManifestFile, type VersionManifest } from '../../core/remote/manifest';
import { DEFAULT_MULTIPART_THRESHOLD, choosePartSize, planParts, type PartRange } from '../../core/remote/partPlan';
import { createProgressTracker, type TransferProgress } from '../../core/remote/progress';
import { localBlobPath, startTrailingHash } from './localBlobs';
import { setRemoteAliases } from './remoteAliases';
import { runPool } from './pool';
import { describeS3Error, httpStatus, isNotFound, type RemoteConnection } from './s3Remote';

export interface TransferOptions {
  signal?: AbortSignal;
  onProgress?: (p: TransferProgress) => void;
  /** Parallel parts/blobs in flight (default 4). */
  concurrency?: number;
  /** Files at or above this size use multipart (default 16 MiB). */
  multipartThreshold?: number;
  /** Preferred part size (default 8 MiB, grown for huge files). */
  partSize?: number;
}

export interface PushResult {
  uri: string;
  blobsUploaded: number;
  blobsAlreadyRemote: number;
  /** Bytes sent over the network in this push (0 for a re-push of the same version). */
  bytesSent: number;
  /** Parts of interrupted uploads that were already on the remote and were not re-sent. */
  partsResumed: number;
  manifest: 'created' | 'unchanged';
}

export class DamagedLocalBlobError extends Error {
  constructor(readonly path: string, readonly expected: string, readonly actual: string) {
    super(`local blob ${path} is damaged: its sha256 is ${actual}, expected ${expected}; nothing was published on the remote; re-log the model`);
    this.name = 'DamagedLocalBlobError';
  }
}

export class ManifestConflictError extends Error {
  constructor(readonly key: string, remoteName: string, name: string, version: number) {
    super(`version ${version} of model '${name}' already exists on remote '${remoteName}' (${key}) with different ` +
      'content; versions on a remote are immutable: register a new version and push that');
    this.name = 'ManifestConflictError';
  }
}

export async function pushVersion(remote: RemoteConnection, manifestIn: VersionManifest, storeDir: string, options: TransferOptions = {}): Promise<PushResult> {
  const { config, location, client } = remote;
  if (config.readOnly) {
    throw new Error(`remote '${config.name}' is read-only; push to another remote, or re-add it without --read-only`);
  }
  const manifest = validateVersionManifest(manifestIn, `manifest of ${manifestIn.name}/${manifestIn.version}`);
  const blobs = uniqueBlobs(manifest);
  for (const f of blobs) {
    const path = localBlobPath(storeDir, f.sha256);
    if (!existsSync(path)) throw new Error(`blob of '${f.path}' (sha256 ${f.sha256}) is missing from the local store: expected ${path}`);
    const size = statSync(path).size;
    if (size !== f.size) throw new Error(`blob of '${f.path}' at ${path} has ${size} bytes, the manifest says ${f.size}; the local store is damaged`);
  }
  const started = Date.now();
  const total = blobs.reduce((n, f) => n + f.size, 0);
  const tracker = createProgressTracker(total, started);
  const report = () => options.onProgress?.(tracker.snapshot(Date.now()));
  const result: PushResult = {
    uri: `models:/${manifest.name}/${manifest.version}`, blobsUploaded: 0, blobsAlreadyRemote: 0, bytesSent: 0, partsResumed: 0, manifest: 'created',
  };
  const ctx: BlobUploadContext = { remote, storeDir, options, tracker: { skip: (n) => { tracker.skip(n); report(); }, add: (n) => { tracker.add(n); result.bytesSent += n; report(); } }, result };

  // Small blobs in parallel; each large blob parallelises its own parts, so take them one at a time.
  const threshold = options.multipartThreshold ?? DEFAULT_MULTIPART_THRESHOLD;
  const small = blobs.filter((f) => f.size < threshold);
  const large = blobs.filter((f) => f.size >= threshold);
  await runPool(small, options.concurrency ?? 4, (f) => uploadBlobIfMissing(ctx, f, false));
  for (const f of large) await uploadBlobIfMissing(ctx, f, true);

  const key = versionManifestKey(location.prefix, manifest.name, manifest.version);
  const body = canonicalManifestJson(manifest);
  try {
    await client.send(new PutObjectCommand({ Bucket: location.bucket, Key: key, Body: body, ContentType: 'application/json', IfNoneMatch: '*' }), { abortSignal: options.signal });
  } catch (error) {
    const status = httpStatus(error);
    // 412: the version exists. 409: a concurrent conditional put is in flight (some S3s say so).
    if (status !== 412 && status !== 409) throw describeS3Error(error, `writing ${key}`, config);
    const existing = await readRemoteText(remote, key, options.signal);
    if (existing === undefined || canonicalManifestJson(parseVersionManifest(existing, `${config.url}/${key}`)) !== body) {
      throw new ManifestConflictError(key, config.name, manifest.name, manifest.version);
    }
    result.manifest = 'unchanged';
  }
  if (manifest.aliases?.length) await setRemoteAliases(remote, manifest.name, manifest.aliases, manifest.version, options.signal);
  report();
  return result;
}

/**
 * Uploads the blobs the remote lacks, without any manifest (team sync uses it for the blobs a run
 * log refers to). Same checks, multipart and resume as pushVersion.
 */
export async function pushBlobs(
  remote: RemoteConnection, files: readonly ManifestFile[], storeDir: string, options: TransferOptions = {},
): Promise<{ blobsUploaded: number; blobsAlreadyRemote: number; bytesSent: number }> {
  const result: PushResult = { uri: '', blobsUploaded: 0, blobsAlreadyRemote: 0, bytesSent: 0, partsResumed: 0, manifest: 'unchanged' };
  const ctx: BlobUploadContext = { remote, storeDir, options, tracker: { skip: () => undefined, add: (n) => { result.bytesSent += n; } }, result };
  const threshold = options.multipartThreshold ?? DEFAULT_MULTIPART_THRESHOLD;
  const unique = [...new Map(files.map((f) => [f.sha256, f])).values()];
  await runPool(unique.filter((f) => f.size < threshold), options.concurrency ?? 4, (f) => uploadBlobIfMissing(ctx, f, false));
  for (const f of unique.filter((b) => b.size >= threshold)) await uploadBlobIfMissing(ctx, f, true);
  return { blobsUploaded: result.blobsUploaded, blobsAlreadyRemote: result.blobsAlreadyRemote, bytesSent: result.bytesSent };
}

interface BlobUploadContext {
  remote: RemoteConnection;
  storeDir: string;
  options: TransferOptions;
  tracker: { skip(n: number): void; add(n: number): void };
  result: PushResult;
}

async function uploadBlobIfMissing(ctx: BlobUploadContext, file: ManifestFile, multipart: boolean): Promise<void> {
  const { remote: { client, location, config }, options } = ctx;
  const key = blobKey(location.prefix, file.sha256);
  try {
    await client.send(new HeadObjectCommand({ Bucket: location.bucket, Key: key }), { abortSignal: options.signal });
    ctx.tracker.skip(file.size);
    ctx.result.blobsAlreadyRemote++;
    return;
  } catch (error) {
    if (!isNotFound(error)) throw describeS3Error(error, `checking ${key}`, config);
  }
  const path = localBlobPath(ctx.storeDir, file.sha256);
  // Content-addressed keys are only trustworthy if the content matches: never publish a damaged blob.
  try {
    if (multipart) await uploadMultipart(ctx, key, path, file);
    else {
      const body = await readFile(path);
      const actual = createHash('sha256').update(body).digest('hex');
      if (actual !== file.sha256) throw new DamagedLocalBlobError(path, file.sha256, actual);
      // The payload hash is the key itself: the signer need not hash the body again, and S3
      // rejects the PUT if the bytes it received hash differently.
      const put = withPayloadHash(new PutObjectCommand({ Bucket: location.bucket, Key: key, Body: body, ContentMD5: md5Base64(body) }), actual);
      await client.send(put, { abortSignal: options.signal });
      ctx.tracker.add(file.size);
    }
  } catch (error) {
    if (error instanceof DamagedLocalBlobError) throw error;
    throw describeS3Error(error, `uploading ${key}`, config);
  }
  ctx.result.blobsUploaded++;
}

async function uploadMultipart(ctx: BlobUploadContext, key: string, path: string, file: ManifestFile): Promise<void> {
  const { remote: { client, location }, options } = ctx;
  const size = file.size;
  const parts = planParts(size, choosePartSize(size, options.partSize));
  // The whole-file sha256 runs on another core while the parts upload; a mismatch stops the parts.
  const hasher = startTrailingHash(path, size, size);
  const stop = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, stop.signal]) : stop.signal;
  let damaged: string | undefined;
  hasher.result.then((h) => { if (h !== file.sha256) { damaged = h; stop.abort(); } }, () => undefined);
  let uploadId: string | undefined;
  const etags = new Map<number, string>();
  try {
    const resumed = await findUnfinishedUpload(ctx, key);
    uploadId = resumed?.uploadId ?? (await client.send(new CreateMultipartUploadCommand({ Bucket: location.bucket, Key: key }), { abortSignal: signal })).UploadId;
    if (!uploadId) throw new Error('the remote returned no UploadId');
    await uploadParts(ctx, key, path, uploadId, parts, resumed, etags, signal);
  } catch (error) {
    if (damaged === undefined) {
      hasher.cancel();
      throw error; // an interrupted push leaves the upload open on purpose: the next push resumes it
    }
  }
  const actual = await hasher.result;
  if (actual !== file.sha256) {
    // Drop the parts, so a later push of a repaired blob does not resume from damaged ones.
    if (uploadId) await client.send(new AbortMultipartUploadCommand({ Bucket: location.bucket, Key: key, UploadId: uploadId })).catch(() => undefined);
    throw new DamagedLocalBlobError(path, file.sha256, actual);
  }
  await client.send(new CompleteMultipartUploadCommand({
    Bucket: location.bucket, Key: key, UploadId: uploadId,
    MultipartUpload: { Parts: parts.map((p) => ({ PartNumber: p.partNumber, ETag: etags.get(p.partNumber) })) },
  }), { abortSignal: options.signal });
}

async function uploadParts(
  ctx: BlobUploadContext, key: string, path: string, uploadId: string, parts: PartRange[],
  resumed: UnfinishedUpload | undefined, etags: Map<number, string>, signal: AbortSignal,
): Promise<void> {
  const { remote: { client, location }, options } = ctx;
  const handle = await open(path, 'r');
  try {
    await runPool(parts, options.concurrency ?? 4, async (part) => {
      const body = await readPart(handle, part);
      // A part's ETag is the MD5 of its bytes: only computed to decide whether a part already on the
      // remote can be kept. Fresh parts go UNSIGNED-PAYLOAD without Content-MD5: either would hash
      // every byte on the main thread again; the bytes are vouched for by the whole-file sha256
      // checked before Complete, and by TLS on the wire (https endpoints).
      const remotePart = resumed?.parts.get(part.partNumber);
      if (remotePart && remotePart.size === body.length && stripQuotes(remotePart.etag) === createHash('md5').update(body).digest('hex')) {
        etags.set(part.partNumber, remotePart.etag);
        ctx.result.partsResumed++;
        ctx.tracker.skip(body.length);
        return;
      }
      const out = await client.send(withPayloadHash(new UploadPartCommand({
        Bucket: location.bucket, Key: key, UploadId: uploadId, PartNumber: part.partNumber, Body: body,
      }), 'UNSIGNED-PAYLOAD'), { abortSignal: signal });
      if (!out.ETag) throw new Error(`the remote returned no ETag for part ${part.partNumber}`);
      etags.set(part.partNumber, out.ETag);
      ctx.tracker.add(body.length);
    });
  } finally {
    await handle.close();
  }
}

/**
 * Sets the SigV4 payload hash header, which the signer uses as is instead of hashing a Buffer body
 * itself: the blob's known sha256, or UNSIGNED-PAYLOAD.
 */
function withPayloadHash<C extends PutObjectCommand | UploadPartCommand>(command: C, value: string): C {
  (command as PutObjectCommand).middlewareStack.add((next) => async (args) => {
    const request = args.request as { headers?: Record<string, string> };
    if (request.headers) request.headers['x-amz-content-sha256'] = value;
    return next(args);
  }, { step: 'build', name: 'modelcloudPayloadHash' });
  return command;
}

interface UnfinishedUpload {
  uploadId: string;
  parts: Map<number, { etag: string; size: number }>;
}

/** The newest open multipart upload of this key with its finished parts, if any. */
async function findUnfinishedUpload(ctx: BlobUploadContext, key: string): Promise<UnfinishedUpload | undefined> {
  const { remote: { client, location }, options } = ctx;
  const list = await client.send(new ListMultipartUploadsCommand({ Bucket: location.bucket, Prefix: key }), { abortSignal: options.signal });
  const uploads = (list.Uploads ?? []).filter((u) => u.Key === key && u.UploadId)
    .sort((a, b) => (b.Initiated?.getTime() ?? 0) - (a.Initiated?.getTime() ?? 0));
  if (!uploads.length) return undefined;
  const uploadId = uploads[0].UploadId!;
  const parts = new Map<number, { etag: string; size: number }>();
  let marker: string | undefined;
  for (;;) {
    let page;
    try {
      page = await client.send(new ListPartsCommand({ Bucket: location.bucket, Key: key, UploadId: uploadId, PartNumberMarker: marker }), { abortSignal: options.signal });
    } catch (error) {
      if (isNotFound(error)) return undefined; // completed or aborted meanwhile: start afresh
      throw error;
    }
    for (const p of page.Parts ?? []) if (p.PartNumber && p.ETag) parts.set(p.PartNumber, { etag: p.ETag, size: p.Size ?? -1 });
    if (!page.IsTruncated || !page.NextPartNumberMarker) break;
    marker = page.NextPartNumberMarker;
  }
  return { uploadId, parts };
}

async function readPart(handle: import('node:fs/promises').FileHandle, part: PartRange): Promise<Buffer> {
  const buf = Buffer.allocUnsafe(part.end - part.start);
  let off = 0;
  while (off < buf.length) {
    const { bytesRead } = await handle.read(buf, off, buf.length - off, part.start + off);
    if (bytesRead === 0) throw new Error(`file shrank while reading part ${part.partNumber}`);
    off += bytesRead;
  }
  return buf;
}

function md5Base64(body: Buffer): string {
  return createHash('md5').update(body).digest('base64');
}

function stripQuotes(etag: string): string {
  return etag.replace(/^"|"$/g, '').toLowerCase();
}

/** The object's text, or undefined if it does not exist. */
export async function readRemoteText(remote: RemoteConnection, key: string, signal?: AbortSignal): Promise<string | undefined> {
  try {
    const out = await remote.client.send(new GetObjectCommand({ Bucket: remote.location.bucket, Key: key }), { abortSignal: signal });
    return await out.Body!.transformToString();
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw describeS3Error(error, `reading ${key}`, remote.config);
  }
}
