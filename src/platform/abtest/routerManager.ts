// Starting A/B routers (detached, so they outlive VS Code and the CLI) and driving them through
// their admin endpoints: state, pause, resume, stop. One router per experiment id, in
// <storeDir>/routers/<experiment>/.
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { routerConfigOrThrow, type RouterConfig } from '../../core/abtest/routerConfig';
import { ensureToken, readJsonFile, writeFileAtomic } from '../deploy/servicePaths';
import { isProcessAlive as isAlive } from '../process/pidLock';
import { bundledScript, spawnDetachedNode } from '../process/detachedNode';
import { tailFile } from '../deploy/tailFile';
import { routerPaths, routersRoot, type RouterInfo, type RouterLaunch, type RouterPaths } from './routerPaths';

export const TRACKING_DB_NAME = 'tracking.db';

/** dist/router.js: env MODELCLOUD_ROUTER_SCRIPT, else beside this bundle, else dist/ above a transpiled out/ tree. */
export function routerScript(env: NodeJS.ProcessEnv = process.env): string {
  return bundledScript('router.js', 'MODELCLOUD_ROUTER_SCRIPT', 'A/B router', env);
}

export interface RouterVariantState {
  name: string; weight: number; share: number; requests: number; errors: number;
  replicas: Array<{ url: string; healthy: boolean; inFlight: number; sent: number; lastError: string | null }>;
}

export interface RouterState {
  experiment: string;
  title: string | null;
  status: 'running' | 'paused' | 'stopped';
  control: string;
  startedMs: number;
  pausedMs: number | null;
  stoppedMs: number | null;
  variants: RouterVariantState[];
  feedback: number;
  store: { queued: number; written: number; dropped: number; errors: number; lastError?: string } | null;
  pid: number;
}

export class RouterClient {
  constructor(readonly info: RouterInfo, private readonly token: string, readonly paths: RouterPaths) {}

  get url(): string { return this.info.url; }

  state(): Promise<RouterState> { return this.admin<RouterState>('GET', '/admin/state'); }
  pause(): Promise<RouterState> { return this.admin<RouterState>('POST', '/admin/pause'); }
  resume(): Promise<RouterState> { return this.admin<RouterState>('POST', '/admin/resume'); }
  /** Ends the experiment (final); the router keeps serving the control variant until shut down. */
  stopExperiment(): Promise<RouterState> { return this.admin<RouterState>('POST', '/admin/stop'); }
  /** Waits until every row logged so far is committed to the store. */
  flush(): Promise<void> { return this.admin('POST', '/admin/flush').then(() => undefined); }

