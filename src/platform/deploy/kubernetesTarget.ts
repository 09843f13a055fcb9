// Kubernetes revisions: manifests written per revision, applied with kubectl when a context is configured.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { ServiceFolder } from '../packaging/serviceFolder';
import { packageService } from '../packaging/packageService';
import { deployToKubernetes } from '../kubernetes/kubectl';

export interface KubernetesDeployment { manifestsDir: string; applied: boolean }

export async function deployKubernetes(input: {
  folder: ServiceFolder; revision: number; outDir: string; workers?: number; modelVersion?: string; onProgress: (m: string) => void;
}): Promise<KubernetesDeployment> {
  // The image a cluster pulls: the packaging code names it from the context digest. Building and
  // pushing it to the cluster's registry is the user's step (no registry is assumed here).
  const pkg = await packageService(input.folder.dir, { build: false, outDir: join(input.outDir, 'context'), modelVersion: input.modelVersion });
  const manifest = input.workers === undefined ? input.folder.manifest : { ...input.folder.manifest, workers: input.workers };
  const result = await deployToKubernetes({ manifest, image: pkg.imageTag, revision: input.revision, modelVersion: pkg.modelVersion ?? input.modelVersion }, input.outDir);
  input.onProgress(result.message);
  if (!result.applied) input.onProgress(`image ${pkg.imageTag}: build it from ${pkg.contextDir} and push it where the cluster can pull it`);
  return { manifestsDir: result.manifestsDir, applied: result.applied };
}

export async function reapplyKubernetes(manifestsDir: string, onProgress: (m: string) => void): Promise<void> {
  onProgress(`kubectl apply -f ${manifestsDir}`);
  const r = await kubectl(['apply', '-f', manifestsDir]);
  if (r.code !== 0) throw new Error(`kubectl apply -f ${manifestsDir} failed: ${r.output.trim()}`);
}

export function kubectl(args: string[]): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    const child = spawn('kubectl', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (c: Buffer) => { output += c.toString(); });
    child.stderr.on('data', (c: Buffer) => { output += c.toString(); });
    child.on('error', (e) => resolve({ code: 127, output: e.message }));
    child.on('close', (code) => resolve({ code: code ?? 1, output }));
  });
}
