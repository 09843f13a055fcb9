// What the Deployments view and `modelcloud status` call a service's state, derived from what its
// supervisor reports. Pure.
import type { ServiceState } from '../../platform/deploy/serviceManager.api';

/** The supervisor's report about the revision behind its proxy (see src/supervisor). */
export interface SupervisorSnapshot {
  port: number;
  /** The revision traffic goes to, if any. */
  active?: {
    revision: number;
    /** ready: answering; restarting: crashed and being started again; down: given up after repeated crashes. */
    health: 'ready' | 'restarting' | 'down';
    modelVersion?: string;
    workers?: number;
    since: number;
    crashes: number;
  };
  /** A revision being started and health-checked right now. */
  activating?: number;
  errorRate: { requests: number; errors: number; rate: number };
  lastError?: string;
}

/** Error rate above which a healthy-looking service is shown as degraded. */
export const DEGRADED_ERROR_RATE = 0.2;
const MIN_REQUESTS_FOR_DEGRADED = 5;

export function serviceStateOf(snapshot: SupervisorSnapshot | undefined): ServiceState {
  if (!snapshot) return 'stopped';
  const active = snapshot.active;
  if (!active) return snapshot.activating !== undefined ? 'starting' : 'failed';
  if (active.health === 'down') return 'failed';
  if (active.health === 'restarting') return 'degraded';
  const { requests, rate } = snapshot.errorRate;
  if (requests >= MIN_REQUESTS_FOR_DEGRADED && rate >= DEGRADED_ERROR_RATE) return 'degraded';
  return 'healthy';
}

/** Delay before the n-th restart (1-based) of a crashed revision: 0.5 s doubling to 30 s. */
export function restartBackoffMs(attempt: number): number {
  return Math.min(30_000, 500 * 2 ** Math.max(0, attempt - 1));
}

/** Crashes in a row after which the supervisor reports the revision as down (it keeps retrying slowly). */
export const CRASHES_BEFORE_DOWN = 5;
