// Docker or podman, driven through their command-line clients. Both accept the same verbs and
// flags for what we use (build, run, rm, logs, inspect), so one class serves both; the few
// differences are handled where they occur. Engine configuration comes from the environment the
// clients read themselves (DOCKER_HOST, CONTAINERS_CONF, CONTAINERS_STORAGE_CONF, ...).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export type EngineName = 'docker' | 'podman';

export interface ContainerEngine {
  readonly name: EngineName;
  build(opts: BuildOptions): Promise<{ imageId: string; seconds: number }>;
  run(opts: RunOptions): Promise<{ containerId: string }>;
  /** Stops (fast, 2 s grace) and removes; no error when the container does not exist. */
  remove(nameOrId: string): Promise<void>;
  logs(nameOrId: string, tail?: number): Promise<string>;
  isRunning(nameOrId: string): Promise<boolean>;
}

export interface BuildOptions {
  contextDir: string;
  tag: string;
  /** 'host' lets RUN steps reach services on the host's 127.0.0.1 (a local pip index). */
  network?: 'host';
  /** `--build-arg` values, e.g. PIP_INDEX_URL; the Dockerfile declares them as ARG so they never reach the image's env. */
  buildArgs?: Record<string, string>;
  /** Ignore cached layers (a full build, e.g. for benchmarks). */
  noCache?: boolean;
  /**
   * podman only: read-only bind mounts for RUN steps ('HOST:CONTAINER:ro'), e.g. a local pip index
   * used through file:// URLs, which keeps the build args (part of the cache key) stable.
   */
  volumes?: string[];
  onLine?: (line: string) => void;
  signal?: AbortSignal;
}

export interface RunOptions {
  image: string;
  name: string;
  hostPort: number;
  containerPort: number;
  /** Passed by name only (`-e KEY`) with the value in the client's environment, so secrets never show up in `ps`. */
  env: Record<string, string>;
  labels?: Record<string, string>;
}

export class ContainerEngineError extends Error {
  constructor(message: string, readonly output: string) {
    super(message);
    this.name = 'ContainerEngineError';
  }
}

interface ExecResult { code: number; stdout: string; stderr: string }

/** A docker- or podman-compatible client binary. */
export class CliContainerEngine implements ContainerEngine {
  constructor(readonly name: EngineName, readonly binary: string = name, private readonly env: NodeJS.ProcessEnv = process.env) {}

