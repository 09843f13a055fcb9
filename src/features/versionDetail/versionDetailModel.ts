// The Version detail view's state, built from the registry, the tracking store (source run) and
// the service revisions. No vscode here, so the integration tests check exactly what is sent.
import type { TrackingStore } from '../../platform/store/trackingStore.api';
import type { RegistryStore } from '../../platform/registry/registryStore';
import { compareNatural } from '../../core/charts/paramDiff';
import {
  dataInputsOfRunTags, deploymentsOfVersion, isDatasetModel, signatureTables, type RevisionOfService,
} from '../../core/registry/lineage';
import type { VersionDetailInput, VersionDetailStateMessage } from '../../protocol/versionDetail';

export interface VersionDetailSources {
  registry: Pick<RegistryStore, 'getModel' | 'listModels' | 'transitions'>;
  store: Pick<TrackingStore, 'getRun'>;
  /** Every revision of every service (empty when there are none or the table cannot be read). */
  revisions(): RevisionOfService[];
  blobExists(sha256: string): boolean;
}

/** The state, or undefined when the version is gone (deleted). */
export function versionDetailState(src: VersionDetailSources, name: string, version: number): VersionDetailStateMessage | undefined {
  const model = src.registry.getModel(name);
  const v = model?.versions.find((x) => x.version === version);
  if (!model || !v) return undefined;
  const run = v.runId ? src.store.getRun(v.runId) : undefined;
  const logged = run ? dataInputsOfRunTags(run.tags) : [];
  // Only runs that logged hashed inputs need the registry-wide dataset index (refreshes run often).
  const datasets = logged.some((input) => input.sha256) ? datasetVersionsBySha(src.registry) : undefined;
  const inputs: VersionDetailInput[] = logged.map((input) => {
    const dataset = input.sha256 ? datasets?.get(input.sha256) : undefined;
    return dataset ? { ...input, dataset } : input;
  });
  return {
    type: 'state',
    name, version, uri: `models:/${name}/${version}`,
    stage: v.stage, aliases: v.aliases, createdMs: v.createdMs, flavor: v.flavor,
    description: v.description, source: v.source, origin: v.origin,
    isDataset: isDatasetModel(model.tags),
    signature: signatureTables(v.signature),
    files: v.files.map((f) => ({ ...f, cached: src.blobExists(f.sha256) })),
    transitions: src.registry.transitions(name, version).map(({ version: _v, ...t }) => t),
    runId: v.runId,
    run: run ? {
      id: run.id, name: run.name, experiment: run.experiment, status: run.status, startMs: run.startMs,
      metrics: Object.keys(run.metrics).sort(compareNatural).map((key) => ({ key, value: run.metrics[key].value })),
      params: run.params,
    } : undefined,
    inputs,
    deployments: deploymentsOfVersion(src.revisions(), name, version),
  };
}

/** sha256 → the newest tracked-dataset version holding a file with those bytes. */
function datasetVersionsBySha(registry: Pick<RegistryStore, 'listModels'>): Map<string, { name: string; version: number }> {
  const out = new Map<string, { name: string; version: number }>();
  for (const m of registry.listModels()) {
    if (!isDatasetModel(m.tags)) continue;
    for (const v of m.versions) for (const f of v.files) out.set(f.sha256, { name: m.name, version: v.version });
  }
  return out;
}
