// Local deploys with what users run: a venv made from requirements.txt (pip against the local
// index), and the seed's cloud_model.py on the real modelcloud runtime with 2 prod workers.
import * as assert from 'node:assert/strict';
import { cpSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { createServiceManager } from '../../src/platform/deploy/createServiceManager';
import type { ServiceManager } from '../../src/platform/deploy/serviceManager.api';
import { PYTHON, REPO, killEverything, tempRoot, writeService } from './support/deployFixture';

describe('deploy: venv from requirements.txt (system)', function () {
  this.timeout(180_000);
  const root = tempRoot('modelcloud-deploy-venv-');
  const storeDir = join(root, '.modelcloud');
  let manager: ServiceManager;
  const saved = { PIP_INDEX_URL: process.env.PIP_INDEX_URL, PIP_EXTRA_INDEX_URL: process.env.PIP_EXTRA_INDEX_URL };

  before(() => {
    // The machine's local indexes, named explicitly (pip is slow retrying unreachable defaults).
    process.env.PIP_INDEX_URL = process.env.MODELCLOUD_PIP_INDEX_URL ?? 'file:///opt/pypi/simple';
    process.env.PIP_EXTRA_INDEX_URL = process.env.MODELCLOUD_PIP_EXTRA_INDEX_URL ?? 'file:///opt/pypi-more/simple';
    manager = createServiceManager({ storeDir, python: PYTHON, venv: 'always', venvCacheDir: join(root, 'venvs'), readyTimeoutMs: 30_000 });
  });
  after(async () => {
    try { await manager.stop('venv-fixture'); } catch { /* not running */ }
    manager.dispose();
    killEverything(storeDir);
    for (const [k, v] of Object.entries(saved)) { if (v === undefined) delete process.env[k]; else process.env[k] = v; }
  });

  it('creates a cached venv with the requirements and runs the revision in it', async () => {
    const dir = writeService(join(root, 'svc'), 'v1', 'ok', 'venv-fixture');
    writeFileSync(join(dir, 'requirements.txt'), 'tabulate\n');
    writeFileSync(join(dir, 'imports.txt'), 'tabulate\n');
    const progress: string[] = [];
    const result = await manager.deploy({ dir, target: 'local' }, (m) => progress.push(m));
    const version = await (await fetch(`${result.url}/version`)).json() as { python: string };
    assert.ok(version.python.startsWith(join(root, 'venvs')), `${version.python} is not in the venv cache`);
    assert.ok(progress.some((m) => /creating a Python 3\.\d+\.\d+ venv/.test(m)), progress.join('\n'));
    // A second deploy with the same requirements reuses the venv.
    const again: string[] = [];
    await manager.deploy({ dir, target: 'local' }, (m) => again.push(m));
    assert.ok(again.some((m) => /using the cached venv/.test(m)), again.join('\n'));
  });
});

describe('deploy: the seed service on the modelcloud runtime (system)', function () {
  this.timeout(180_000);
  const root = tempRoot('modelcloud-deploy-seed-');
  const storeDir = join(root, '.modelcloud');
  const seed = join(REPO, 'test', 'fixtures', 'services', 'seed');
  let manager: ServiceManager;

  before(function () {
    if (!existsSync(join(REPO, 'src', 'python', 'modelcloud', 'serving', 'server.py'))) this.skip();
    manager = createServiceManager({ storeDir, python: PYTHON, readyTimeoutMs: 60_000 });
  });
  after(async () => {
    if (!manager) return;
    try { await manager.stop('seed'); } catch { /* not running */ }
    manager.dispose();
    killEverything(storeDir);
  });

  function train(dir: string, offset: number): void {
    const r = spawnSync(PYTHON, ['train.py', '--out', 'model.pkl', '--offset', String(offset)], { cwd: dir, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
  }

  it('deploys the seed cloud_model.py unchanged with 2 workers, answers /predict, then a new model replaces it', async () => {
    const dir = join(root, 'seed');
    cpSync(seed, dir, { recursive: true });
    train(dir, 0);
    const first = await manager.deploy({ dir, target: 'local', workers: 2 });
    const ask = async (): Promise<number> => {
      const res = await fetch(`${first.url}/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"year": 2020, "month": 1, "day": 1}' });
      assert.equal(res.status, 200, await res.clone().text());
      return ((await res.json()) as { yhat: number }).yhat;
    };
    const before = await ask();
    const version = await (await fetch(`${first.url}/version`)).json() as { model_version?: string };
    assert.match(String(version.model_version), /^sha256:[0-9a-f]{12}$/);
    const [status] = await manager.list();
    assert.equal(status.workers, 2);
    assert.equal(status.modelVersion, version.model_version);

    train(dir, 1000);
    const second = await manager.deploy({ dir, target: 'local', workers: 2 });
    assert.equal(second.url, first.url);
    const after = await ask();
    assert.ok(Math.abs(after - before - 1000) < 1, `expected +1000 MW, got ${before} -> ${after}`);
    const invalid = await fetch(`${first.url}/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"year": "x"}' });
    assert.equal(invalid.status, 422);
  });
});
