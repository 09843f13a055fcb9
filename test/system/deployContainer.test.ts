// Container deploys for real: podman (provisioned by support/containers.ts), the seed service
// packaged into an image, run with its port published on 127.0.0.1 behind the supervisor's
// stable port; a second revision with a new model, rollback, stop removes the containers.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync } from 'node:fs';
import { join } from 'node:path';
import { createServiceManager } from '../../src/platform/deploy/createServiceManager';
import type { ServiceManager } from '../../src/platform/deploy/serviceManager.api';
import { provisionContainerEngine, type ContainerTestEnv } from './support/containers';
import { PYTHON, REPO, killEverything, tempRoot } from './support/deployFixture';

describe('deploy: container target with podman (system)', function () {
  this.timeout(600_000);
  const root = tempRoot('modelcloud-deploy-container-');
  const storeDir = join(root, '.modelcloud');
  const dir = join(root, 'seed');
  let env: ContainerTestEnv;
  let manager: ServiceManager;
  const savedEnv = { ...process.env };

  before(async () => {
    env = await provisionContainerEngine();
    // The manager, the packaging code and the supervisor it starts read the engine settings from the environment.
    Object.assign(process.env, env.processEnv);
    manager = createServiceManager({ storeDir, python: PYTHON, engine: env.engine, readyTimeoutMs: 60_000 });
    cpSync(join(REPO, 'test', 'fixtures', 'services', 'seed'), dir, { recursive: true });
  });
  after(async () => {
    if (manager) {
      try { await manager.stop('seed'); } catch { /* not running */ }
      manager.dispose();
    }
    killEverything(storeDir);
    const names = spawnSync('podman', ['ps', '-a', '--filter', 'label=modelcloud.service=seed', '--format', '{{.Names}}'], { encoding: 'utf8', env: process.env }).stdout;
    for (const name of names.split('\n').filter((n) => n.includes(root.split('-').pop()!) || n.startsWith('modelcloud-seed-'))) {
      spawnSync('podman', ['rm', '-f', name], { env: process.env });
    }
    for (const key of Object.keys(process.env)) if (!(key in savedEnv)) delete process.env[key];
    Object.assign(process.env, savedEnv);
    await env?.close();
  });

  function train(offset: number): void {
    const r = spawnSync(PYTHON, ['train.py', '--out', 'model.pkl', '--offset', String(offset)], { cwd: dir, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
  }
  async function ask(url: string): Promise<number> {
    const res = await fetch(`${url}/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"year": 2020, "month": 1, "day": 1}' });
    assert.equal(res.status, 200, await res.clone().text());
    return ((await res.json()) as { yhat: number }).yhat;
  }

  it('deploys, replaces the model with a second revision, rolls back and stops', async () => {
    train(0);
    const first = await manager.deploy({ dir, target: 'container', workers: 2 });
    const v1 = await ask(first.url!);
    const [status] = await manager.list();
    assert.equal(status.target, 'container');
    assert.equal(status.state, 'healthy');

    train(1000);
    const second = await manager.deploy({ dir, target: 'container', workers: 2 });
    assert.equal(second.url, first.url);
    assert.ok(Math.abs(await ask(first.url!) - v1 - 1000) < 1);
    const revisions = await manager.revisions('seed');
    assert.deepEqual(revisions.map((r) => [r.revision, r.target, r.status]), [[2, 'container', 'active'], [1, 'container', 'previous']]);
    assert.notEqual(revisions[0].digest, revisions[1].digest);

    await manager.rollback('seed');
    assert.ok(Math.abs(await ask(first.url!) - v1) < 1e-6);

    await manager.stop('seed');
    const left = spawnSync('podman', ['ps', '-a', '--filter', 'label=modelcloud.service=seed', '--format', '{{.Names}}'], { encoding: 'utf8', env: process.env }).stdout.trim();
    assert.equal(left, '', `containers left behind: ${left}`);
  });
});
