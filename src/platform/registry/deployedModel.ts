// What a deploy's `model: models:/NAME@alias` (or /Staging, /latest) resolved to when it was
// deployed, recorded in the revision's config JSON (RESOLVED_MODEL_CONFIG_KEY) so the model
// version's lineage can name the services that serve it after the alias has moved on. No schema
// change: the config column already holds free-form JSON.
import { parseModelUri } from '../../core/registry/uri';
import { RESOLVED_MODEL_CONFIG_KEY } from '../../core/registry/lineage';
import { MODEL_FILES_DIGEST_CONFIG_KEY, modelFilesDigest } from '../../core/registry/filesDigest';
import { RegistryStore } from './registryStore';

/** {modelResolved: "models:/NAME/N", modelFilesDigest} for a registry URI that resolves now; {} otherwise (never throws: a deploy must not fail on it). */
export function resolvedModelConfig(dbPath: string, requested: string | undefined): Record<string, string> {
  if (!requested?.startsWith('models:/')) return {};
  let registry: RegistryStore | undefined;
  let pinned: Record<string, string> = {};
  try {
    const ref = parseModelUri(requested);
    // A version number is already pinned, even when this store cannot resolve it (yet).
    if (ref.kind === 'version') pinned = { [RESOLVED_MODEL_CONFIG_KEY]: requested };
    registry = new RegistryStore(dbPath);
    const manifest = registry.resolve(ref);
    // The files too: if sync later renumbers the version, the service still finds its own files.
    const out: Record<string, string> = { [RESOLVED_MODEL_CONFIG_KEY]: `models:/${manifest.name}/${manifest.version}` };
    if (manifest.files.length) out[MODEL_FILES_DIGEST_CONFIG_KEY] = modelFilesDigest(manifest.files);
    return out;
  } catch {
    return pinned;
  } finally {
    registry?.close();
  }
}

/** Why `uri` names no registered version in the store at dbPath (undefined: it resolves). */
export function unresolvedModelReason(dbPath: string, uri: string): string | undefined {
  let registry: RegistryStore | undefined;
  try {
    registry = new RegistryStore(dbPath);
    registry.resolve(parseModelUri(uri));
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  } finally {
    registry?.close();
  }
}
