// What the service manager and a service's supervisor process tell each other: the files in the
// service folder and the JSON of the control API (HTTP on 127.0.0.1, Bearer token).
import type { AutoRollbackPolicy } from '../../core/deploy/errorWindow';
import type { SupervisorSnapshot } from '../../core/deploy/serviceState';
import type { DeployTarget } from './serviceManager.api';

/** service.json, written by the manager before it starts the supervisor. */
export interface ServiceRecord {
  name: string;
  /** The service folder the user deployed (for display; revisions run from their bundle copies). */
  dir: string;
  target: DeployTarget;
  /** The stable port to bind; 0 = choose a free one (then remembered here by the manager). */
  port: number;
  autoRollback: AutoRollbackPolicy;
  readyTimeoutMs: number;
  /** How long an old revision may finish in-flight requests after a switch. */
  drainTimeoutMs: number;
  /** DeployRequest.model of the last deploy, when it overrode the manifest's `model:`. */
  model?: string;
}

/** supervisor.json, written by the supervisor once it listens. */
export interface SupervisorInfo {
  pid: number;
  port: number;
  controlPort: number;
  startedAt: number;
}

/** Everything a supervisor needs to start one revision. */
export interface RevisionSpec {
  revision: number;
  kind: 'local' | 'container';
  modelVersion?: string;
  workers?: number;
  /** Extra environment (manifest env, PYTHONPATH, ...); MODELCLOUD_* runtime vars are added by the supervisor. */
  env: Record<string, string>;
  /** local: argv and working folder (the revision's bundle copy). */
  argv?: string[];
  cwd?: string;
  /** container: image tag, engine, the port the service listens on inside. */
  image?: string;
  engine?: 'docker' | 'podman';
  containerPort?: number;
}

/** state.json, the supervisor's durable state (resumed after a restart of the supervisor). */
export interface SupervisorState {
  active?: RevisionSpec;
  previous?: RevisionSpec;
  /** Automatic rollbacks the manager has not recorded in the store yet are those with seq > its cursor. */
  events: SupervisorEvent[];
}

export interface SupervisorEvent {
  seq: number;
  at: number;
  type: 'auto-rollback';
  from: number;
  to: number;
  reason: string;
}

/** POST /activate streams NDJSON lines: progress messages, then one result. */
export type ActivateLine =
  | { progress: string }
  | { result: ActivateResult };

export type ActivateResult =
  | { ok: true; revision: number; port: number }
  | { ok: false; revision: number; reason: string; logExcerpt: string };

export interface StatusResponse extends SupervisorSnapshot {
  pid: number;
  events: SupervisorEvent[];
}
