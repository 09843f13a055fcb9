// A real container engine for system tests, provisioned on this machine: podman (rootful, runc)
// with its storage in a cache folder reused across runs, a Python base image built locally with
// debootstrap (no registry is reachable here), and the machine's pip indexes (from `pip config
// list`) mounted read-only into builds, so `pip install` inside a build finds its packages.
//
//   const env = await provisionContainerEngine();   // ~2-3 min on a fresh machine, ~1 s after
//   packageService(dir, { engine: env.engine, env: env.processEnv })
//   await env.close();
//
// Other suites (deploy to a container) use the same helper; env.processEnv carries every
// variable the product reads (MODELCLOUD_BASE_IMAGE, MODELCLOUD_CONTAINER_ENGINE, CONTAINERS_CONF,
// MODELCLOUD_BUILD_VOLUMES, MODELCLOUD_PIP_*), so code under test needs no special options.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { homedir, tmpdir } from 'node:os';
import { join, normalize } from 'node:path';
import { CliContainerEngine } from '../../../src/platform/containers/engine';

export const BASE_IMAGE = 'localhost/py-base:bookworm';
const APT_PACKAGES = ['podman', 'runc', 'catatonit', 'netavark', 'aardvark-dns', 'iptables', 'debootstrap'];

export interface ContainerTestEnv {
  engine: CliContainerEngine;
  baseImage: string;
  /** Build args pointing pip at the machine's local indexes (file:// URLs, stable across runs: they are cache keys). */
  pipBuildArgs: Record<string, string>;
  /** Read-only mounts that make those indexes visible to RUN steps (podman build --volume). */
  buildVolumes: string[];
  /** process.env plus everything the product reads to find this engine, base image and pip index. */
  processEnv: NodeJS.ProcessEnv;
  /** How long provisioning took and what it had to do (for test output). */
  notes: string[];
  close(): Promise<void>;
}

export function cacheRoot(): string {
  return join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'modelcloud-dev', 'containers');
}

