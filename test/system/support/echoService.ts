// A real model service for the A/B router system test and bench: a copy of the echo fixture
// service (test/fixtures/workspace/services/echo) run by the modelcloud Python runtime as its own
// process group on a free loopback port.
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '../../../src/supervisor/revisionRunner';
import { PYTHON, REPO, waitFor } from './deployFixture';

export { freePort };

export const ECHO_SERVICE = join(REPO, 'test', 'fixtures', 'workspace', 'services', 'echo');

export interface EchoService { name: string; url: string; child: ChildProcess }

/** Starts a copy of the echo service in `<root>/<name>` and resolves once /readyz answers. */
export async function startEchoService(root: string, name: string, workers = 1): Promise<EchoService> {
  const dir = join(root, name);
  cpSync(ECHO_SERVICE, dir, { recursive: true });
  mkdirSync(join(dir, 'state'), { recursive: true });
  const port = await freePort();
  const child = spawn(PYTHON, ['cloud_model.py'], {
    cwd: dir, detached: true, stdio: 'ignore',
    env: {
      ...process.env, PYTHONPATH: join(REPO, 'src', 'python'), MODELCLOUD_PORT: String(port), MODELCLOUD_RUNENV: 'prod',
      MODELCLOUD_WORKERS: String(workers), MODELCLOUD_SERVICE: name, MODELCLOUD_STATE_DIR: join(dir, 'state'),
    },
  });
  const url = `http://127.0.0.1:${port}`;
  await waitFor(`${name} /readyz`, async () => {
    try { return (await fetch(`${url}/readyz`)).ok || undefined; } catch { return undefined; }
  }, 30_000);
  return { name, url, child };
}

/** Kills the service's whole process group (runtime master and workers). */
export function killEchoService(s: EchoService): void {
  try { process.kill(-s.child.pid!, 'SIGKILL'); } catch { /* gone */ }
}
