// Rules about a service's revisions: which one a rollback goes to, and how statuses change when a
// revision becomes active. Pure; the store and the supervisor apply the results.
import type { Revision } from '../../platform/deploy/serviceManager.api';

export type RevisionStatus = Revision['status'];

export class RollbackTargetError extends Error {}

/**
 * The revision a rollback activates: `to` when given (any recorded revision that once became
 * ready), else the newest revision older than the active one that did not fail.
 */
export function chooseRollbackTarget(
  revisions: ReadonlyArray<Pick<Revision, 'service' | 'revision' | 'status' | 'target'>>, to?: number,
): number {
  const service = revisions[0]?.service ?? 'this service';
  if (revisions.length === 0) throw new RollbackTargetError(`${service} has no revisions; deploy it first`);
  const active = revisions.find((r) => r.status === 'active');
  if (to !== undefined) {
    const target = revisions.find((r) => r.revision === to);
    const known = revisions.map((r) => r.revision).sort((a, b) => a - b).join(', ');
    if (!target) throw new RollbackTargetError(`${service} has no revision ${to}; known revisions: ${known}`);
    if (target.status === 'failed') {
      throw new RollbackTargetError(`revision ${to} of ${service} failed its deploy, so it never served; pick another (known: ${known})`);
    }
    if (target.status === 'active') throw new RollbackTargetError(`revision ${to} of ${service} is already active`);
    if (target.target === 'kubernetes' && active && active.target !== 'kubernetes') {
      throw new RollbackTargetError(`revision ${to} of ${service} is a Kubernetes revision; roll back within one target`);
    }
    return to;
  }
  const below = active ? active.revision : Number.POSITIVE_INFINITY;
  const candidates = revisions
    .filter((r) => r.revision < below && r.status !== 'failed' && r.status !== 'active')
    .sort((a, b) => b.revision - a.revision);
  if (!candidates.length) {
    throw new RollbackTargetError(active
      ? `${service} has no earlier working revision than ${active.revision} to roll back to`
      : `${service} has no working revision to roll back to`);
  }
  return candidates[0].revision;
}

/**
 * Statuses after `activated` becomes the serving revision: it is active, the one that served
 * before it is previous, other successful ones are retired; failed ones stay failed. `demoted`
 * (an automatic rollback's culprit) is marked failed. Activating the revision that is already
 * active changes nothing else: the deploy that switched and a status reconcile that saw the switch
 * first both record it, and the second must not push the previous revision down to retired.
 */
export function statusesAfterActivation(
  revisions: ReadonlyArray<Pick<Revision, 'revision' | 'status'>>, activated: number, demoted?: number,
): Map<number, RevisionStatus> {
  const formerActive = revisions.find((r) => r.status === 'active')?.revision;
  const next = new Map<number, RevisionStatus>();
  const reactivated = formerActive === activated;
  for (const r of revisions) {
    let status: RevisionStatus;
    if (reactivated && r.revision !== demoted) status = r.status;
    else if (r.revision === activated) status = 'active';
    else if (r.revision === demoted) status = 'failed';
    else if (r.status === 'failed') status = 'failed';
    else if (r.revision === formerActive) status = 'previous';
    else status = 'retired';
    if (status !== r.status) next.set(r.revision, status);
  }
  return next;
}
