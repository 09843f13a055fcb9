import * as assert from 'node:assert/strict';
import { nextDeployPhase, describeDeployPhase, type DeployPhase } from '../../../src/core/deploy/deployPhases';
import { chooseServicePort, validateWorkers } from '../../../src/core/deploy/servicePort';
import { serviceStateOf, restartBackoffMs, type SupervisorSnapshot } from '../../../src/core/deploy/serviceState';
import { entrypointArgv, splitCommandLine } from '../../../src/core/deploy/entrypoint';

describe('deploy phases', () => {
  it('walks starting → checking → switching → draining → done', () => {
    let p: DeployPhase = 'starting';
    for (const type of ['started', 'ready', 'switched', 'drained'] as const) p = nextDeployPhase(p, { type } as never);
    assert.equal(p, 'done');
  });
  it('fails from starting or checking, and never switches to a revision that was not ready', () => {
    assert.equal(nextDeployPhase('checking', { type: 'not-ready', reason: 'x' }), 'failed');
    assert.throws(() => nextDeployPhase('checking', { type: 'switched' }), /not allowed while checking/);
    assert.throws(() => nextDeployPhase('failed', { type: 'ready' }), /not allowed while failed/);
  });
  it('describes draining with and without a previous revision', () => {
    assert.equal(describeDeployPhase('draining', 2, 1), 'revision 2 is serving; draining revision 1');
    assert.equal(describeDeployPhase('draining', 1), 'revision 1 is serving');
  });
});

describe('chooseServicePort', () => {
  it('prefers --port, then the manifest, then the remembered port, else 0 (a free one)', () => {
    assert.deepEqual(chooseServicePort({ service: 's', requested: 9100, manifestPort: 9000, remembered: 9200 }), { ok: true, port: 9100 });
    assert.deepEqual(chooseServicePort({ service: 's', manifestPort: 9000, remembered: 9200 }), { ok: true, port: 9000 });
    assert.deepEqual(chooseServicePort({ service: 's', remembered: 9200 }), { ok: true, port: 9200 });
    assert.deepEqual(chooseServicePort({ service: 's' }), { ok: true, port: 0 });
  });
  it('keeps a running service on its port and explains how to move it', () => {
    assert.deepEqual(chooseServicePort({ service: 's', running: 4000 }), { ok: true, port: 4000 });
    const moved = chooseServicePort({ service: 's', requested: 5000, running: 4000 });
    assert.equal(moved.ok, false);
    assert.match((moved as { error: string }).error, /running on port 4000.*modelcloud stop s/);
  });
  it('rejects impossible ports and worker counts', () => {
    assert.equal(chooseServicePort({ service: 's', requested: 70000 }).ok, false);
    assert.match(validateWorkers(0)!, /1 to 64/);
    assert.equal(validateWorkers(4), undefined);
  });
});

describe('serviceStateOf', () => {
  const base: SupervisorSnapshot = { port: 1, errorRate: { requests: 0, errors: 0, rate: 0 } };
  const active = { revision: 1, health: 'ready' as const, since: 0, crashes: 0 };
  it('maps supervisor reports to view states', () => {
    assert.equal(serviceStateOf(undefined), 'stopped');
    assert.equal(serviceStateOf({ ...base, activating: 1 }), 'starting');
    assert.equal(serviceStateOf(base), 'failed');
    assert.equal(serviceStateOf({ ...base, active }), 'healthy');
    assert.equal(serviceStateOf({ ...base, active: { ...active, health: 'restarting' } }), 'degraded');
    assert.equal(serviceStateOf({ ...base, active: { ...active, health: 'down' } }), 'failed');
    assert.equal(serviceStateOf({ ...base, active, errorRate: { requests: 10, errors: 5, rate: 0.5 } }), 'degraded');
  });
  it('backs off restarts from 0.5 s doubling to 30 s', () => {
    assert.deepEqual([1, 2, 3, 10].map(restartBackoffMs), [500, 1000, 2000, 30_000]);
  });
});

describe('entrypointArgv', () => {
  it('swaps a leading python for the service interpreter and splits like a shell', () => {
    assert.deepEqual(entrypointArgv('python cloud_model.py', '/v/bin/python'), ['/v/bin/python', 'cloud_model.py']);
    assert.deepEqual(entrypointArgv('python3.11 -u "my model.py"', '/p'), ['/p', '-u', 'my model.py']);
    assert.deepEqual(entrypointArgv("gunicorn -w 2 'app:app'", '/p'), ['gunicorn', '-w', '2', 'app:app']);
    assert.deepEqual(splitCommandLine('a\\ b "c\\"d" \'\''), ['a b', 'c"d', '']);
  });
  it('rejects empty entrypoints and open quotes', () => {
    assert.throws(() => entrypointArgv('  ', '/p'), /entrypoint is empty/);
    assert.throws(() => entrypointArgv('python "x', '/p'), /unterminated " quote/);
  });
});