export async function provisionContainerEngine(log: (line: string) => void = () => undefined): Promise<ContainerTestEnv> {
  const notes: string[] = [];
  const started = performance.now();
  ensureAptPackages(APT_PACKAGES, notes);
  const engineEnv = podmanEnv();
  const engine = new CliContainerEngine('podman', 'podman', { ...process.env, ...engineEnv });
  const problem = await engine.probe(60_000);
  if (problem) throw new Error(`podman does not answer 'info' with ${engineEnv.CONTAINERS_CONF}: ${problem}`);
  await withLock(join(cacheRoot(), 'base-image.lock'), async () => {
    if (await engine.imageExists(BASE_IMAGE)) return;
    log(`building ${BASE_IMAGE} with debootstrap (once per machine, ~1-2 min)`);
    const t = performance.now();
    buildBaseImage(engine, engineEnv);
    notes.push(`built ${BASE_IMAGE} in ${((performance.now() - t) / 1000).toFixed(0)} s`);
  });
  notes.push(`engine ready in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  const index = pipIndexVolumes();
  return {
    engine,
    baseImage: BASE_IMAGE,
    pipBuildArgs: index.buildArgs,
    buildVolumes: index.volumes,
    processEnv: {
      ...process.env,
      ...engineEnv,
      MODELCLOUD_CONTAINER_ENGINE: 'podman',
      MODELCLOUD_BASE_IMAGE: BASE_IMAGE,
      MODELCLOUD_BUILD_VOLUMES: index.volumes.join(','),
      ...Object.fromEntries(Object.entries(index.buildArgs).map(([k, v]) => [`MODELCLOUD_${k}`, v])),
    },
    notes,
    close: async () => undefined,
  };
}

/** Installs the Debian packages that are missing (CI runs as root on a fresh Debian machine). */
function ensureAptPackages(packages: string[], notes: string[]): void {
  const missing = packages.filter((p) => spawnSync('dpkg', ['-s', p], { stdio: 'ignore' }).status !== 0);
  if (!missing.length) return;
  const t = performance.now();
  const apt = ['-o', 'DPkg::Lock::Timeout=600'];
  execFileSync('apt-get', [...apt, 'update', '-qq'], { stdio: 'ignore' });
  execFileSync('apt-get', [...apt, 'install', '-y', '-qq', '--no-install-recommends', ...missing],
    { stdio: 'ignore', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  notes.push(`installed ${missing.join(' ')} in ${((performance.now() - t) / 1000).toFixed(0)} s`);
}

/**
 * containers.conf with the two fixes this sandbox needs (crun rejects its cgroup layout, and the
 * default nofile limit is not permitted), cgroupfs/file logging because no systemd runs here, and
 * storage in the cache folder so images and layers survive between runs.
 */
function podmanEnv(): Record<string, string> {
  const root = cacheRoot();
  mkdirSync(root, { recursive: true });
  const conf = join(root, 'containers.conf');
  writeIfChanged(conf, [
    '[containers]',
    'default_ulimits = ["nofile=20000:20000", "nproc=4096:4096"]',
    '[engine]',
    'runtime = "runc"',
    'cgroup_manager = "cgroupfs"',
    'events_logger = "file"',
    '',
  ].join('\n'));
  const storage = join(root, 'storage.conf');
  writeIfChanged(storage, [
    '[storage]',
    'driver = "overlay"',
    `graphroot = "${join(root, 'storage')}"`,
    // Run state is per boot (tmp) and per storage: two storages must never share one runroot.
    `runroot = "${join(tmpdir(), `modelcloud-podman-run-${createHash('sha256').update(root).digest('hex').slice(0, 8)}`)}"`,
    '',
  ].join('\n'));
  return { CONTAINERS_CONF: conf, CONTAINERS_STORAGE_CONF: storage };
}

function writeIfChanged(path: string, text: string): void {
  if (existsSync(path) && readFileSync(path, 'utf8') === text) return;
  writeFileSync(path, text);
}

/** debootstrap a minimal bookworm with python3 + venv + pip, imported as the base image. */
function buildBaseImage(engine: CliContainerEngine, engineEnv: Record<string, string>): void {
  const rootfs = mkdtempSync(join(tmpdir(), 'modelcloud-rootfs-'));
  try {
    execFileSync('debootstrap', ['--variant=minbase', '--include=python3,python3-venv,python3-pip,ca-certificates',
      'bookworm', rootfs, debianMirror()], { stdio: 'ignore', timeout: 15 * 60_000 });
    // Image content only: no apt lists or caches.
    rmSync(join(rootfs, 'var', 'lib', 'apt', 'lists'), { recursive: true, force: true });
    mkdirSync(join(rootfs, 'var', 'lib', 'apt', 'lists', 'partial'), { recursive: true });
    execFileSync('sh', ['-c', `tar -C "${rootfs}" -c . | ${engine.binary} import --change 'CMD ["/bin/bash"]' - ${BASE_IMAGE}`],
      { stdio: 'ignore', env: { ...process.env, ...engineEnv }, maxBuffer: 1 << 20 });
  } finally {
    rmSync(rootfs, { recursive: true, force: true });
  }
}

/** The Debian mirror this machine's apt uses (deb822 .sources or a one-line sources.list). */
export function debianMirror(): string {
  const texts: string[] = [];
  for (const file of ['/etc/apt/sources.list']) if (existsSync(file)) texts.push(readFileSync(file, 'utf8'));
  const dir = '/etc/apt/sources.list.d';
  if (existsSync(dir)) {
    for (const name of readdirSync(dir).sort()) {
      if (name.endsWith('.sources') || name.endsWith('.list')) texts.push(readFileSync(join(dir, name), 'utf8'));
    }
  }
  for (const text of texts) {
    for (const stanza of text.split(/\n\s*\n/)) {
      const uri = /^URIs:\s*(\S+)/m.exec(stanza)?.[1];
      const suites = /^Suites:\s*(.+)$/m.exec(stanza)?.[1] ?? '';
      if (uri && /\bbookworm\b/.test(suites) && !uri.includes('security')) return uri;
    }
    const line = /^deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+bookworm\s/m.exec(text);
    if (line && !line[1].includes('security')) return line[1];
  }
  return 'http://deb.debian.org/debian';
}

/** A mkdir lock so two test processes (two suites) do not debootstrap the same image at once. */
async function withLock<T>(dir: string, fn: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + 20 * 60_000;
  for (;;) {
    try {
      mkdirSync(dir);
      writeFileSync(join(dir, 'pid'), String(process.pid));
      break;
    } catch {
      const holder = Number(readFileSafe(join(dir, 'pid')));
      if (holder && !alive(holder)) { rmSync(dir, { recursive: true, force: true }); continue; }
      if (Date.now() > deadline) throw new Error(`timed out waiting for the lock ${dir}; remove it if no test is running`);
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function readFileSafe(path: string): string {
  try { return readFileSync(path, 'utf8'); } catch { return ''; }
}

function alive(pid: number): boolean {
  try { process.kill(pid, 0); return true; } catch { return false; }
}

/**
 * The pip indexes from pip's own config (file:// index URLs, find-links folders) as build args,
 * with the folders to mount: an index folder is mounted with its parent, because index pages
 * link to ../../files/ next to simple/.
 */
export function pipIndexVolumes(): { buildArgs: Record<string, string>; volumes: string[] } {
  const config = pipConfig();
  const indexes = [...new Set([...(config['index-url'] ?? []), ...(config['extra-index-url'] ?? [])])]
    .filter((u) => u.startsWith('file://')).map((u) => u.slice('file://'.length).replace(/\/$/, ''));
  const findLinks = [...new Set(config['find-links'] ?? [])].filter((p) => p.startsWith('/') && existsSync(p));
  const mounts = [...new Set([...indexes.map((dir) => dir.replace(/\/[^/]+$/, '')), ...findLinks])];
  const buildArgs: Record<string, string> = {};
  if (indexes[0]) buildArgs.PIP_INDEX_URL = `file://${indexes[0]}`;
  if (indexes.length > 1) buildArgs.PIP_EXTRA_INDEX_URL = indexes.slice(1).map((d) => `file://${d}`).join(' ');
  if (findLinks.length) buildArgs.PIP_FIND_LINKS = findLinks.join(' ');
  return { buildArgs, volumes: mounts.map((m) => `${m}:${m}:ro`) };
}

/**
 * For docker (whose build cannot mount folders): serves the pip indexes from pip's own config (`pip config list`: file:// index URLs and
 * find-links folders) over HTTP on 127.0.0.1, because a build cannot see the host's files.
 */
export async function startPipIndexServer(): Promise<{ buildArgs: Record<string, string>; close(): Promise<void> }> {
  // One server per process, shared by every suite in it: its URL is part of the image cache key
  // (build args), so it must stay the same from build to build.
  shared ??= createPipIndexServer();
  const server = await shared;
  users++;
  return {
    buildArgs: server.buildArgs,
    close: async () => {
      if (--users > 0) return;
      shared = undefined;
      await server.close();
    },
  };
}

let shared: Promise<{ buildArgs: Record<string, string>; close(): Promise<void> }> | undefined;
let users = 0;
/** A fixed port keeps the build args (and so the layer cache) equal across test runs. */
const PIP_INDEX_PORT = Number(process.env.MODELCLOUD_TEST_PIP_PORT ?? 38417);

async function createPipIndexServer(): Promise<{ buildArgs: Record<string, string>; close(): Promise<void> }> {
  const config = pipConfig();
  const indexes = [...new Set([...(config['index-url'] ?? []), ...(config['extra-index-url'] ?? [])])]
    .filter((u) => u.startsWith('file://')).map((u) => u.slice('file://'.length).replace(/\/$/, ''));
  const findLinks = [...new Set(config['find-links'] ?? [])].filter((p) => p.startsWith('/') && existsSync(p));
  // Each index is served from its parent folder: index pages link to ../../files/... next to simple/.
  const mounts: Array<{ prefix: string; dir: string }> = [];
  const server: Server = createServer((req, res) => {
    const url = decodeURIComponent((req.url ?? '/').split('?')[0].split('#')[0]);
    const mount = mounts.find((m) => url.startsWith(m.prefix));
    const path = mount ? normalize(join(mount.dir, url.slice(mount.prefix.length))) : '';
    if (!mount || !path.startsWith(mount.dir) || !existsSync(path)) { res.writeHead(404).end(); return; }
    if (statSync(path).isDirectory()) {
      const index = join(path, 'index.html');
      if (existsSync(index)) { res.writeHead(200, { 'content-type': 'text/html' }); createReadStream(index).pipe(res); return; }
      const links = readdirSync(path).map((n) => `<a href="${encodeURIComponent(n)}">${n}</a>`).join('\n');
      res.writeHead(200, { 'content-type': 'text/html' }).end(`<!DOCTYPE html><html><body>\n${links}\n</body></html>`);
      return;
    }
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': statSync(path).size });
    createReadStream(path).pipe(res);
  });
  let port = PIP_INDEX_PORT;
  if (!(await listen(server, port))) {
    // Another test process serves the same indexes there: use it (same URL, same cache keys).
    if (await answers(`http://127.0.0.1:${port}/i0/`)) {
      return { buildArgs: buildArgsFor(port, indexes, findLinks), close: async () => undefined };
    }
    await listen(server, 0);
    port = (server.address() as { port: number }).port;
  }
  indexes.forEach((dir, i) => mounts.push({ prefix: `/i${i}/`, dir: dir.replace(/\/[^/]+$/, '') }));
  findLinks.forEach((dir, i) => mounts.push({ prefix: `/l${i}/`, dir }));
  return {
    buildArgs: buildArgsFor(port, indexes, findLinks),
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

function buildArgsFor(port: number, indexes: string[], findLinks: string[]): Record<string, string> {
  // An index folder is served from its parent (/iN/ → parent), so its URL ends in its own name.
  const indexUrls = indexes.map((dir, i) => `http://127.0.0.1:${port}/i${i}/${dir.slice(dir.lastIndexOf('/') + 1)}/`);
  const linkUrls = findLinks.map((_, i) => `http://127.0.0.1:${port}/l${i}/`);
  const buildArgs: Record<string, string> = {};
  if (indexUrls[0]) buildArgs.PIP_INDEX_URL = indexUrls[0];
  if (indexUrls.length > 1) buildArgs.PIP_EXTRA_INDEX_URL = indexUrls.slice(1).join(' ');
  if (linkUrls.length) buildArgs.PIP_FIND_LINKS = linkUrls.join(' ');
  return buildArgs;
}

function listen(server: Server, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const onError = (): void => resolve(false);
    server.once('error', onError);
    server.listen(port, '127.0.0.1', () => { server.off('error', onError); resolve(true); });
  });
}

async function answers(url: string): Promise<boolean> {
  try {
    const r = await fetch(url, { signal: AbortSignal.timeout(3000) });
    return r.ok;
  } catch {
    return false;
  }
}

/** `pip config list` as key → values (the last dotted segment; space-separated values split). */
function pipConfig(): Record<string, string[]> {
  const python = process.env.MODELCLOUD_PYTHON ?? 'python3';
  const r = spawnSync(python, ['-m', 'pip', 'config', 'list'], { encoding: 'utf8' });
  const out: Record<string, string[]> = {};
  for (const line of (r.stdout ?? '').split('\n')) {
    const m = /^[^=]*\.([\w-]+)='(.*)'$/.exec(line.trim());
    if (!m) continue;
    out[m[1]] = [...(out[m[1]] ?? []), ...m[2].split(/\s+/).filter(Boolean)];
  }
  return out;
}

/** One build step of podman/docker output, and whether it came from the cache. */
export interface BuildStep { instruction: string; cached: boolean }

/** Steps from `podman build` ("STEP n/m: X" then "--> Using cache") or docker's classic builder ("Step n/m : X", "---> Using cache"). */
export function parseBuildSteps(lines: string[]): BuildStep[] {
  const steps: BuildStep[] = [];
  for (const line of lines) {
    const step = /^(?:STEP|Step) \d+\/\d+ ?: (.*)$/.exec(line.trim());
    if (step) steps.push({ instruction: step[1], cached: false });
    else if (/^-{2,3}> Using cache/.test(line.trim()) && steps.length) steps[steps.length - 1].cached = true;
  }
  return steps;
}
