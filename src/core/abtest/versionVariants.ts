// Registry versions as A/B variants: a version no deployed service serves yet can still be
// tested. It is offered as "<service>-v<N>", to be deployed from a running service's folder that
// already serves another version of the same model (same code, other model) when the experiment
// starts. Pure: the dashboard host supplies the services and the registry's version numbers.
import type { AbServiceOption } from '../../protocol/abDashboard';
import { SERVICE_NAME_PATTERN } from '../services/manifest';

const MODEL_OF_URI = /^models:\/([^/@]+)(?:\/|@)/;

export interface ModelVersions { name: string; versions: number[] }

/**
 * One option per (model version not served by any service, running service serving that model
 * that can be its template). The template is the first such service by name, so each version is
 * offered once. Options whose name is taken by a deployed service (or would be too long) are left out.
 */
export function versionVariantOptions(services: readonly AbServiceOption[], models: readonly ModelVersions[]): AbServiceOption[] {
  const served = new Set(services.map((s) => s.model).filter((m): m is string => !!m));
  const taken = new Set(services.map((s) => s.name));
  const out: AbServiceOption[] = [];
  for (const model of models) {
    const template = services
      .filter((s) => s.url && !s.deployFrom && modelNameOf(s) === model.name)
      .sort((a, b) => a.name.localeCompare(b.name))[0];
    if (!template) continue;
    for (const version of [...model.versions].sort((a, b) => a - b)) {
      const uri = `models:/${model.name}/${version}`;
      const name = `${template.name}-v${version}`;
      if (served.has(uri) || taken.has(name) || !SERVICE_NAME_PATTERN.test(name)) continue;
      out.push({ name, state: 'not deployed', url: null, model: uri, modelRef: uri, deployFrom: { service: template.name, model: uri } });
    }
  }
  return out;
}

function modelNameOf(s: AbServiceOption): string | undefined {
  return MODEL_OF_URI.exec(s.model ?? s.modelRef ?? '')?.[1];
}
