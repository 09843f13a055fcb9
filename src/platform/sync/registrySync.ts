// The registry half of a sync: local changes since the last sync become stamped events, teammates'
// events are merged (src/core/sync/merge.ts) and applied to the local registry, and the versions
// registered here claim their numbers on the remote (renumbered when a teammate got there first).
import { createHash } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseVersionManifest } from '../../core/remote/manifest';
import { versionManifestKey } from '../../core/remote/keyLayout';
import type { SetOp, SyncEvent, VersionOp } from '../../core/sync/events';
import type { MergeAction } from '../../core/sync/merge';
import { buildSnapshot, versionUid, type BuiltSnapshot } from '../../core/sync/registrySnapshot';
import { isStage } from '../../core/registry/stages';
import { RegistryError, type ModelFlavor, type RegistryStore } from '../registry/registryStore';
import { localBlobPath } from '../remote/localBlobs';
import { ManifestConflictError, pushVersion, readRemoteText } from '../remote/push';
import { listRemoteVersions } from '../remote/remoteAliases';
import type { RemoteConnection } from '../remote/s3Remote';

const hexSha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

export function snapshotRegistry(registry: RegistryStore): BuiltSnapshot {
  return buildSnapshot(registry.listModels(), hexSha256);
}

/** Where each synced version is in the local registry now, by uid. */
export function localVersions(registry: RegistryStore): Map<string, { model: string; version: number }> {
  return new Map(Object.entries(snapshotRegistry(registry).snapshot.versions));
}

export interface ApplyOutcome {
  applied: MergeAction[];
  versionsPulled: string[];
  /** Local, not yet published versions moved out of the way of a teammate's number: [model, from, to]. */
  movedLocal: Array<[string, number, number]>;
  /** uids of our pending versions that turned out to be a teammate's (same content). */
  adopted: Set<string>;
  warnings: string[];
}

/**
 * Applies merged actions to the registry in order. `pending` are this sync's unpublished local
 * versions (uid → event): they may be moved out of the way of a teammate's claimed number.
 */
export function applyActions(registry: RegistryStore, actions: readonly MergeAction[], pending: ReadonlyMap<string, SyncEvent>): ApplyOutcome {
  const out: ApplyOutcome = { applied: [], versionsPulled: [], movedLocal: [], adopted: new Set(), warnings: [] };
  let where = localVersions(registry);
  const numberOf = (uid: string): number | undefined => where.get(uid)?.version;
  for (const action of actions) {
    const { op } = action.event;
    try {
      if (action.type === 'version') {
        const v = action.event.op;
        const mine = where.get(v.uid);
        if (mine) {
          if (pending.has(v.uid)) out.adopted.add(v.uid);
          if (mine.version !== v.version) {
            makeRoom(registry, v.model, v.version, where, pending, out);
            registry.renumberVersion(v.model, mine.version, v.version);
          }
        } else {
          makeRoom(registry, v.model, v.version, where, pending, out);
          registry.insertVersionAt(v.model, v.version, {
            runId: v.runId, files: v.files, flavor: v.flavor as ModelFlavor, signature: v.signature, description: v.description, source: v.source,
          }, v.createdMs);
          out.versionsPulled.push(`${v.model}/${v.version}`);
        }
        where = localVersions(registry);
      } else if (action.type === 'delete') {
        const n = numberOf(action.event.op.uid);
        if (n !== undefined) {
          registry.deleteVersion(op.model, n);
          where = localVersions(registry);
        }
      } else if (!applySet(registry, action.event.op, numberOf, action.event.user)) {
        continue;
      }
      out.applied.push(action);
    } catch (error) {
      out.warnings.push(`could not apply ${describeOp(action.event)}: ${(error as Error).message}`);
    }
  }
  return out;
}

/** Moves a pending local version off `version` so a teammate's claimed version can take it. */
function makeRoom(
  registry: RegistryStore, model: string, version: number, where: Map<string, { model: string; version: number }>,
  pending: ReadonlyMap<string, SyncEvent>, out: ApplyOutcome,
): void {
  const model_ = registry.getModel(model);
  const occupant = model_?.versions.find((x) => x.version === version);
  if (!occupant) return;
  const uid = [...where].find(([, w]) => w.model === model && w.version === version)?.[0];
  if (!uid || !pending.has(uid)) {
    throw new RegistryError(`version ${version} of ${model} here is not the one the remote has; ` +
      'this store and the remote disagree about a published version (delete the sync folder of this remote to start over)');
  }
  const to = Math.max(...model_!.versions.map((x) => x.version), version) + 1;
  registry.renumberVersion(model, version, to);
  out.movedLocal.push([model, version, to]);
}