  /** Records a KPI value for a user (POST /feedback; no token needed, like the clients that send it). */
  async feedback(userId: string, metric: string, value: number): Promise<{ variant: string; phase: string }> {
    const res = await fetch(`${this.url}/feedback`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user_id: userId, metric, value }),
    });
    const body = await res.json() as { variant: string; phase: string; message?: string };
    if (res.status !== 202) throw new Error(`router ${this.info.url} refused the feedback: HTTP ${res.status} ${body.message ?? ''}`);
    return body;
  }

  /** Shuts the process down (flushing the store) and waits up to 10 s for it to exit. */
  async shutdown(): Promise<void> {
    try { await this.admin('POST', '/admin/shutdown'); } catch { /* it may close the connection as it exits */ }
    const deadline = Date.now() + 10_000;
    while (isAlive(this.info.pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    if (isAlive(this.info.pid)) process.kill(this.info.pid, 'SIGKILL');
  }

  private async admin<T>(method: string, path: string): Promise<T> {
    let res: Response;
    try {
      res = await fetch(`${this.url}${path}`, { method, headers: { authorization: `Bearer ${this.token}` } });
    } catch (error) {
      throw new Error(`the A/B router of ${this.paths.dir} did not answer ${method} ${path} at ${this.url}: ${String((error as Error).cause ?? error)}`);
    }
    const text = await res.text();
    if (res.status >= 400) {
      let message = text;
      try { message = (JSON.parse(text) as { message?: string }).message ?? text; } catch { /* not JSON */ }
      throw new Error(`A/B router ${method} ${path}: HTTP ${res.status}: ${message}`);
    }
    return JSON.parse(text) as T;
  }
}

export interface RouterManagerOptions {
  storeDir: string;
  env?: NodeJS.ProcessEnv;
  /** Log to <storeDir>/tracking.db (default true). */
  logToStore?: boolean;
}

export class RouterManager {
  constructor(private readonly options: RouterManagerOptions) {}

  /** Experiments that have a router folder (running or not). */
  list(): string[] {
    const root = routersRoot(this.options.storeDir);
    if (!existsSync(root)) return [];
    return readdirSync(root, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();
  }

  /** The running router of an experiment, if any. */
  connect(experiment: string): RouterClient | undefined {
    const paths = routerPaths(this.options.storeDir, experiment);
    const info = readJsonFile<RouterInfo>(paths.infoFile);
    if (!info || !isAlive(info.pid)) return undefined;
    return new RouterClient(info, ensureToken(paths.adminTokenFile), paths);
  }

  /** Like connect, but throws a message naming the fix when it does not run. */
  require(experiment: string): RouterClient {
    const client = this.connect(experiment);
    if (!client) {
      const known = this.list();
      throw new Error(`no A/B router runs for experiment '${experiment}'` +
        (known.length ? ` (router folders: ${known.join(', ')})` : '') + "; start one with 'modelcloud ab start --config FILE'");
    }
    return client;
  }

  /** Validates the config, starts the router detached and waits (up to 15 s) until it answers /healthz. */
  async start(rawConfig: unknown): Promise<RouterClient> {
    const { config } = routerConfigOrThrow(rawConfig);
    const paths = routerPaths(this.options.storeDir, config.experiment);
    const running = this.connect(config.experiment);
    if (running) throw new Error(`an A/B router for '${config.experiment}' already runs at ${running.url} (pid ${running.info.pid}); stop it first with 'modelcloud ab stop ${config.experiment}'`);
    mkdirSync(paths.dir, { recursive: true, mode: 0o700 });
    ensureToken(paths.adminTokenFile);
    rmSync(paths.infoFile, { force: true });
    const launch: RouterLaunch = {
      config,
      storeDb: this.options.logToStore === false ? null : join(this.options.storeDir, TRACKING_DB_NAME),
    };
    writeFileAtomic(paths.launchFile, `${JSON.stringify(launch, null, 2)}\n`);
    const env = this.options.env ?? process.env;
    const child = spawnDetachedNode(routerScript(env), paths.dir, paths.outFile, env);
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline) {
      const client = this.connect(config.experiment);
      if (client && client.info.pid === child.pid) {
        try {
          const res = await fetch(`${client.url}/healthz`);
          if (res.ok) return client;
        } catch { /* not yet */ }
      }
      if (child.exitCode() !== undefined) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const exitCode = child.exitCode();
    if (exitCode === undefined && child.pid) { try { process.kill(child.pid, 'SIGKILL'); } catch { /* gone */ } }
    throw new Error(`the A/B router for '${config.experiment}' did not start${exitCode !== undefined ? ` (exit ${exitCode})` : ' within 15 s'}:\n` +
      tailFile(paths.outFile, 20));
  }

  /** Stops the experiment (recorded as stopped in the store) and the router process. */
  async stop(experiment: string): Promise<RouterState> {
    const client = this.require(experiment);
    const state = client.state().then((s) => (s.status === 'stopped' ? s : client.stopExperiment()));
    const final = await state;
    await client.shutdown();
    return final;
  }

  /** The config a router was started with (its folder keeps it after it stops). */
  launchConfig(experiment: string): RouterConfig | undefined {
    return readJsonFile<RouterLaunch>(routerPaths(this.options.storeDir, experiment).launchFile)?.config;
  }
}
