// "Track Data File": a dataset file becomes the next version of a registered model tagged
// modelcloud.kind=dataset, its bytes stored content-addressed like every artifact, so Push and
// Pull move it like a model. Tracking bytes the latest version already holds creates nothing.
// Shared by the extension command and `modelcloud track-data`.
import { existsSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { isValidModelName } from '../../core/registry/uri';
import { DATASET_KIND, KIND_TAG, isDatasetModel } from '../../core/registry/lineage';
import { RegistryError, type ModelVersionDetail, type RegistryStore } from './registryStore';
import { localBlobPath, sha256File } from '../remote/localBlobs';
import { storeFileBlob } from './storeFileBlob';

export interface TrackDataResult {
  name: string;
  version: ModelVersionDetail;
  /** True when the latest version already held these bytes: nothing was created. */
  unchanged: boolean;
}

/** The name a data file is tracked under unless the user picks another: its file name, made URI-safe. */
export function defaultDatasetName(file: string): string {
  return basename(file).replace(/[^A-Za-z0-9_.-]+/g, '-') || 'dataset';
}

export async function trackDataFile(
  registry: RegistryStore, storeDir: string, file: string, name: string, options: { source?: string; nowMs?: number } = {},
): Promise<TrackDataResult> {
  if (!isValidModelName(name)) throw new RegistryError(`invalid dataset name '${name}': use a name without '/', '@' or whitespace`);
  if (!existsSync(file) || !statSync(file).isFile()) throw new Error(`cannot track ${file}: it is not a regular file`);
  const existing = registry.getModel(name);
  if (existing && existing.versions.length > 0 && !isDatasetModel(existing.tags)) {
    throw new RegistryError(`'${name}' is a registered model, not a dataset; track the data file under another name`);
  }
  const sha256 = await sha256File(file);
  const latest = existing?.versions[existing.versions.length - 1];
  if (latest && latest.files.length === 1 && latest.files[0].sha256 === sha256) {
    // The cache may have been cleaned since: put the bytes back so the version can be pushed.
    if (!existsSync(localBlobPath(storeDir, sha256))) await storeFileBlob(storeDir, file);
    return { name, version: latest, unchanged: true };
  }
  const blob = await storeFileBlob(storeDir, file);
  if (!existing) registry.createModel(name, { tags: { [KIND_TAG]: DATASET_KIND } }, options.nowMs);
  else if (!isDatasetModel(existing.tags)) registry.setModelTag(name, KIND_TAG, DATASET_KIND);
  const version = registry.createVersion(name, {
    runId: null, files: [{ path: basename(file), ...blob }], flavor: 'file', source: options.source ?? file,
  }, options.nowMs);
  return { name, version, unchanged: false };
}
