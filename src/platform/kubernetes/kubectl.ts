// Apply a service's manifests with kubectl when a current context is configured; otherwise write
// them to a folder and say where. kubectl reads KUBECONFIG from the environment as usual.
import { spawn } from 'node:child_process';
import type { KubernetesInput } from '../../core/services/kubernetes';
import { writeKubernetesManifests } from './manifests';

export interface KubernetesDeployResult {
  /** True when kubectl applied the manifests to `context`. */
  applied: boolean;
  context?: string;
  /** The folder holding the manifests (always written, applied or not). */
  manifestsDir: string;
  manifestFile: string;
  /** kubectl's output when applied; why not applied otherwise. */
  message: string;
}

export interface KubectlOptions {
  kubectl?: string;
  env?: NodeJS.ProcessEnv;
  /** e.g. ['--dry-run=client'] or ['--server-side']. */
  extraArgs?: string[];
}

/** The current context's name, or undefined when kubectl is missing or no context is set. */
export async function kubectlCurrentContext(opts: KubectlOptions = {}): Promise<string | undefined> {
  const r = await execKubectl(['config', 'current-context'], opts);
  const name = r.stdout.trim();
  return r.code === 0 && name ? name : undefined;
}

export async function deployToKubernetes(input: KubernetesInput, manifestsDir: string, opts: KubectlOptions = {}): Promise<KubernetesDeployResult> {
  const manifestFile = writeKubernetesManifests(manifestsDir, input);
  const context = await kubectlCurrentContext(opts);
  if (!context) {
    return {
      applied: false, manifestsDir, manifestFile,
      message: `no Kubernetes context is configured (kubectl config current-context failed); the manifests are in ${manifestFile}: ` +
        `apply them with kubectl apply -f ${manifestFile} once a cluster is configured`,
    };
  }
  const r = await execKubectl(['--context', context, 'apply', '-f', manifestFile, ...(opts.extraArgs ?? [])], opts);
  if (r.code !== 0) {
    throw new Error(`kubectl apply -f ${manifestFile} failed on context ${context}: ${(r.stderr || r.stdout).trim()}; ` +
      'check the cluster is reachable (kubectl get nodes) and that you may create Deployments and Services in the namespace');
  }
  return { applied: true, context, manifestsDir, manifestFile, message: r.stdout.trim() };
}

function execKubectl(args: string[], opts: KubectlOptions): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(opts.kubectl ?? 'kubectl', args, { env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.stdout.setEncoding('utf8').on('data', (c: string) => { stdout += c; });
    child.stderr.setEncoding('utf8').on('data', (c: string) => { stderr += c; });
    child.on('error', (e) => { clearTimeout(timer); resolve({ code: 127, stdout, stderr: e.message }); });
    child.on('close', (code) => { clearTimeout(timer); resolve({ code: code ?? 1, stdout, stderr }); });
  });
}
