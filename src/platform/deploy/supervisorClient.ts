// Starting a service's supervisor (detached, so it outlives VS Code and the CLI) and talking to its
// control API.
import { bundledScript, spawnDetachedNode } from '../process/detachedNode';
import { isProcessAlive as isAlive } from '../process/pidLock';
import { mkdirSync } from 'node:fs';
import * as http from 'node:http';
import { join } from 'node:path';
import type { ServicePaths } from './servicePaths';
import { readJsonFile, ensureToken } from './servicePaths';
import { tailFile } from './tailFile';
import type { ActivateLine, ActivateResult, StatusResponse, SupervisorInfo } from './supervisorProtocol';

/** dist/supervisor.js: env MODELCLOUD_SUPERVISOR_SCRIPT, else beside this bundle, else dist/ above a transpiled out/ tree. */
export function supervisorScript(env: NodeJS.ProcessEnv = process.env): string {
  return bundledScript('supervisor.js', 'MODELCLOUD_SUPERVISOR_SCRIPT', 'supervisor', env);
}


export class SupervisorClient {
  private constructor(readonly info: SupervisorInfo, private readonly token: string) {}

  /** The running supervisor of a service folder, if there is one (its file exists and its pid lives). */
  static connect(paths: ServicePaths): SupervisorClient | undefined {
    const info = readJsonFile<SupervisorInfo>(paths.supervisorFile);
    if (!info || !isAlive(info.pid)) return undefined;
    return new SupervisorClient(info, ensureToken(paths.controlTokenFile));
  }

  /** Starts the supervisor detached and waits (up to 15 s) until it listens. */
  static async start(paths: ServicePaths, env: NodeJS.ProcessEnv = process.env): Promise<SupervisorClient> {
    mkdirSync(paths.dir, { recursive: true, mode: 0o700 });
    ensureToken(paths.controlTokenFile);
    ensureToken(paths.adminTokenFile);
    const child = spawnDetachedNode(supervisorScript(env), paths.dir, join(paths.dir, 'supervisor.out'), env);
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline) {
      const client = SupervisorClient.connect(paths);
      if (client && client.info.pid === child.pid) return client;
      const exitCode = child.exitCode();
      if (exitCode !== undefined) {
        // 3: another supervisor won the race; use it.
        const other = SupervisorClient.connect(paths);
        if (exitCode === 3 && other) return other;
        if (exitCode === 3) { await new Promise((r) => setTimeout(r, 100)); continue; }
        break;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    const exitCode = child.exitCode();
    throw new Error(`the supervisor of ${paths.dir} did not start${exitCode !== undefined ? ` (exit ${exitCode})` : ''}:\n` +
      tailFile(join(paths.dir, 'supervisor.out'), 20));
  }

  status(): Promise<StatusResponse> {
    return this.request('GET', '/status').then((r) => JSON.parse(r) as StatusResponse);
  }

  /** A health-gated switch (activate, restart or scale); progress lines are passed on as they come. */
  switchRevision(path: '/activate' | '/restart' | '/scale', body: unknown, onProgress: (m: string) => void): Promise<ActivateResult> {
    return new Promise((resolve, reject) => {
      const text = body === undefined ? '' : JSON.stringify(body);
      const req = this.raw('POST', path, text, (res) => {
        if (res.statusCode !== 200) {
          collect(res).then((b) => reject(new Error(`supervisor refused ${path}: HTTP ${res.statusCode} ${b}`)), reject);
          return;
        }
        let partial = '';
        let result: ActivateResult | undefined;
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          partial += chunk;
          const lines = partial.split('\n');
          partial = lines.pop() ?? '';
          for (const line of lines) {
            if (!line.trim()) continue;
            const parsed = JSON.parse(line) as ActivateLine;
            if ('progress' in parsed) onProgress(parsed.progress);
            else result = parsed.result;
          }
        });
        res.on('end', () => (result ? resolve(result) : reject(new Error(`the supervisor ended ${path} without a result (did it stop?)`))));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(text);
    });
  }

  setPolicy(policy: unknown): Promise<void> {
    return this.request('POST', '/policy', JSON.stringify(policy)).then(() => undefined);
  }

  /** Asks the supervisor to stop its revisions and exit; waits (up to 20 s) until its process is gone. */
  async stop(): Promise<void> {
    try { await this.request('POST', '/stop', ''); } catch { /* it may close the connection as it exits */ }
    const deadline = Date.now() + 20_000;
    while (isAlive(this.info.pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    if (isAlive(this.info.pid)) process.kill(this.info.pid, 'SIGKILL');
  }

  private request(method: string, path: string, body = ''): Promise<string> {
    return new Promise((resolve, reject) => {
      const req = this.raw(method, path, body, (res) => {
        collect(res).then((text) => {
          if ((res.statusCode ?? 500) >= 400) reject(new Error(`supervisor ${method} ${path}: HTTP ${res.statusCode} ${text}`));
          else resolve(text);
        }, reject);
      });
      req.on('error', reject);
      req.end(body);
    });
  }

  private raw(method: string, path: string, body: string, onResponse: (res: http.IncomingMessage) => void): http.ClientRequest {
    return http.request({
      host: '127.0.0.1', port: this.info.controlPort, method, path, agent: false,
      headers: { authorization: `Bearer ${this.token}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
    }, onResponse);
  }
}

function collect(res: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    res.setEncoding('utf8');
    res.on('data', (c: string) => { text += c; });
    res.on('end', () => resolve(text));
    res.on('error', reject);
  });
}
