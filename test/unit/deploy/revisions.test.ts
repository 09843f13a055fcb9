import * as assert from 'node:assert/strict';
import { chooseRollbackTarget, statusesAfterActivation } from '../../../src/core/deploy/revisions';
import type { Revision } from '../../../src/platform/deploy/serviceManager.api';

type R = Pick<Revision, 'service' | 'revision' | 'status' | 'target'>;
const rev = (revision: number, status: Revision['status'], target: Revision['target'] = 'local'): R => ({ service: 'wine', revision, status, target });

describe('chooseRollbackTarget', () => {
  it('defaults to the newest working revision older than the active one', () => {
    assert.equal(chooseRollbackTarget([rev(4, 'failed'), rev(3, 'active'), rev(2, 'failed'), rev(1, 'retired')]), 1);
    assert.equal(chooseRollbackTarget([rev(3, 'active'), rev(2, 'previous'), rev(1, 'retired')]), 2);
  });
  it('takes an explicit revision, newer ones included', () => {
    assert.equal(chooseRollbackTarget([rev(3, 'retired'), rev(2, 'active'), rev(1, 'previous')], 3), 3);
  });
  it('refuses failed, unknown, active and missing targets with actionable messages', () => {
    const list = [rev(3, 'failed'), rev(2, 'active'), rev(1, 'previous')];
    assert.throws(() => chooseRollbackTarget(list, 3), /revision 3 of wine failed its deploy.*known: 1, 2, 3/);
    assert.throws(() => chooseRollbackTarget(list, 9), /wine has no revision 9; known revisions: 1, 2, 3/);
    assert.throws(() => chooseRollbackTarget(list, 2), /already active/);
    assert.throws(() => chooseRollbackTarget([rev(1, 'active')]), /no earlier working revision than 1/);
    assert.throws(() => chooseRollbackTarget([]), /has no revisions; deploy it first/);
  });
  it('does not mix Kubernetes revisions into a local rollback', () => {
    assert.throws(() => chooseRollbackTarget([rev(2, 'active'), rev(1, 'previous', 'kubernetes')], 1), /Kubernetes revision/);
  });
});

describe('statusesAfterActivation', () => {
  it('makes the activated one active, the former active previous, others retired, failed stay failed', () => {
    const changes = statusesAfterActivation(
      [{ revision: 4, status: 'retired' }, { revision: 3, status: 'failed' }, { revision: 2, status: 'active' }, { revision: 1, status: 'previous' }], 4);
    assert.deepEqual([...changes].sort(), [[1, 'retired'], [2, 'previous'], [4, 'active']]);
  });
  it('marks the culprit of an automatic rollback failed', () => {
    const changes = statusesAfterActivation([{ revision: 2, status: 'active' }, { revision: 1, status: 'previous' }], 1, 2);
    assert.deepEqual([...changes].sort(), [[1, 'active'], [2, 'failed']]);
  });
  it('recording the active revision again keeps the previous one previous (deploy and reconcile both record a switch)', () => {
    const once = statusesAfterActivation([{ revision: 2, status: 'retired' }, { revision: 1, status: 'active' }], 2);
    assert.deepEqual([...once].sort(), [[1, 'previous'], [2, 'active']]);
    const twice = statusesAfterActivation([{ revision: 2, status: 'active' }, { revision: 1, status: 'previous' }], 2);
    assert.deepEqual([...twice], []);
  });
});
