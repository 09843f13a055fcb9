// `Modelcloud: Sync` / `modelcloud sync`: shares run logs and the model registry with a team
// through an S3 remote, no server (README "Team sync"). One sync:
//   1. the registry's changes since the last sync become this client's stamped events;
//   2. teammates' new event batches are pulled, merged by the conflict rules and applied;
//   3. (writable remotes) versions registered here claim their numbers, blobs included;
//   4. (writable remotes) our changed run logs go up with their artifact blobs;
//   5. (writable remotes) our events go up as one immutable batch;
//   6. teammates' new or grown run logs come down into the runs folder, for ingest.
// State is saved even when a step fails, so what was applied or published is never redone as new.
import { join } from 'node:path';
import type { S3ClientConfig } from '@aws-sdk/client-s3';
import { registerId, type SyncEvent } from '../../core/sync/events';
import { mergeRemoteEvents, stampLocalOps, type MergeState } from '../../core/sync/merge';
import { advanceSnapshot, diffSnapshots } from '../../core/sync/registrySnapshot';
import { describeRegisterConflict, describeRenumber, type ConflictEntry, type SyncReport } from '../../core/sync/report';
import { RegistryStore } from '../registry/registryStore';
import { connectRemote, type RemoteConnection } from '../remote/s3Remote';
import { getRemote, type RemoteConfig } from '../remote/remotesConfig';
import { applyActions, claimVersions, localVersions, snapshotRegistry } from './registrySync';
import { publishEventBatch, pullEventBatches } from './remoteEvents';
import { downloadRunLogs, uploadRunLogs } from './runSync';
import {
  acquireSyncLock, appendPublishedEvents, loadOrCreateClient, loadSyncState, saveLastReport, saveSyncState, type SyncClient, type SyncState,
} from './syncFiles';

export const TRACKING_DB_FILE = 'tracking.db';

export interface SyncOptions {
  storeDir: string;
  /** A remote of `<storeDir>/remotes.json`, by name, or its config. */
  remote: string | RemoteConfig;
  /** S3 credentials; absent: the AWS default chain (env, ~/.aws, profiles). */
  credentials?: S3ClientConfig['credentials'];
  signal?: AbortSignal;
  /** Short messages for a progress UI ("pulling registry events", ...). */
  onStep?: (message: string) => void;
  /** Clock for tests. */
  now?: () => number;
}

export async function syncWithRemote(options: SyncOptions): Promise<SyncReport> {
  const config = typeof options.remote === 'string' ? getRemote(options.storeDir, options.remote) : options.remote;
  const remote = connectRemote(config, options.credentials);
  try {
    return await syncConnected(remote, options);
  } finally {
    remote.client.destroy();
  }
}

async function syncConnected(remote: RemoteConnection, options: SyncOptions): Promise<SyncReport> {
  const { storeDir } = options;
  const name = remote.config.name;
  const client = loadOrCreateClient(storeDir);
  const release = acquireSyncLock(storeDir, name);
  let registry: RegistryStore | undefined;
  let state: SyncState;
  try {
    registry = new RegistryStore(join(storeDir, TRACKING_DB_FILE));
    state = loadSyncState(storeDir, name);
  } catch (error) {
    registry?.close();
    release();
    throw error;
  }
  return runLocked(remote, options, client, registry, state, release);
}

