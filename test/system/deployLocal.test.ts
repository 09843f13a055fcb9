// Local-process deploys for real: a detached supervisor, real Python revisions, real HTTP through
// the stable port. One service goes through its whole life in order (each step builds on the last).
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { createServiceManager } from '../../src/platform/deploy/createServiceManager';
import { DeployError, type ServiceManager } from '../../src/platform/deploy/serviceManager.api';
import { runCli } from '../../src/cli/runCli';
import {
  PYTHON, REPO, isAlive, killEverything, loadLoop, predict, tempRoot, waitFor, writeService, sleep,
} from './support/deployFixture';

const SERVICE = 'deploy-fixture';

describe('deploy: local process target (system)', function () {
  this.timeout(120_000);
  const root = tempRoot('modelcloud-deploy-');
  const storeDir = join(root, '.modelcloud');
  const src = join(root, 'svc');
  let manager: ServiceManager;
  let url = '';

  before(() => {
    manager = createServiceManager({ storeDir, python: PYTHON, readyTimeoutMs: 15_000, drainTimeoutMs: 5_000 });
  });
  after(async () => {
    try { await manager.stop(SERVICE); } catch { /* already stopped */ }
    manager.dispose();
    killEverything(storeDir);
  });

  it('deploys v1 from the CLI; the supervisor outlives the CLI process and serves on the stable port', () => {
    writeService(src, 'v1');
    const r = spawnSync(process.execPath, [join(REPO, 'dist', 'cli.js'), '--store', storeDir, 'deploy', src, '--target', 'local'], {
      encoding: 'utf8', env: { ...process.env, MODELCLOUD_PYTHON: PYTHON }, timeout: 60_000,
    });
    assert.equal(r.status, 0, `deploy failed:\n${r.stdout}\n${r.stderr}`);
    const m = /deployed deploy-fixture revision 1 at (http:\/\/127\.0\.0\.1:\d+)/.exec(r.stdout);
    assert.ok(m, r.stdout);
    url = m[1];
    // The CLI has exited (spawnSync returned); the service must still answer.
    const info = JSON.parse(readFileSync(join(storeDir, 'services', SERVICE, 'supervisor.json'), 'utf8')) as { pid: number };
    assert.ok(isAlive(info.pid));
    assert.equal(statSync(join(storeDir, 'services', SERVICE, 'control.token')).mode & 0o777, 0o600);
    assert.equal(statSync(join(storeDir, 'services', SERVICE, 'admin.token')).mode & 0o777, 0o600);
  });

  it('answers 200 with v1, with the runtime environment set', async () => {
    assert.deepEqual(await predict(url), { status: 200, version: 'v1' });
    const version = await (await fetch(`${url}/version`)).json() as Record<string, unknown>;
    assert.equal(version.has_admin_token, true);
    assert.match(String(version.state_dir), /revision-1$/);
  });

  it('deploys v2 under load with zero failed requests, and traffic moves to v2', async () => {
    writeService(src, 'v2');
    const load = loadLoop(url, 4);
    await sleep(300);
    const result = await manager.deploy({ dir: src, target: 'local' });
    await sleep(300);
    const seen = await load.stop();
    assert.equal(result.revision, 2);
    assert.equal(result.url, url, 'the stable port stays');
    assert.equal(seen.failed, 0, `failed requests: ${seen.failures.slice(0, 5).join(', ')}`);
    assert.ok(seen.ok > 20, `only ${seen.ok} requests went through`);
    // Each client sends one request at a time: once it got v2, it never sees v1 again.
    for (const versions of seen.versions) assert.deepEqual(versions, ['v1', 'v2']);
  });

  it('refuses a broken v3 with a log excerpt; v2 keeps serving and revision 3 is recorded as failed', async () => {
    writeService(src, 'v3', 'fail_start');
    await assert.rejects(manager.deploy({ dir: src, target: 'local' }), (error: unknown) => {
      assert.ok(error instanceof DeployError);
      assert.equal(error.revision, 3);
      assert.match(error.message, /exited with code 3/);
      assert.match(error.logExcerpt, /boom: model file is corrupt/);
      return true;
    });
    assert.deepEqual(await predict(url), { status: 200, version: 'v2' });
    const revisions = await manager.revisions(SERVICE);
    assert.deepEqual(revisions.map((r) => [r.revision, r.status]), [[3, 'failed'], [2, 'active'], [1, 'previous']]);
    assert.match(revisions[0].reason ?? '', /exited with code 3/);
  });

  it('refuses a revision that never passes /readyz within the timeout', async () => {
    const quick = createServiceManager({ storeDir, python: PYTHON, readyTimeoutMs: 2_000 });
    try {
      writeService(src, 'v-never', 'never_ready');
      await assert.rejects(quick.deploy({ dir: src, target: 'local' }), /was not ready within 2 s \(\/readyz: HTTP 503\)/);
    } finally {
      quick.dispose();
    }
    assert.deepEqual(await predict(url), { status: 200, version: 'v2' });
  });

  it('rolls back to v1 (the newest working revision before the active one), from the bundle copy', async () => {
    writeService(src, 'working-tree-changed'); // rollback must not read the working tree
    const result = await manager.rollback(SERVICE);
    assert.equal(result.revision, 1);
    assert.deepEqual(await predict(url), { status: 200, version: 'v1' });
    const statuses = (await manager.revisions(SERVICE)).map((r) => [r.revision, r.status]);
    assert.deepEqual(statuses, [[4, 'failed'], [3, 'failed'], [2, 'previous'], [1, 'active']]);
  });

  it('refuses a rollback to a failed revision with a clear message', async () => {
    await assert.rejects(manager.rollback(SERVICE, 3), /revision 3 of deploy-fixture failed its deploy/);
    await assert.rejects(manager.rollback(SERVICE, 99), /has no revision 99; known revisions: 1, 2, 3, 4/);
  });

  it('restarts a crashed revision by itself', async () => {
    const before = await (await fetch(`${url}/version`)).json() as { pid: number };
    process.kill(before.pid, 'SIGKILL');
    const after = await waitFor('the revision to come back', async () => {
      try {
        const v = await (await fetch(`${url}/version`)).json() as { pid?: number };
        return v.pid !== undefined && v.pid !== before.pid ? v : undefined;
      } catch { return undefined; }
    });
    assert.notEqual(after.pid, before.pid);
    assert.deepEqual(await predict(url), { status: 200, version: 'v1' });
  });

  it('rolls back automatically when the error rate passes the threshold', async () => {
    writeService(src, 'v5-bad', 'errors');
    const result = await manager.deploy({
      dir: src, target: 'local', autoRollback: { threshold: 0.5, windowSeconds: 5, minRequests: 10 },
    } as Parameters<ServiceManager['deploy']>[0]);
    assert.equal(result.revision, 5);
    // /readyz passes, /predict fails: only the error rate tells.
    let statuses: number[] = [];
    await waitFor('the automatic rollback', async () => {
      const r = await predict(url);
      statuses.push(r.status);
      return r.version === 'v1' ? true : undefined;
    });
    assert.ok(statuses.includes(500), 'the bad revision served first');
    statuses = [];
    const revisions = await manager.revisions(SERVICE);
    const five = revisions.find((r) => r.revision === 5)!;
    assert.equal(five.status, 'failed');
    assert.match(five.reason ?? '', /automatic rollback: \d+ of \d+ requests failed/);
    assert.equal(revisions.find((r) => r.status === 'active')?.revision, 1);
  });

  it('lists the service in `modelcloud status --json`', async () => {
    let out = '';
    const code = await runCli(['--store', storeDir, 'status', '--json'], {
      out: (t) => { out += t; }, err: (t) => { out += t; }, cwd: root, version: 'test',
    });
    assert.equal(code, 0, out);
    const services = JSON.parse(out) as Array<Record<string, unknown>>;
    assert.equal(services.length, 1);
    assert.equal(services[0].name, SERVICE);
    assert.equal(services[0].target, 'local');
    assert.equal(services[0].url, url);
    assert.equal(services[0].revision, 1);
    assert.ok(['healthy', 'degraded'].includes(String(services[0].state)), String(services[0].state));
  });

  it('stops: the port closes, the supervisor and its revisions are gone, history stays', async () => {
    const info = JSON.parse(readFileSync(join(storeDir, 'services', SERVICE, 'supervisor.json'), 'utf8')) as { pid: number };
    const revisionPid = ((await (await fetch(`${url}/version`)).json()) as { pid: number }).pid;
    await manager.stop(SERVICE);
    assert.equal(isAlive(info.pid), false);
    assert.equal(isAlive(revisionPid), false);
    assert.equal(existsSync(join(storeDir, 'services', SERVICE, 'supervisor.json')), false);
    await assert.rejects(fetch(`${url}/readyz`));
    const [status] = await manager.list();
    assert.equal(status.state, 'stopped');
    assert.equal((await manager.revisions(SERVICE)).length, 5);
  });

  it('restart brings a stopped service back on its remembered port', async () => {
    await manager.restart(SERVICE);
    assert.deepEqual(await predict(url), { status: 200, version: 'v1' });
    try { unlinkSync(join(src, 'errors')); } catch { /* not there */ }
  });
});
