// Kubernetes manifests of a service on disk: one multi-document YAML file per revision, in a
// folder the user can `kubectl apply -f` themselves when no cluster is configured here.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { kubernetesObjects, kubernetesYaml, type KubernetesInput, type KubernetesObject } from '../../core/services/kubernetes';

export { kubernetesObjects, kubernetesYaml, type KubernetesInput, type KubernetesObject };

/** The manifests as text and objects (what gets written and applied). */
export function kubernetesManifests(input: KubernetesInput): { yaml: string; objects: KubernetesObject[] } {
  const { deployment, service } = kubernetesObjects(input);
  return { yaml: kubernetesYaml(input), objects: [deployment, service] };
}

/** Writes <outDir>/<service>.yaml (deployment + service) and returns its path. */
export function writeKubernetesManifests(outDir: string, input: KubernetesInput): string {
  mkdirSync(outDir, { recursive: true });
  const file = join(outDir, `${input.manifest.name}.yaml`);
  writeFileSync(file, kubernetesManifests(input).yaml);
  return file;
}
