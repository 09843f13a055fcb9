// The steps of a health-gated switch (blue/green behind the service's stable port), as a small
// state machine so the supervisor cannot, say, switch traffic to a revision that never passed its
// health check. Pure.

export type DeployPhase = 'starting' | 'checking' | 'switching' | 'draining' | 'done' | 'failed';

export type DeployEvent =
  | { type: 'started' }              // the revision's process/container is up
  | { type: 'ready' }                // /readyz answered 200
  | { type: 'not-ready'; reason: string } // exited, timed out or could not start
  | { type: 'switched' }             // the proxy now sends new requests to it
  | { type: 'drained' }              // the old revision finished its in-flight requests and stopped
  | { type: 'aborted'; reason: string };

const NEXT: Record<DeployPhase, Partial<Record<DeployEvent['type'], DeployPhase>>> = {
  starting: { started: 'checking', 'not-ready': 'failed', aborted: 'failed' },
  checking: { ready: 'switching', 'not-ready': 'failed', aborted: 'failed' },
  switching: { switched: 'draining' },
  draining: { drained: 'done' },
  done: {},
  failed: {},
};

export class DeployPhaseError extends Error {}

export function nextDeployPhase(phase: DeployPhase, event: DeployEvent): DeployPhase {
  const next = NEXT[phase][event.type];
  if (!next) throw new DeployPhaseError(`deploy step '${event.type}' is not allowed while ${phase}`);
  return next;
}

/** What a user reads for each phase (progress notifications, CLI output). */
export function describeDeployPhase(phase: DeployPhase, revision: number, previous?: number): string {
  switch (phase) {
    case 'starting': return `starting revision ${revision}`;
    case 'checking': return `waiting for revision ${revision} to pass /readyz`;
    case 'switching': return `switching traffic to revision ${revision}`;
    case 'draining': return previous === undefined ? `revision ${revision} is serving` : `revision ${revision} is serving; draining revision ${previous}`;
    case 'done': return `revision ${revision} is live`;
    case 'failed': return `revision ${revision} failed; the previous revision keeps serving`;
  }
}