  async build(opts: BuildOptions): Promise<{ imageId: string; seconds: number }> {
    const started = performance.now();
    const scratch = mkdtempSync(join(tmpdir(), 'modelcloud-build-'));
    const iidFile = join(scratch, 'iid');
    try {
      const args = ['build', '-t', opts.tag, '--iidfile', iidFile];
      // podman writes OCI images by default, and the OCI format has no HEALTHCHECK: ask for docker's.
      if (this.name === 'podman') args.push('--format', 'docker');
      if (opts.network) args.push('--network', opts.network);
      if (opts.noCache) args.push('--no-cache');
      if (opts.volumes?.length) {
        if (this.name !== 'podman') throw new ContainerEngineError('docker build cannot mount volumes; serve the files over HTTP and use --network host', '');
        for (const v of opts.volumes) args.push('--volume', v);
      }
      for (const [key, value] of Object.entries(opts.buildArgs ?? {})) args.push('--build-arg', `${key}=${value}`);
      args.push(opts.contextDir);
      const r = await this.exec(args, { onLine: opts.onLine, signal: opts.signal });
      if (r.code !== 0) {
        const tail = lastLines(`${r.stdout}\n${r.stderr}`, 25);
        throw new ContainerEngineError(
          `${this.name} build of ${opts.tag} failed (exit ${r.code}). Last output:\n${tail}\n` +
          'Fix the Dockerfile step shown above (often a requirement that cannot be installed), then package again.', tail);
      }
      const imageId = readFileSync(iidFile, 'utf8').trim();
      return { imageId, seconds: (performance.now() - started) / 1000 };
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  }

  async run(opts: RunOptions): Promise<{ containerId: string }> {
    const args = ['run', '-d', '--init', '--name', opts.name, '-p', `127.0.0.1:${opts.hostPort}:${opts.containerPort}`];
    for (const key of Object.keys(opts.env)) args.push('-e', key);
    for (const [key, value] of Object.entries(opts.labels ?? {})) args.push('--label', `${key}=${value}`);
    args.push(opts.image);
    const r = await this.exec(args, { env: opts.env });
    if (r.code !== 0) {
      throw new ContainerEngineError(`${this.name} run ${opts.image} as ${opts.name} failed: ${r.stderr.trim() || r.stdout.trim()}`, r.stderr);
    }
    return { containerId: r.stdout.trim().split('\n').pop() ?? '' };
  }

  async remove(nameOrId: string): Promise<void> {
    const args = this.name === 'podman' ? ['rm', '-f', '--time', '2', '--ignore', nameOrId] : ['rm', '-f', nameOrId];
    if (this.name === 'docker') await this.exec(['stop', '--time', '2', nameOrId]);
    const r = await this.exec(args);
    if (r.code !== 0 && !/no such container/i.test(r.stderr)) {
      throw new ContainerEngineError(`${this.name} could not remove container ${nameOrId}: ${r.stderr.trim()}`, r.stderr);
    }
  }

  async logs(nameOrId: string, tail = 200): Promise<string> {
    const r = await this.exec(['logs', '--tail', String(tail), nameOrId]);
    return `${r.stdout}${r.stderr}`;
  }

  async isRunning(nameOrId: string): Promise<boolean> {
    const r = await this.exec(['inspect', '--format', '{{.State.Running}}', nameOrId]);
    return r.code === 0 && r.stdout.trim() === 'true';
  }

  /** The labels baked into an image (Dockerfile LABEL), or undefined when there is no such image. */
  async imageLabels(image: string): Promise<Record<string, string> | undefined> {
    const r = await this.exec(['image', 'inspect', '--format', '{{json .Config.Labels}}', image]);
    if (r.code !== 0) return undefined;
    return (JSON.parse(r.stdout.trim() || 'null') as Record<string, string> | null) ?? {};
  }

  async imageExists(image: string): Promise<boolean> {
    return (await this.exec(['image', 'inspect', '--format', '{{.Id}}', image])).code === 0;
  }

  async removeImage(image: string): Promise<void> {
    await this.exec(['rmi', '-f', image]);
  }

  /** Whether the engine answers at all (`info`); the reason when it does not. */
  async probe(timeoutMs = 15_000): Promise<string | undefined> {
    const r = await this.exec(['info', '--format', '{{json .}}'], { timeoutMs });
    if (r.code === 0) return undefined;
    return lastLines(r.stderr || r.stdout, 3) || `exit code ${r.code}`;
  }

  /** Runs the client with our environment plus `env`; never rejects (spawn errors become code 127). */
  exec(args: string[], opts: { env?: Record<string, string>; onLine?: (line: string) => void; signal?: AbortSignal; timeoutMs?: number } = {}): Promise<ExecResult> {
    return new Promise((resolve) => {
      const child = spawn(this.binary, args, { env: { ...this.env, ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'], signal: opts.signal });
      let stdout = '';
      let stderr = '';
      let partial = '';
      const timer = opts.timeoutMs ? setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs) : undefined;
      const feed = (chunk: string): void => {
        if (!opts.onLine) return;
        partial += chunk;
        const parts = partial.split('\n');
        partial = parts.pop() ?? '';
        for (const line of parts) opts.onLine(line);
      };
      child.stdout.setEncoding('utf8').on('data', (c: string) => { stdout += c; feed(c); });
      child.stderr.setEncoding('utf8').on('data', (c: string) => { stderr += c; feed(c); });
      child.on('error', (err) => {
        clearTimeout(timer);
        resolve({ code: 127, stdout, stderr: `${stderr}${err.message}` });
      });
      child.on('close', (code) => {
        clearTimeout(timer);
        if (partial && opts.onLine) opts.onLine(partial);
        resolve({ code: code ?? 1, stdout, stderr });
      });
    });
  }
}

export interface EngineDetection {
  engine?: CliContainerEngine;
  /** Each engine tried and why it was not usable; the message to show when none is. */
  tried: Array<{ name: EngineName; problem: string }>;
}

/**
 * The engine to use: the preference (a setting), else env MODELCLOUD_CONTAINER_ENGINE, else podman
 * then docker, whichever actually answers `info` (an installed client without a daemon does not count).
 */
export async function detectEngineWithReasons(preference: 'auto' | EngineName = 'auto', env: NodeJS.ProcessEnv = process.env): Promise<EngineDetection> {
  const fromEnv = env.MODELCLOUD_CONTAINER_ENGINE;
  const wanted = preference !== 'auto' ? preference : (fromEnv === 'docker' || fromEnv === 'podman' ? fromEnv : undefined);
  const candidates: EngineName[] = wanted ? [wanted] : ['podman', 'docker'];
  const tried: EngineDetection['tried'] = [];
  for (const name of candidates) {
    const engine = new CliContainerEngine(name, name, env);
    const problem = await engine.probe();
    if (problem === undefined) return { engine, tried };
    tried.push({ name, problem: problem.includes('ENOENT') ? `${name} is not installed` : problem });
  }
  return { tried };
}

export async function detectEngine(preference: 'auto' | EngineName = 'auto', env: NodeJS.ProcessEnv = process.env): Promise<CliContainerEngine | undefined> {
  return (await detectEngineWithReasons(preference, env)).engine;
}

/** One sentence for users: no engine, what was tried, what to do. */
export function noEngineMessage(tried: EngineDetection['tried']): string {
  const detail = tried.map((t) => `${t.name}: ${t.problem.split('\n')[0]}`).join('; ');
  return `no container engine answered (${detail || 'nothing tried'}); install and start podman or docker ` +
    '(or choose one with the modelcloud.containerEngine setting / MODELCLOUD_CONTAINER_ENGINE)';
}

function lastLines(text: string, n: number): string {
  return text.trimEnd().split('\n').slice(-n).join('\n');
}
