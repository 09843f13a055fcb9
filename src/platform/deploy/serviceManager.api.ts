// The contract between the deploy machinery (supervisor, targets, revisions) and its users
// (the CLI and the VS Code Deployments view). Both sides import only this file.

export type DeployTarget = 'local' | 'container' | 'kubernetes';
export type ServiceState = 'starting' | 'healthy' | 'degraded' | 'stopped' | 'failed';

export interface Revision {
  service: string;
  revision: number;
  target: DeployTarget;
  digest: string;
  modelVersion?: string;
  config: Record<string, unknown>;
  createdAt: number;
  status: 'active' | 'previous' | 'failed' | 'retired';
  reason?: string;
}

export interface ServiceStatus {
  name: string;
  dir: string;
  target: DeployTarget;
  state: ServiceState;
  url?: string;
  port?: number;
  revision?: number;
  modelVersion?: string;
  /** The model the service was deployed with instead of its manifest's (DeployRequest.model); redeploys keep it. */
  modelOverride?: string;
  workers?: number;
  lastError?: string;
}

export interface DeployRequest {
  dir: string;
  target: DeployTarget;
  port?: number;
  workers?: number;
  /** Deploy under this service name instead of the manifest's (one folder, several services). */
  name?: string;
  /** Serve this registry model (models:/NAME/N, @alias or /Stage) instead of the manifest's `model:`. */
  model?: string;
}

export interface DeployResult {
  service: string;
  revision: number;
  url?: string;
  manifestsDir?: string /* kubernetes without a cluster */;
}

/** A deploy or rollback that did not make it live; the previous revision (if any) keeps serving. */
export class DeployError extends Error {
  constructor(
    message: string,
    readonly logExcerpt: string,
    readonly revision?: number,
  ) {
    super(message);
    this.name = 'DeployError';
  }
}

export interface ServiceManager {
  deploy(req: DeployRequest, onProgress?: (message: string) => void, signal?: AbortSignal): Promise<DeployResult>;
  rollback(service: string, toRevision?: number, onProgress?: (message: string) => void): Promise<DeployResult>;
  list(): Promise<ServiceStatus[]>;
  revisions(service: string): Promise<Revision[]>;
  stop(service: string): Promise<void>;
  restart(service: string): Promise<void>;
  scale(service: string, workers: number): Promise<void>;
  /** A file D can tail into an Output channel. */
  logFile(service: string): string | undefined;
  /** For hot update calls (POST /admin/model). */
  adminToken(service: string): Promise<string | undefined>;
  dispose(): void;
}
