// Team sync's local files under the store folder:
//   sync/client.json                 {id, name}: this store's stable client id and the name teammates see
//   sync/<remote>/state.json         what was last synced with that remote (see SyncState)
//   sync/<remote>/events.jsonl       every registry event this client published there (append-only)
//   sync/<remote>/last-report.json   the last sync's report, conflicts included, for the UI
import { randomBytes } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, userInfo } from 'node:os';
import { dirname, join } from 'node:path';
import { isClientId } from '../../core/sync/keyLayout';
import { emptyMergeState, type MergeState } from '../../core/sync/merge';
import { emptySnapshot, type RegistrySnapshot } from '../../core/sync/registrySnapshot';
import type { SyncEvent } from '../../core/sync/events';
import type { SyncReport } from '../../core/sync/report';

export interface SyncClient { id: string; name: string }

export interface SyncedRun {
  /** 'local': logged here, uploaded by us; 'remote': a teammate's, downloaded. */
  owner: 'local' | 'remote';
  size: number;
  sha256: string;
  /** The remote object's ETag when we last wrote or read it. */
  etag?: string;
}

export interface SyncState {
  format: 1;
  merge: MergeState;
  /** The registry as last shared with the remote (published or pulled). */
  base: RegistrySnapshot;
  runs: Record<string, SyncedRun>;
  /** Per teammate client: the highest event batch number applied. */
  pulledBatches: Record<string, number>;
}

export function syncDir(storeDir: string): string {
  return join(storeDir, 'sync');
}

function remoteDir(storeDir: string, remote: string): string {
  return join(syncDir(storeDir), remote);
}

export function defaultClientName(): string {
  let user = 'user';
  try { user = userInfo().username || user; } catch { /* no passwd entry (containers): keep 'user' */ }
  return `${user}@${hostname()}`;
}

/** This store's client id, created on first use. The name may be edited in the file. */
export function loadOrCreateClient(storeDir: string): SyncClient {
  const path = join(syncDir(storeDir), 'client.json');
  if (existsSync(path)) {
    let doc: Partial<SyncClient>;
    try { doc = JSON.parse(readFileSync(path, 'utf8')) as Partial<SyncClient>; } catch (e) {
      throw new Error(`${path}: not valid JSON (${(e as Error).message}); fix it, or delete it to become a new sync client`);
    }
    if (typeof doc.id !== 'string' || !isClientId(doc.id)) throw new Error(`${path}: "id" must be 32 hex digits; delete the file to become a new sync client`);
    return { id: doc.id, name: typeof doc.name === 'string' && doc.name.trim() ? doc.name.trim() : defaultClientName() };
  }
  const client = { id: randomBytes(16).toString('hex'), name: defaultClientName() };
  writeJsonAtomic(path, client);
  return client;
}

export function loadSyncState(storeDir: string, remote: string): SyncState {
  const path = join(remoteDir(storeDir, remote), 'state.json');
  if (!existsSync(path)) return { format: 1, merge: emptyMergeState(), base: emptySnapshot(), runs: {}, pulledBatches: {} };
  try {
    const doc = JSON.parse(readFileSync(path, 'utf8')) as SyncState;
    if (doc.format !== 1 || !doc.merge || !doc.base || !doc.runs || !doc.pulledBatches) throw new Error('missing fields');
    return doc;
  } catch (e) {
    throw new Error(`${path}: unreadable sync state (${(e as Error).message}); delete the folder ${remoteDir(storeDir, remote)} to sync from scratch ` +
      '(your runs and registry are kept; they are compared with the remote again)');
  }
}

export function saveSyncState(storeDir: string, remote: string, state: SyncState): void {
  writeJsonAtomic(join(remoteDir(storeDir, remote), 'state.json'), state);
}

export function appendPublishedEvents(storeDir: string, remote: string, events: readonly SyncEvent[]): void {
  if (!events.length) return;
  const path = join(remoteDir(storeDir, remote), 'events.jsonl');
  mkdirSync(dirname(path), { recursive: true });
  appendFileSync(path, events.map((e) => `${JSON.stringify(e)}\n`).join(''));
}

export function saveLastReport(storeDir: string, report: SyncReport): void {
  writeJsonAtomic(join(remoteDir(storeDir, report.remote), 'last-report.json'), report);
}

export function loadLastReport(storeDir: string, remote: string): SyncReport | undefined {
  const path = join(remoteDir(storeDir, remote), 'last-report.json');
  try { return JSON.parse(readFileSync(path, 'utf8')) as SyncReport; } catch { return undefined; }
}

/** One sync per store and remote at a time (the CLI and the extension may both try). */
export function acquireSyncLock(storeDir: string, remote: string): () => void {
  const path = join(remoteDir(storeDir, remote), 'lock');
  mkdirSync(dirname(path), { recursive: true });
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(path, String(process.pid), { flag: 'wx' });
      return () => { try { rmSync(path, { force: true }); } catch { /* gone already */ } };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number(readFileSync(path, 'utf8'));
      if (Number.isInteger(holder) && holder > 0 && (holder === process.pid || alive(holder))) {
        throw new Error(`another sync with '${remote}' is running (process ${holder}); wait for it, or delete ${path} if it is stuck`);
      }
      rmSync(path, { force: true }); // left by a process that died
    }
  }
  throw new Error(`could not take the sync lock ${path}`);
}

function alive(pid: number): boolean {
  try { process.kill(pid, 0); return true; } catch (e) { return (e as NodeJS.ErrnoException).code !== 'ESRCH'; }
}

function writeJsonAtomic(path: string, value: unknown): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(value, null, 2)}\n`);
  renameSync(tmp, path);
}
