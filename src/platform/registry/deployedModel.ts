// What a deploy's `model: models:/NAME@alias` (or /Staging, /latest) resolved to when it was
// deployed, recorded in the revision's config JSON (RESOLVED_MODEL_CONFIG_KEY) so the model
// version's lineage can name the services that serve it after the alias has moved on. No schema
// change: the config column already holds free-form JSON.
import { parseModelUri } from '../../core/registry/uri';
import { RESOLVED_MODEL_CONFIG_KEY } from '../../core/registry/lineage';
import { MODEL_FILES_DIGEST_CONFIG_KEY, modelFilesDigest } from '../../core/registry/filesDigest';
import { RegistryStore } from './registryStore';

export interface DeployedModel {
  /** {modelResolved: "models:/NAME/N", modelFilesDigest} when the URI resolves now; a version URI is kept as it is even when it does not. */
  config: Record<string, string>;
  /** Why the URI does not resolve in this store (undefined: it does, or it is no registry URI). */
  problem?: string;
}

/** What `requested` names in the registry at dbPath. Never throws: a deploy decides what a problem means. */
export function resolveDeployedModel(dbPath: string, requested: string | undefined): DeployedModel {
  if (!requested?.startsWith('models:/')) return { config: {} };
  let registry: RegistryStore | undefined;
  let pinned: Record<string, string> = {};
  try {
    const ref = parseModelUri(requested);
    // A version number is already pinned, even when this store cannot resolve it (yet).
    if (ref.kind === 'version') pinned = { [RESOLVED_MODEL_CONFIG_KEY]: requested };
    registry = new RegistryStore(dbPath);
    const manifest = registry.resolve(ref);
    // The files too: if sync later renumbers the version, the service still finds its own files.
    const config: Record<string, string> = { [RESOLVED_MODEL_CONFIG_KEY]: `models:/${manifest.name}/${manifest.version}` };
    if (manifest.files.length) config[MODEL_FILES_DIGEST_CONFIG_KEY] = modelFilesDigest(manifest.files);
    return { config };
  } catch (error) {
    return { config: pinned, problem: error instanceof Error ? error.message : String(error) };
  } finally {
    registry?.close();
  }
}

/** The config part of resolveDeployedModel (what a revision records). */
export function resolvedModelConfig(dbPath: string, requested: string | undefined): Record<string, string> {
  return resolveDeployedModel(dbPath, requested).config;
}