function applySet(registry: RegistryStore, op: SetOp, numberOf: (uid: string) => number | undefined, user: string): boolean {
  switch (op.field) {
    case 'alias': {
      if (op.value === null) {
        if (registry.getModel(op.model)?.versions.some((v) => v.aliases.includes(op.key))) registry.deleteAlias(op.model, op.key);
        return true;
      }
      const n = numberOf(op.value);
      if (n === undefined) return false; // its version is not here (deleted, or from an older Modelcloud)
      registry.setAlias(op.model, n, op.key);
      return true;
    }
    case 'stage': {
      const n = numberOf(op.key);
      const stage = op.value ?? 'None';
      if (n === undefined || !isStage(stage)) return false;
      const current = registry.getModel(op.model)?.versions.find((v) => v.version === n);
      if (!current || current.stage === stage) return true;
      registry.transitionStage(op.model, n, stage, { user, reason: `team sync: set by ${user}` });
      return true;
    }
    case 'tag':
      ensureModel(registry, op.model);
      if (op.value === null) registry.deleteModelTag(op.model, op.key);
      else registry.setModelTag(op.model, op.key, op.value);
      return true;
    case 'description':
      ensureModel(registry, op.model);
      registry.setModelDescription(op.model, op.value);
      return true;
  }
}

function ensureModel(registry: RegistryStore, name: string): void {
  if (!registry.getModel(name)) registry.createModel(name);
}

export function describeOp(e: SyncEvent): string {
  const op = e.op;
  if (op.kind === 'version') return `${op.model} v${op.version} from ${e.user}`;
  if (op.kind === 'delete') return `deletion of a ${op.model} version by ${e.user}`;
  return `${op.field} ${op.key} of ${op.model} by ${e.user}`;
}

export interface ClaimOutcome {
  renumbered: Array<[string, number, number]>;
  /** uids not published this time (their files are not in this store), with why. */
  skipped: Map<string, string>;
  blobsUploaded: number;
  bytesUploaded: number;
}

/**
 * Claims the remote number of each pending local version: its blobs, then its manifest with a
 * create-only put at `<prefix>/models/<name>/versions/<n>.json`. A manifest already there for the
 * same content (same uid) is ours; another is a teammate's, and ours moves to the next free number.
 * Sets each version op's final number.
 */
export async function claimVersions(
  remote: RemoteConnection, registry: RegistryStore, storeDir: string, pending: readonly SyncEvent[], signal?: AbortSignal,
): Promise<ClaimOutcome> {
  const out: ClaimOutcome = { renumbered: [], skipped: new Map(), blobsUploaded: 0, bytesUploaded: 0 };
  for (const event of pending) {
    const op = event.op as VersionOp;
    let number = localVersions(registry).get(op.uid)?.version;
    if (number === undefined) continue; // deleted meanwhile: its delete event follows
    // A version whose files are not here cannot be published; it must not block the rest.
    const missing = op.files.filter((f) => { const p = localBlobPath(storeDir, f.sha256); return !existsSync(p) || statSync(p).size !== f.size; });
    if (missing.length) {
      out.skipped.set(op.uid, `${op.model} v${number} is not shared yet: ${missing.length} of its files are not in ${join(storeDir, 'artifacts')} ` +
        `(${missing.map((f) => f.path).join(', ')}); pull or re-register it, the next sync shares it`);
      continue;
    }
    for (let attempt = 0; ; attempt++) {
      if (attempt >= 20) throw new Error(`could not claim a version number for ${op.model} on '${remote.config.name}': every number tried was taken; retry the sync`);
      const manifest = {
        name: op.model, version: number, files: op.files, runId: op.runId, stage: 'None', aliases: [],
        signature: op.signature ?? null, flavor: op.flavor, createdMs: op.createdMs,
      };
      try {
        const pushed = await pushVersion(remote, manifest, storeDir, { signal });
        out.blobsUploaded += pushed.blobsUploaded;
        out.bytesUploaded += pushed.bytesSent;
        break;
      } catch (error) {
        if (!(error instanceof ManifestConflictError)) throw error;
      }
      if (await remoteUidAt(remote, op.model, number, signal) === op.uid) break; // claimed by us before (a push, or a sync that stopped)
      const taken = Math.max(0, ...(await listRemoteVersions(remote, op.model, signal)));
      const localMax = Math.max(0, ...(registry.getModel(op.model)?.versions.map((v) => v.version) ?? []));
      const next = Math.max(taken, localMax) + 1;
      registry.renumberVersion(op.model, number, next);
      out.renumbered.push([op.model, number, next]);
      number = next;
    }
    op.version = number;
  }
  return out;
}

async function remoteUidAt(remote: RemoteConnection, model: string, version: number, signal?: AbortSignal): Promise<string | undefined> {
  const key = versionManifestKey(remote.location.prefix, model, version);
  const text = await readRemoteText(remote, key, signal);
  if (text === undefined) return undefined;
  const m = parseVersionManifest(text, `${remote.config.url}/${key}`);
  return versionUid(hexSha256, m.name, m.runId ?? null, m.createdMs ?? 0, m.files);
}
