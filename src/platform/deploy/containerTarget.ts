// Preparing a container revision: package the service folder into an image with the packaging
// code (layers ordered so a model-only change rebuilds in seconds) and describe how to run it.
import { DEFAULT_SERVICE_PORT } from '../../core/services/manifest';
import type { ContainerEngine } from '../containers/engine';
import { packageService } from '../packaging/packageService';
import type { RevisionSpec } from './supervisorProtocol';

export interface ContainerRevision {
  /** revision is filled in once the store has numbered it. */
  spec: Omit<RevisionSpec, 'revision'>;
  digest: string;
}

export async function containerRevisionSpec(input: {
  dir: string;
  engine: ContainerEngine;
  modelVersion?: string;
  workers?: number;
  manifestEnv?: Record<string, string>;
  onProgress: (message: string) => void;
  signal?: AbortSignal;
}): Promise<ContainerRevision> {
  input.onProgress(`building the image with ${input.engine.name}`);
  const result = await packageService(input.dir, {
    engine: input.engine, build: true, modelVersion: input.modelVersion, signal: input.signal,
    onLine: (line) => { if (line.trim()) input.onProgress(line.trim()); },
  });
  if (!result.built) throw new Error(`the image was not built: ${result.reason ?? 'unknown reason'}`);
  input.onProgress(`built ${result.imageTag}${result.buildSeconds !== undefined ? ` in ${result.buildSeconds.toFixed(1)} s` : ''}`);
  return {
    digest: result.imageId ?? result.digest,
    spec: {
      kind: 'container', image: result.imageTag, engine: input.engine.name, containerPort: DEFAULT_SERVICE_PORT,
      modelVersion: result.modelVersion ?? input.modelVersion, workers: input.workers, env: { ...input.manifestEnv },
    },
  };
}