async function runLocked(
  remote: RemoteConnection, options: SyncOptions, client: SyncClient, registry: RegistryStore, state: SyncState, release: () => void,
): Promise<SyncReport> {
  const { storeDir, signal } = options;
  const now = options.now ?? Date.now;
  const step = (m: string): void => {
    if (signal?.aborted) throw Object.assign(new Error('sync cancelled'), { name: 'AbortError' });
    options.onStep?.(m);
  };
  const name = remote.config.name;
  const readOnly = remote.config.readOnly === true;
  const report: SyncReport = {
    remote: name, readOnly, client: client.id, user: client.name, startedMs: now(), durationMs: 0, runsUploaded: [], runsDownloaded: [],
    blobsUploaded: 0, bytesUploaded: 0, eventsUploaded: 0, eventsDownloaded: 0, versionsPulled: [], conflicts: [], warnings: [],
  };
  // Registers as they were before this sync's local events were stamped: restored for events that
  // end up unpublished, so the next sync publishes them afresh instead of treating them as seen.
  const registersBefore = structuredClone(state.merge.registers);
  let published: SyncEvent[] = [];
  let local: SyncEvent[] = [];
  let stamped: SyncEvent[] = [];
  try {
    step('reading local registry changes');
    const ops = diffSnapshots(state.base, snapshotRegistry(registry));
    local = stampLocalOps(state.merge, ops, client.id, client.name, now());
    stamped = local;

    step('pulling registry events');
    const pulled = await pullEventBatches(remote, client.id, state.pulledBatches, signal);
    report.warnings.push(...pulled.warnings);
    report.eventsDownloaded = pulled.events.length;
    const merged = mergeRemoteEvents(state.merge, pulled.events, client.id);
    const pending = new Map(local.filter((e) => e.op.kind === 'version').map((e) => [(e.op as { uid: string }).uid, e]));
    const applied = applyActions(registry, merged.actions, pending);
    for (const a of applied.applied) advanceSnapshot(state.base, a.event.op);
    state.pulledBatches = pulled.cursors;
    report.versionsPulled = applied.versionsPulled;
    report.warnings.push(...applied.warnings);
    report.conflicts.push(...applied.movedLocal.map(([model, from, to]) => describeRenumber(model, from, to, name)));
    // Our "new" version that a teammate already published (both ingested one run log) is theirs.
    local = local.filter((e) => !(e.op.kind === 'version' && applied.adopted.has(e.op.uid)));

    if (readOnly) {
      step('read-only remote: nothing to upload');
    } else {
      step('claiming version numbers');
      const claimed = await claimVersions(remote, registry, storeDir, local.filter((e) => e.op.kind === 'version'), signal);
      report.blobsUploaded += claimed.blobsUploaded;
      report.bytesUploaded += claimed.bytesUploaded;
      report.conflicts.push(...claimed.renumbered.map(([model, from, to]) => describeRenumber(model, from, to, name)));
      report.warnings.push(...claimed.skipped.values());
      // Its alias and stage changes wait with it (teammates could not apply them without it).
      local = local.filter((e) => !(e.op.kind === 'version' && claimed.skipped.has(e.op.uid))
        && !(e.op.kind === 'set' && ((e.op.field === 'stage' && claimed.skipped.has(e.op.key)) || (e.op.field === 'alias' && e.op.value !== null && claimed.skipped.has(e.op.value)))));
      step('uploading run logs');
      const up = await uploadRunLogs(remote, storeDir, client, state, signal);
      report.runsUploaded = up.runs;
      report.blobsUploaded += up.blobsUploaded;
      report.bytesUploaded += up.bytesUploaded;
      report.warnings.push(...up.warnings);
      if (local.length) {
        step('publishing registry events');
        await publishEventBatch(remote, client, local, signal);
        published = local;
        appendPublishedEvents(storeDir, name, local);
        advanceByLocal(state, local);
        report.eventsUploaded = local.length;
      }
    }
    // Described after claims, so messages show the version numbers as they are now.
    const show = showValue(registry);
    report.conflicts.unshift(...merged.conflicts.map((c) => describeRegisterConflict(c, client.id, show)));
    step('downloading run logs');
    const down = await downloadRunLogs(remote, storeDir, state, signal);
    report.runsDownloaded = down.runs;
    report.warnings.push(...down.warnings);
    if (readOnly) advanceByLocal(state, local);
  } finally {
    forgetUnpublished(state.merge, registersBefore, stamped.filter((e) => !published.includes(e)), client);
    saveSyncState(storeDir, name, state);
    registry.close();
    release();
  }
  report.durationMs = now() - report.startedMs;
  saveLastReport(storeDir, report);
  return report;
}

/**
 * Moves the snapshot by our published events, except register writes that lost to a teammate's
 * (the applied winner already moved it). On a read-only remote, where nothing is published, local
 * changes are taken as seen the same way, so they are not offered again at every sync.
 */
function advanceByLocal(state: SyncState, local: readonly SyncEvent[]): void {
  for (const e of local) {
    if (e.op.kind === 'set') {
      const winner = state.merge.registers[registerId(e.op)];
      if (!winner || winner.stamp.client !== e.client || winner.stamp.clock !== e.clock) continue;
    }
    advanceSnapshot(state.base, e.op);
  }
}

function forgetUnpublished(merge: MergeState, before: MergeState['registers'], unpublished: readonly SyncEvent[], client: SyncClient): void {
  for (const e of unpublished) {
    if (e.op.kind !== 'set') continue;
    const id = registerId(e.op);
    const now = merge.registers[id];
    if (now && now.stamp.client === client.id && now.stamp.clock === e.clock) {
      if (before[id]) merge.registers[id] = before[id];
      else delete merge.registers[id];
    }
  }
}

/** How a register value reads in a conflict message: a version uid as `v<n>`, null as "(removed)". */
function showValue(registry: RegistryStore): (value: string | null) => string {
  const byUid = localVersions(registry);
  return (value) => {
    if (value === null) return '(removed)';
    const v = byUid.get(value);
    return v ? `v${v.version}` : /^[0-9a-f]{32}$/.test(value) ? '(a deleted version)' : value;
  };
}

export type { ConflictEntry, SyncReport };
