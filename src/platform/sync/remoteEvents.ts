// Registry event batches on the remote: each client appends immutable objects under its own
// prefix (`sync/events/<client>/<seq>.json`, create-only), and reads everyone else's from where it
// stopped last time (ListObjectsV2 StartAfter), so a sync reads only what is new.
import { ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { clientEventsPrefix, eventBatchKey, isClientId, seqOfKey, syncEventsPrefix } from '../../core/sync/keyLayout';
import { validateEventBatch, type EventBatch, type SyncEvent } from '../../core/sync/events';
import { readRemoteText } from '../remote/push';
import { describeS3Error, httpStatus, type RemoteConnection } from '../remote/s3Remote';

export async function listKeys(remote: RemoteConnection, prefix: string, options: { startAfter?: string; signal?: AbortSignal } = {}): Promise<Array<{ key: string; etag?: string; size?: number }>> {
  const out: Array<{ key: string; etag?: string; size?: number }> = [];
  let token: string | undefined;
  try {
    do {
      const page = await remote.client.send(new ListObjectsV2Command({
        Bucket: remote.location.bucket, Prefix: prefix, ContinuationToken: token, StartAfter: token ? undefined : options.startAfter,
      }), { abortSignal: options.signal });
      for (const o of page.Contents ?? []) if (o.Key) out.push({ key: o.Key, etag: o.ETag, size: o.Size });
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  } catch (error) {
    throw describeS3Error(error, `listing ${prefix}`, remote.config);
  }
  return out;
}

/** Client ids that have published events on this remote. */
async function listEventClients(remote: RemoteConnection, signal?: AbortSignal): Promise<string[]> {
  const prefix = syncEventsPrefix(remote.location.prefix);
  const clients: string[] = [];
  let token: string | undefined;
  try {
    do {
      const page = await remote.client.send(new ListObjectsV2Command({ Bucket: remote.location.bucket, Prefix: prefix, Delimiter: '/', ContinuationToken: token }), { abortSignal: signal });
      for (const p of page.CommonPrefixes ?? []) {
        const id = (p.Prefix ?? '').slice(prefix.length).replace(/\/$/, '');
        if (isClientId(id)) clients.push(id);
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  } catch (error) {
    throw describeS3Error(error, `listing ${prefix}`, remote.config);
  }
  return clients.sort();
}

export interface PulledEvents {
  events: SyncEvent[];
  /** The new per-client cursors, to save once the events are applied. */
  cursors: Record<string, number>;
  warnings: string[];
}

export async function pullEventBatches(remote: RemoteConnection, self: string, cursors: Readonly<Record<string, number>>, signal?: AbortSignal): Promise<PulledEvents> {
  const result: PulledEvents = { events: [], cursors: { ...cursors }, warnings: [] };
  const { prefix } = remote.location;
  for (const client of await listEventClients(remote, signal)) {
    if (client === self) continue;
    const after = cursors[client];
    const keys = await listKeys(remote, clientEventsPrefix(prefix, client), { startAfter: after ? eventBatchKey(prefix, client, after) : undefined, signal });
    for (const { key } of keys) {
      const seq = seqOfKey(prefix, client, key);
      if (seq === undefined || seq <= (after ?? 0)) continue;
      const text = await readRemoteText(remote, key, signal);
      if (text === undefined) continue;
      try {
        const batch = validateEventBatch(JSON.parse(text), `${remote.config.url}/${key}`);
        result.events.push(...batch.events);
      } catch (error) {
        result.warnings.push(`skipped ${remote.config.url}/${key}: ${(error as Error).message}`);
      }
      result.cursors[client] = Math.max(result.cursors[client] ?? 0, seq);
    }
  }
  return result;
}

/** Appends one batch under this client's prefix; returns its number. */
export async function publishEventBatch(remote: RemoteConnection, client: { id: string; name: string }, events: SyncEvent[], signal?: AbortSignal): Promise<number> {
  const { prefix } = remote.location;
  const mine = await listKeys(remote, clientEventsPrefix(prefix, client.id), { signal });
  let seq = Math.max(0, ...mine.map((k) => seqOfKey(prefix, client.id, k.key) ?? 0)) + 1;
  for (let attempt = 0; attempt < 5; attempt++, seq++) {
    const batch: EventBatch = { format: 1, client: client.id, user: client.name, seq, events };
    const key = eventBatchKey(prefix, client.id, seq);
    try {
      await remote.client.send(new PutObjectCommand({
        Bucket: remote.location.bucket, Key: key, Body: `${JSON.stringify(batch)}\n`, ContentType: 'application/json', IfNoneMatch: '*',
      }), { abortSignal: signal });
      return seq;
    } catch (error) {
      // Another process of this same store published that number meanwhile: take the next one.
      const status = httpStatus(error);
      if (status !== 412 && status !== 409) throw describeS3Error(error, `writing ${key}`, remote.config);
    }
  }
  throw new Error(`could not publish registry events to ${remote.config.url}: batch numbers kept being taken; retry the sync`);
}
