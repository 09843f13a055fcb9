// Helpers for the deploy system tests: copies of the stand-in service with a chosen behaviour, a
// load loop against a URL, and a clean-up that leaves no supervisor or revision process behind.
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const REPO = process.env.MODELCLOUD_REPO ?? join(__dirname, '..', '..', '..', '..');
export const PYTHON = process.env.MODELCLOUD_PYTHON ?? 'python3';
const FIXTURE = join(REPO, 'test', 'system', 'fixtures', 'deploy');

export function tempRoot(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export type Behaviour = 'ok' | 'fail_start' | 'never_ready' | 'errors';

/** A copy of the fixture service at `dir` answering with `version`. */
export function writeService(dir: string, version: string, behaviour: Behaviour = 'ok', name = 'deploy-fixture'): string {
  rmSync(dir, { recursive: true, force: true });
  cpSync(FIXTURE, dir, { recursive: true });
  writeFileSync(join(dir, 'modelcloud.yaml'), `name: ${name}\npython: "3.11"\nentrypoint: python cloud_model.py\n`);
  writeFileSync(join(dir, 'version.txt'), `${version}\n`);
  if (behaviour !== 'ok') writeFileSync(join(dir, behaviour), '1\n');
  return dir;
}

export async function predict(url: string, x = 1): Promise<{ status: number; version?: string }> {
  const res = await fetch(`${url}/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ x }) });
  const text = await res.text();
  let version: string | undefined;
  try { version = (JSON.parse(text) as { version?: string }).version; } catch { /* not JSON */ }
  return { status: res.status, version };
}

/** versions: per client (each sends one request at a time), the versions it saw in order, repeats collapsed. */
export interface LoadResult { ok: number; failed: number; failures: string[]; versions: string[][] }

/** `clients` loops of POST /predict until stop() resolves; records every failure and the order of versions seen. */
export function loadLoop(url: string, clients = 4): { stop: () => Promise<LoadResult> } {
  const result: LoadResult = { ok: 0, failed: 0, failures: [], versions: [] };
  let running = true;
  const loops = Array.from({ length: clients }, async (_, client) => {
    const seen: string[] = [];
    result.versions[client] = seen;
    while (running) {
      try {
        const r = await predict(url, 3);
        if (r.status === 200) {
          result.ok++;
          if (r.version && seen[seen.length - 1] !== r.version) seen.push(r.version);
        } else { result.failed++; result.failures.push(`HTTP ${r.status}`); }
      } catch (error) {
        result.failed++;
        result.failures.push(String((error as Error).cause ?? error));
      }
    }
  });
  return { stop: async () => { running = false; await Promise.all(loops); return result; } };
}

/** Kills every supervisor and revision process recorded under storeDir (for after hooks). */
export function killEverything(storeDir: string): void {
  const root = join(storeDir, 'services');
  if (!existsSync(root)) return;
  for (const name of readdirSync(root)) {
    const dir = join(root, name);
    for (const file of ['supervisor.json']) {
      try {
        const pid = (JSON.parse(readFileSync(join(dir, file), 'utf8')) as { pid: number }).pid;
        process.kill(pid, 'SIGKILL');
      } catch { /* not running */ }
    }
    try {
      const left = JSON.parse(readFileSync(join(dir, 'leftovers.json'), 'utf8')) as { pids: number[] };
      for (const pid of left.pids) { try { process.kill(-pid, 'SIGKILL'); } catch { /* gone */ } }
    } catch { /* none */ }
  }
}

export { isProcessAlive as isAlive } from '../../../src/platform/process/pidLock';

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

export async function waitFor<T>(what: string, fn: () => Promise<T | undefined> | T | undefined, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const v = await fn();
    if (v !== undefined && v !== false) return v as T;
    await sleep(100);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}
