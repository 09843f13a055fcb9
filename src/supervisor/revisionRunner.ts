// Starts one revision of a service on a private 127.0.0.1 port (a local process group, or a
// container with its port published on 127.0.0.1), waits for its /readyz, and stops it.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import { dirname } from 'node:path';
import { CliContainerEngine } from '../platform/containers/engine';
import type { RevisionSpec } from '../platform/deploy/supervisorProtocol';
import { LogSink, tailFile } from './logSink';

/** The port containers listen on inside; published on a private host port. */
export const CONTAINER_PORT = 8080;

export interface RunningRevision {
  spec: RevisionSpec;
  port: number;
  logFile: string;
  pid?: number;
  containerName?: string;
  /** Resolves when the revision's process exits (or its container stops), with a description. */
  exited: Promise<string>;
  hasExited(): boolean;
  stop(): Promise<void>;
}

export interface RunnerContext {
  sink: LogSink;
  logFileOf(revision: number): string;
  stateDirOf(revision: number): string;
  adminToken: string;
  serviceName: string;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

/** The runtime environment the contract promises every revision (MODELCLOUD_*). */
function runtimeEnv(spec: RevisionSpec, ctx: RunnerContext, port: number, host: string): Record<string, string> {
  const env: Record<string, string> = {
    ...spec.env,
    MODELCLOUD_PORT: String(port),
    MODELCLOUD_HOST: host,
    MODELCLOUD_RUNENV: 'prod',
    MODELCLOUD_ADMIN_TOKEN: ctx.adminToken,
    MODELCLOUD_STATE_DIR: ctx.stateDirOf(spec.revision),
    MODELCLOUD_SERVICE_NAME: ctx.serviceName,
    MODELCLOUD_REVISION: String(spec.revision),
    PYTHONUNBUFFERED: '1',
  };
  if (spec.workers !== undefined) env.MODELCLOUD_WORKERS = String(spec.workers);
  if (spec.modelVersion !== undefined) env.MODELCLOUD_MODEL_VERSION = spec.modelVersion;
  return env;
}

export async function startRevision(spec: RevisionSpec, ctx: RunnerContext): Promise<RunningRevision> {
  const logFile = ctx.logFileOf(spec.revision);
  mkdirSync(dirname(logFile), { recursive: true });
  mkdirSync(ctx.stateDirOf(spec.revision), { recursive: true });
  const port = await freePort();
  return spec.kind === 'container' ? startContainer(spec, ctx, port, logFile) : startLocal(spec, ctx, port, logFile);
}

function startLocal(spec: RevisionSpec, ctx: RunnerContext, port: number, logFile: string): RunningRevision {
  const argv = spec.argv;
  if (!argv?.length || !spec.cwd) throw new Error(`revision ${spec.revision} has no command to run`);
  ctx.sink.revisionOutput(spec.revision, logFile, `$ ${argv.join(' ')}  (port ${port})\n`);
  // Own process group: the runtime forks workers, and stop must reach all of them.
  const child: ChildProcess = spawn(argv[0], argv.slice(1), {
    cwd: spec.cwd, env: { ...process.env, ...runtimeEnv(spec, ctx, port, '127.0.0.1') },
    stdio: ['ignore', 'pipe', 'pipe'], detached: true,
  });
  let exitedFlag = false;
  const exited = new Promise<string>((resolve) => {
    child.on('error', (error) => { exitedFlag = true; resolve(`could not start ${argv[0]}: ${error.message}`); });
    child.on('exit', (code, signal) => {
      exitedFlag = true;
      resolve(signal ? `exited on signal ${signal}` : `exited with code ${code}`);
    });
  });
  const onOutput = (chunk: Buffer): void => ctx.sink.revisionOutput(spec.revision, logFile, chunk.toString('utf8'));
  child.stdout?.on('data', onOutput);
  child.stderr?.on('data', onOutput);
  return {
    spec, port, logFile, pid: child.pid, exited, hasExited: () => exitedFlag,
    async stop() {
      if (exitedFlag || child.pid === undefined) return;
      // SIGTERM lets the runtime drain; SIGKILL the group if it has not gone after 5 s.
      killGroup(child.pid, 'SIGTERM');
      const timer = setTimeout(() => killGroup(child.pid!, 'SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
      killGroup(child.pid, 'SIGKILL'); // stray workers of the group
    },
  };
}

export function killGroup(pid: number, signal: NodeJS.Signals): void {
  try { process.kill(-pid, signal); } catch { /* already gone */ }
}

async function startContainer(spec: RevisionSpec, ctx: RunnerContext, port: number, logFile: string): Promise<RunningRevision> {
  if (!spec.image || !spec.engine) throw new Error(`revision ${spec.revision} has no image to run`);
  const engine = new CliContainerEngine(spec.engine);
  const name = `modelcloud-${ctx.serviceName}-r${spec.revision}-${port}`.toLowerCase().replace(/[^a-z0-9_.-]/g, '-');
  const containerPort = spec.containerPort ?? CONTAINER_PORT;
  const env = runtimeEnv(spec, ctx, containerPort, '0.0.0.0');
  // Inside the container the state dir is the image's own temp space.
  delete env.MODELCLOUD_STATE_DIR;
  ctx.sink.revisionOutput(spec.revision, logFile, `$ ${spec.engine} run ${spec.image} as ${name} (127.0.0.1:${port} -> ${containerPort})\n`);
  await engine.remove(name);
  await engine.run({ image: spec.image, name, hostPort: port, containerPort, env, labels: { 'modelcloud.service': ctx.serviceName, 'modelcloud.revision': String(spec.revision) } });
  let exitedFlag = false;
  let stopping = false;
  let resolveExit!: (why: string) => void;
  const exited = new Promise<string>((resolve) => { resolveExit = resolve; });
  const markExited = (why: string): void => { if (!exitedFlag) { exitedFlag = true; resolveExit(why); } };
  // Engines report a stop only when asked: poll.
  const poll = setInterval(() => {
    void engine.isRunning(name).then(async (running) => {
      if (running || stopping || exitedFlag) return;
      clearInterval(poll);
      ctx.sink.revisionOutput(spec.revision, logFile, `${await engine.logs(name, 100)}\n`);
      markExited('container stopped');
    });
  }, 1500);
  return {
    spec, port, logFile, containerName: name, exited, hasExited: () => exitedFlag,
    async stop() {
      stopping = true;
      clearInterval(poll);
      if (!exitedFlag) {
        try { ctx.sink.revisionOutput(spec.revision, logFile, `${await engine.logs(name, 200)}\n`); } catch { /* best effort */ }
      }
      await engine.remove(name);
      markExited('stopped');
    },
  };
}

/** Log lines to show when a revision failed: its own output, the last 40 lines. */
export function logExcerpt(rev: RunningRevision): string {
  return tailFile(rev.logFile, 40);
}

/**
 * Polls /readyz until 200. Rejects with the reason when the revision exits, the timeout passes
 * or the signal aborts.
 */
export async function waitReady(rev: RunningRevision, timeoutMs: number, signal?: AbortSignal): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastAnswer = 'no answer yet';
  let exitReason: string | undefined;
  void rev.exited.then((why) => { exitReason = why; });
  while (true) {
    if (exitReason !== undefined) throw new Error(`revision ${rev.spec.revision} ${exitReason} before it was ready`);
    if (signal?.aborted) throw new Error(`revision ${rev.spec.revision} was cancelled before it was ready`);
    if (Date.now() > deadline) {
      throw new Error(`revision ${rev.spec.revision} was not ready within ${Math.round(timeoutMs / 1000)} s (/readyz: ${lastAnswer})`);
    }
    const status = await getStatus(rev.port, '/readyz', 2000);
    if (status === 200) return;
    lastAnswer = status === undefined ? 'no answer yet' : `HTTP ${status}`;
    await sleep(150);
  }
}

export function getStatus(port: number, path: string, timeoutMs: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path, timeout: timeoutMs, agent: false }, (res) => {
      res.resume();
      resolve(res.statusCode);
    });
    req.on('timeout', () => { req.destroy(); resolve(undefined); });
    req.on('error', () => resolve(undefined));
  });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
