// What of the local registry team sync publishes, as a snapshot keyed by version uid, and the
// changes between two snapshots. Sync compares the registry with the snapshot taken at the end of
// the last sync, so every way of changing the registry (CLI, commands, run-log ingest) is
// published without each of them having to record events.
import type { RegisterField, SyncFile, SyncOp, VersionOp } from './events';
import { registerId, parseRegisterId } from './events';

/** The registry as RegistryStore.listModels() returns it (only what sync needs). */
export interface SnapshotModelInput {
  name: string;
  description: string | null;
  tags: Record<string, string>;
  versions: Array<{
    version: number; stage: string; aliases: string[]; files: SyncFile[]; runId: string | null; source: string | null;
    flavor: string; signature: unknown; description: string | null; createdMs: number; origin: string;
  }>;
}

export interface RegistrySnapshot {
  /** uid → where the version is in this registry. */
  versions: Record<string, { model: string; version: number }>;
  /** registerId → value; absent means null (no alias, stage None, no tag, no description). */
  registers: Record<string, string>;
}

export type HexHash = (text: string) => string;

/**
 * A version's identity across stores: its model, source run, creation time and files. Two stores
 * that ingest the same run log get the same uid, so the version is not registered twice.
 */
export function versionUid(hash: HexHash, model: string, runId: string | null, createdMs: number, files: readonly SyncFile[]): string {
  const content = [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)).map((f) => [f.path, f.sha256, f.size]);
  return hash(JSON.stringify([model, runId, createdMs, content])).slice(0, 32);
}

export interface BuiltSnapshot {
  snapshot: RegistrySnapshot;
  /** The version ops a new version would be published with, by uid. */
  versionOps: Map<string, VersionOp>;
}

export function buildSnapshot(models: readonly SnapshotModelInput[], hash: HexHash): BuiltSnapshot {
  const snapshot: RegistrySnapshot = { versions: {}, registers: {} };
  const versionOps = new Map<string, VersionOp>();
  const put = (model: string, field: RegisterField, key: string, value: string | null): void => {
    if (value !== null) snapshot.registers[registerId({ model, field, key })] = value;
  };
  for (const m of models) {
    put(m.name, 'description', '', m.description);
    for (const [key, value] of Object.entries(m.tags)) put(m.name, 'tag', key, value);
    // MLflow-origin versions are read from each workspace's own mlruns folder: not the team's.
    for (const v of m.versions.filter((x) => x.origin === 'modelcloud')) {
      const uid = versionUid(hash, m.name, v.runId, v.createdMs, v.files);
      snapshot.versions[uid] = { model: m.name, version: v.version };
      versionOps.set(uid, {
        kind: 'version', model: m.name, uid, version: v.version, files: v.files.map((f) => ({ path: f.path, sha256: f.sha256, size: f.size })),
        runId: v.runId, source: v.source, flavor: v.flavor, signature: v.signature ?? null, description: v.description, createdMs: v.createdMs,
      });
      put(m.name, 'stage', uid, v.stage === 'None' ? null : v.stage);
      for (const alias of v.aliases) put(m.name, 'alias', alias, uid);
    }
  }
  return { snapshot, versionOps };
}

/**
 * The ops that turn `base` into `current`: new versions, then register changes, then deletions.
 * A register whose key or value names a deleted version is left to the deletion.
 */
export function diffSnapshots(base: RegistrySnapshot, current: BuiltSnapshot): SyncOp[] {
  const ops: SyncOp[] = [];
  const deleted = new Set(Object.keys(base.versions).filter((uid) => !(uid in current.snapshot.versions)));
  for (const [uid, op] of current.versionOps) if (!(uid in base.versions)) ops.push({ ...op });
  const keys = new Set([...Object.keys(base.registers), ...Object.keys(current.snapshot.registers)]);
  for (const id of [...keys].sort()) {
    const before = base.registers[id] ?? null;
    const after = current.snapshot.registers[id] ?? null;
    if (before === after) continue;
    const { model, field, key } = parseRegisterId(id);
    if (field === 'stage' && deleted.has(key)) continue;
    if (field === 'alias' && after === null && before !== null && deleted.has(before)) continue;
    ops.push({ kind: 'set', model, field, key, value: after, base: null });
  }
  for (const uid of [...deleted].sort()) ops.push({ kind: 'delete', model: base.versions[uid].model, uid });
  return ops;
}

/**
 * Moves the last-sync snapshot forward by one op that is now shared with the remote (published by
 * this client, or pulled and applied), so what is left between it and the registry stays "ours,
 * unpublished" even when a sync stops half-way.
 */
export function advanceSnapshot(base: RegistrySnapshot, op: SyncOp): void {
  if (op.kind === 'version') {
    base.versions[op.uid] = { model: op.model, version: op.version };
    return;
  }
  if (op.kind === 'delete') {
    delete base.versions[op.uid];
    for (const [id, value] of Object.entries(base.registers)) {
      const { field, key } = parseRegisterId(id);
      if ((field === 'stage' && key === op.uid) || (field === 'alias' && value === op.uid)) delete base.registers[id];
    }
    return;
  }
  const id = registerId(op);
  if (op.value === null) delete base.registers[id];
  else base.registers[id] = op.value;
}

export function emptySnapshot(): RegistrySnapshot {
  return { versions: {}, registers: {} };
}
