// Run logs through the remote. A run log belongs to the client that wrote it (run ids are unique,
// logs are append-only), so there is nothing to merge: ours are uploaded when their content
// changed since the last sync (size + sha256), with the blobs they refer to; teammates' are
// downloaded into the same runs folder, where ingest reads them like any other, and remembered as
// theirs so they are never uploaded as ours.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { runIdOfKey, syncRunKey, syncRunsPrefix } from '../../core/sync/keyLayout';
import { blobsOfRunLog } from '../../core/sync/runLogBlobs';
import { localBlobPath } from '../remote/localBlobs';
import { pushBlobs } from '../remote/push';
import { describeS3Error, isNotFound, type RemoteConnection } from '../remote/s3Remote';
import { listKeys } from './remoteEvents';
import type { SyncClient, SyncState } from './syncFiles';

const OWNER_METADATA = 'mc-client';

export interface RunTransfer {
  runs: string[];
  blobsUploaded: number;
  bytesUploaded: number;
  warnings: string[];
}

function runsDir(storeDir: string): string {
  return join(storeDir, 'runs');
}

function sha256(buf: Buffer): string {
  return createHash('sha256').update(buf).digest('hex');
}

export async function uploadRunLogs(
  remote: RemoteConnection, storeDir: string, client: SyncClient, state: SyncState, signal?: AbortSignal,
): Promise<RunTransfer> {
  const result: RunTransfer = { runs: [], blobsUploaded: 0, bytesUploaded: 0, warnings: [] };
  const dir = runsDir(storeDir);
  const names = existsSync(dir) ? readdirSync(dir).filter((n) => /^[A-Za-z0-9_-]{1,128}\.jsonl$/.test(n)).sort() : [];
  for (const name of names) {
    const runId = name.slice(0, -'.jsonl'.length);
    const known = state.runs[runId];
    if (known?.owner === 'remote') continue;
    const whole = readFileSync(join(dir, name));
    // A running run's last line may be half-written: publish complete lines only.
    const body = whole.subarray(0, whole.lastIndexOf(0x0a) + 1);
    if (body.length === 0) continue;
    const digest = sha256(body);
    if (known && known.size === body.length && known.sha256 === digest) continue;
    const key = syncRunKey(remote.location.prefix, runId);
    if (!known && await ownedBySomeoneElse(remote, key, client.id, signal)) {
      result.warnings.push(`run ${runId} is on '${remote.config.name}' from another client: kept theirs, not uploading ${join(dir, name)}`);
      continue;
    }
    const blobs = blobsOfRunLog(body.toString('utf8'));
    const present = blobs.filter((b) => {
      const path = localBlobPath(storeDir, b.sha256);
      return existsSync(path) && statSync(path).size === b.size;
    });
    if (present.length < blobs.length) {
      result.warnings.push(`run ${runId}: ${blobs.length - present.length} artifact file(s) are missing from ${join(storeDir, 'artifacts')}; uploaded the run without them`);
    }
    const pushed = await pushBlobs(remote, present.map((b) => ({ path: b.sha256, sha256: b.sha256, size: b.size })), storeDir, { signal });
    result.blobsUploaded += pushed.blobsUploaded;
    result.bytesUploaded += pushed.bytesSent;
    try {
      const out = await remote.client.send(new PutObjectCommand({
        Bucket: remote.location.bucket, Key: key, Body: body, ContentType: 'application/x-ndjson', Metadata: { [OWNER_METADATA]: client.id },
      }), { abortSignal: signal });
      state.runs[runId] = { owner: 'local', size: body.length, sha256: digest, etag: out.ETag };
    } catch (error) {
      throw describeS3Error(error, `uploading ${key}`, remote.config);
    }
    result.runs.push(runId);
    result.bytesUploaded += body.length;
  }
  return result;
}

async function ownedBySomeoneElse(remote: RemoteConnection, key: string, self: string, signal?: AbortSignal): Promise<boolean> {
  try {
    const head = await remote.client.send(new HeadObjectCommand({ Bucket: remote.location.bucket, Key: key }), { abortSignal: signal });
    const owner = head.Metadata?.[OWNER_METADATA];
    return owner !== undefined && owner !== self;
  } catch (error) {
    if (isNotFound(error)) return false;
    throw describeS3Error(error, `checking ${key}`, remote.config);
  }
}

export async function downloadRunLogs(remote: RemoteConnection, storeDir: string, state: SyncState, signal?: AbortSignal): Promise<RunTransfer> {
  const result: RunTransfer = { runs: [], blobsUploaded: 0, bytesUploaded: 0, warnings: [] };
  const dir = runsDir(storeDir);
  for (const object of await listKeys(remote, syncRunsPrefix(remote.location.prefix), { signal })) {
    const runId = runIdOfKey(remote.location.prefix, object.key);
    if (!runId) continue;
    const known = state.runs[runId];
    if (known?.owner === 'local') continue;
    const target = join(dir, `${runId}.jsonl`);
    if (!known && existsSync(target)) continue; // logged here and not uploaded yet (read-only remote): ours
    if (known && known.etag !== undefined && known.etag === object.etag) continue;
    let body: Buffer;
    try {
      const out = await remote.client.send(new GetObjectCommand({ Bucket: remote.location.bucket, Key: object.key }), { abortSignal: signal });
      body = Buffer.from(await out.Body!.transformToByteArray());
      state.runs[runId] = { owner: 'remote', size: body.length, sha256: sha256(body), etag: out.ETag };
    } catch (error) {
      throw describeS3Error(error, `downloading ${object.key}`, remote.config);
    }
    if (known && known.sha256 === state.runs[runId].sha256) continue;
    mkdirSync(dir, { recursive: true });
    // Written beside and renamed: the watcher and ingest never see half a file. The temporary
    // name does not end in .jsonl, so it is not taken for a run log.
    const tmp = join(dir, `.${runId}.${process.pid}.sync-partial`);
    try {
      writeFileSync(tmp, body);
      renameSync(tmp, target);
    } catch (error) {
      rmSync(tmp, { force: true });
      throw new Error(`could not write ${target}: ${(error as Error).message}`);
    }
    result.runs.push(runId);
  }
  return result;
}
