// "Delete Permanently" from the Trash: the store forgets the run, then the files only it used go:
// artifact blobs no other run references, and the run's own Modelcloud run log (else the next
// full ingest would bring the run back). MLflow folders and seed databases are the user's data
// and are never touched.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { TrackingStore } from '../../platform/store/trackingStore.api';
import { localBlobPath } from '../../platform/remote/localBlobs';
import { COMMAND } from '../commandIds';

export const TRASH_COMMAND = {
  restore: COMMAND.runRestore,
  deletePermanently: COMMAND.runDeletePermanently,
} as const;

export interface PurgeResult {
  artifactsFreed: string[];
  filesRemoved: string[];
  /** Files that could not be removed, with why (the run is gone from the store regardless). */
  problems: string[];
}

export function purgeRunAndFiles(store: TrackingStore, storeDir: string, runId: string): PurgeResult {
  const run = store.getRun(runId);
  const { artifactsFreed } = store.purgeRun(runId);
  const files = artifactsFreed.map((sha) => localBlobPath(storeDir, sha));
  if (run?.origin === 'modelcloud') files.push(join(storeDir, 'runs', `${runId}.jsonl`));
  const filesRemoved: string[] = [];
  const problems: string[] = [];
  for (const file of files) {
    try {
      rmSync(file, { force: true });
      filesRemoved.push(file);
    } catch (error) {
      problems.push(`${file}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  return { artifactsFreed, filesRemoved, problems };
}
