// Provisions everything `npm start`, `npm test` and `npm run bench` need, idempotently:
// Node 24, node_modules, code-server, Chromium and a Python venv.
//
// Dependency-free ESM: a fresh clone runs this under the system Node (20 on CI) before
// node_modules exist; it then re-executes the calling script under Node 24, because
// better-sqlite3 13's prebuilt binary crashes under Node 20 and code-server requires 24.
//
// Everything slow lives in a cache OUTSIDE the clone, so fresh clones reuse it:
//   $MODELCLOUD_DEV_CACHE, else $XDG_CACHE_HOME/modelcloud-dev, else ~/.cache/modelcloud-dev
// Each tool sits in a versioned sub-folder with a `.complete` marker written last, so a version
// bump (or an interrupted install) provisions again instead of using a half-built folder.
import { createHash } from 'node:crypto';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, delimiter } from 'node:path';
import { HarnessError, log, probe, run, step, stepTimings } from './proc.mjs';

export const CODE_SERVER_VERSION = '4.139.1';
export const NODE_MAJOR = 24;
/** Python packages every harness venv gets (tests, sample project, benches). */
// pandas: the seed's cloud_model.py; flask + gunicorn: the serving benchmark's baselines.
// ipykernel/nbclient/nbformat/jupyter_client: notebooks executed through a real kernel (#6);
// statsmodels: reference values for the A/B statistics (#7); prometheus_client: real /metrics text.
export const PYTHON_PACKAGES = ['pytest', 'scikit-learn', 'numpy', 'joblib', 'pandas', 'flask', 'gunicorn',
  'ipykernel', 'nbclient', 'nbformat', 'jupyter_client', 'statsmodels', 'prometheus_client'];
export const CHROMIUM_PATH = process.env.MODELCLOUD_CHROMIUM ?? '/usr/bin/chromium';

const BUILD_TOOLS_APT = ['build-essential', 'pkg-config', 'libkrb5-dev'];
const CHROMIUM_APT = ['chromium', 'fonts-liberation'];

export function cacheDir() {
  const dir = process.env.MODELCLOUD_DEV_CACHE
    || join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'modelcloud-dev');
  mkdirSync(dir, { recursive: true });
  return dir;
}

// ---------------------------------------------------------------------------------------------
// Locking: two harness runs (say `npm start` and `npm test`) must not install into one folder at
// the same time. mkdir is atomic; a lock whose owner died is taken over.

async function withLock(name, fn) {
  const lockDir = join(cacheDir(), `${name}.lock`);
  const deadline = Date.now() + 20 * 60_000;
  let announced = false;
  for (;;) {
    try {
      mkdirSync(lockDir);
      writeFileSync(join(lockDir, 'pid'), String(process.pid));
      break;
    } catch (err) {
      if (err.code !== 'EEXIST') throw err;
      const owner = Number(readFileSafe(join(lockDir, 'pid')));
      if (!owner || !isAlive(owner)) {
        rmSync(lockDir, { recursive: true, force: true });
        continue;
      }
      if (!announced) log(`waiting for process ${owner}, which is provisioning ${name} ...`);
      announced = true;
      if (Date.now() > deadline) {
        throw new HarnessError(`gave up waiting for the ${name} lock held by process ${owner}`,
          `if that process is stuck, stop it and remove ${lockDir}`);
      }
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(lockDir, { recursive: true, force: true });
  }
}

function isAlive(pid) {
  try { process.kill(pid, 0); return true; } catch (err) { return err.code === 'EPERM'; }
}

function readFileSafe(path) {
  try { return readFileSync(path, 'utf8'); } catch { return ''; }
}

function sha256(text) {
  return createHash('sha256').update(text).digest('hex');
}

// ---------------------------------------------------------------------------------------------
// apt: only for packages that are really missing, only as root; otherwise say what to run.

let aptUpdated = false;

/** Debian packages from `names` that dpkg does not report as installed ([] when dpkg is absent). */
export function missingAptPackages(names) {
  if (!probe('dpkg-query', ['--version'])) return [];
  return names.filter((n) => probe('dpkg-query', ['-W', '-f=${Status}', n]) !== 'install ok installed');
}

async function aptInstall(packages, why) {
  const cmd = `apt-get update && apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends ${packages.join(' ')}`;
  if (process.getuid?.() !== 0 || !probe('apt-get', ['--version'])) {
    throw new HarnessError(`missing system packages ${packages.join(', ')} (needed for ${why})`,
      `install them, e.g. \`sudo sh -c '${cmd}'\`, then run again`);
  }
  log(`installing apt packages for ${why}: ${packages.join(' ')}`);
  const fix = `run \`${cmd}\` by hand and look at apt's output`;
  if (!aptUpdated) {
    await run('apt-get', ['update'], { capture: true, fix });
    aptUpdated = true;
  }
  await run('apt-get', ['-o', 'DPkg::Lock::Timeout=600', 'install', '-y', '--no-install-recommends', ...packages],
    { capture: true, fix, env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
}

// ---------------------------------------------------------------------------------------------
// Node 24

/**
 * @typedef {{ node: string, binDir: string, nodedir: string, version: string }} Node24
 */

function node24Paths() {
  const pkg = `node-${process.platform}-${process.arch}`;
  const root = join(cacheDir(), `node-${NODE_MAJOR}`);
  const nodedir = join(root, 'node_modules', pkg);
  return { pkg, root, nodedir, binDir: join(nodedir, 'bin'), node: join(nodedir, 'bin', 'node') };
}

function nodeVersion(node) {
  const v = probe(node, ['--version']);
  return v && v.startsWith(`v${NODE_MAJOR}.`) ? v : null;
}

/** Installs Node 24 from the npm registry (package node-<platform>-<arch>) into the cache. */
export async function ensureNode24() {
  const p = node24Paths();
  const quick = existsSync(join(p.root, '.complete')) && nodeVersion(p.node);
  // Already re-executed under it: stay silent, the parent process printed this step.
  if (quick && process.execPath === p.node) return { ...p, version: quick };
  return step('node 24', async () => {
    if (quick) return { ...p, version: quick, summary: `${quick} (cached)` };
    if (process.platform !== 'linux') {
      const own = process.version.startsWith(`v${NODE_MAJOR}.`);
      if (own) return { node: process.execPath, binDir: dirname(process.execPath), nodedir: dirname(dirname(process.execPath)), version: process.version, summary: `${process.version} (this Node)` };
      throw new HarnessError(`no cached Node ${NODE_MAJOR} and this harness only installs it on Linux`,
        `install Node ${NODE_MAJOR} yourself and run the script with it`);
    }
    return withLock('node', async () => {
      rmSync(p.root, { recursive: true, force: true });
      mkdirSync(p.root, { recursive: true });
      await run('npm', ['install', '--prefix', p.root, '--no-audit', '--no-fund', '--loglevel=error', `${p.pkg}@${NODE_MAJOR}`],
        { capture: true, fix: `check that the npm registry is reachable (\`npm view ${p.pkg}@${NODE_MAJOR} version\`)` });
      const version = nodeVersion(p.node);
      if (!version) {
        throw new HarnessError(`installed ${p.pkg}@${NODE_MAJOR} but \`${p.node} --version\` is not v${NODE_MAJOR}`,
          `remove ${p.root} and run again`);
      }
      writeFileSync(join(p.root, '.complete'), version);
      return { ...p, version, summary: `${version} installed` };
    });
  });
}

/**
 * The environment every Node-running child gets: Node 24 first on PATH, its headers for
 * node-gyp, and none of the identity an outer `npm test` (run by the system Node) exported.
 * A nested npm reads npm_* variables as its config: an inherited npm_config_user_agent says
 * "node/v20", and code-server's install script refuses to run on that.
 */
export function node24Env(n, base = process.env) {
  const env = { ...base };
  for (const key of Object.keys(env)) {
    if (/^npm_(config_user_agent|config_node_gyp|config_npm_version|node_execpath|execpath|command|lifecycle_|package_)/.test(key)) delete env[key];
  }
  const path = base.PATH ?? '';
  const onPath = path === n.binDir || path.startsWith(`${n.binDir}${delimiter}`);
  return { ...env, PATH: onPath ? path : `${n.binDir}${delimiter}${path}`, npm_config_nodedir: n.nodedir, NODE: n.node };
}

/**
 * Makes sure the calling script runs under Node 24: if it does not, re-executes it (same argv)
 * with the cached Node 24 and exits with the child's exit code. Returns only under Node 24.
 * @returns {Promise<Node24>}
 */
export async function runUnderNode24() {
  const n = await ensureNode24();
  if (process.execPath === n.node) {
    // Already on it (re-executed by us, or started with it): make this process's env the same.
    const env = node24Env(n);
    for (const key of Object.keys(process.env)) if (!(key in env)) delete process.env[key];
    Object.assign(process.env, env);
    return n;
  }
  const env = { ...node24Env(n), MODELCLOUD_HARNESS_TIMINGS: JSON.stringify(stepTimings) };
  const child = spawn(n.node, [...process.execArgv, ...process.argv.slice(1)], { stdio: 'inherit', env });
  // The terminal sends Ctrl-C to the whole foreground group: let the child handle it and report.
  process.on('SIGINT', () => {});
  process.on('SIGTERM', () => child.kill('SIGTERM'));
  return new Promise(() => {
    child.on('exit', (code, signal) => process.exit(code ?? (signal === 'SIGINT' ? 130 : 1)));
  });
}

// ---------------------------------------------------------------------------------------------
// node_modules

/**
 * Runs `npm ci` when node_modules is missing or package-lock.json changed since the last install.
 * The marker in node_modules holds the lockfile hash and the Node major it was installed under
 * (native modules are ABI-specific). A node_modules installed by hand is accepted, without
 * reinstalling, if every locked package is present in its locked version and better-sqlite3 loads.
 */
export async function ensureNpmDeps(repo) {
  return step('npm deps', async () => {
    const lockPath = join(repo, 'package-lock.json');
    if (!existsSync(lockPath)) {
      throw new HarnessError(`no package-lock.json in ${repo}`, 'run `npm install` once to create it and commit it');
    }
    const lockText = readFileSync(lockPath, 'utf8');
    const want = `${sha256(lockText)} node${process.versions.node.split('.')[0]}`;
    const marker = join(repo, 'node_modules', '.modelcloud-deps');
    if (readFileSafe(marker) === want) return 'up to date';
    if (matchesLockfile(repo, JSON.parse(lockText)) && nativeModulesLoad(repo)) {
      writeFileSync(marker, want);
      return 'node_modules matches package-lock.json';
    }
    await run('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error'], {
      cwd: repo, capture: true,
      fix: 'check the npm registry is reachable; delete node_modules and run again',
    });
    if (!nativeModulesLoad(repo)) {
      throw new HarnessError(`better-sqlite3 does not load under Node ${process.version} after \`npm ci\``,
        'check that its prebuilt binary exists for this Node (better-sqlite3 13 ships one for Node 24)');
    }
    writeFileSync(marker, want);
    return 'installed with npm ci';
  });
}

function matchesLockfile(repo, lock) {
  if (!existsSync(join(repo, 'node_modules'))) return false;
  for (const [path, entry] of Object.entries(lock.packages ?? {})) {
    if (!path || entry.link) continue;
    const pkgJson = join(repo, path, 'package.json');
    if (!existsSync(pkgJson)) {
      // Platform-specific optional packages (esbuild's, for instance) exist only on their platform.
      if (entry.optional || entry.os || entry.cpu) continue;
      return false;
    }
    try {
      if (JSON.parse(readFileSync(pkgJson, 'utf8')).version !== entry.version) return false;
    } catch {
      return false;
    }
  }
  return true;
}

function nativeModulesLoad(repo) {
  if (!existsSync(join(repo, 'node_modules', 'better-sqlite3'))) return true;
  const script = "const D=require('better-sqlite3');new D(':memory:').prepare('select 1').get()";
  return probe(process.execPath, ['-e', script], { cwd: repo }) !== null;
}

// ---------------------------------------------------------------------------------------------
// code-server

/** @typedef {{ entry: string, version: string, root: string }} CodeServer */

/** Installs the pinned code-server into the cache (compiles native modules: ~3 min the first time). */
export async function ensureCodeServer() {
  return step('code-server', async () => {
    const root = join(cacheDir(), `code-server-${CODE_SERVER_VERSION}`);
    const entry = join(root, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
    const result = { entry, root, version: CODE_SERVER_VERSION };
    if (existsSync(join(root, '.complete')) && existsSync(entry)) return { ...result, summary: `${CODE_SERVER_VERSION} (cached)` };
    return withLock('code-server', async () => {
      const missing = missingAptPackages(BUILD_TOOLS_APT);
      if (missing.length) await aptInstall(missing, 'compiling code-server\'s native modules');
      log(`installing code-server@${CODE_SERVER_VERSION} into ${root} (about 3 minutes, once) ...`);
      rmSync(root, { recursive: true, force: true });
      mkdirSync(root, { recursive: true });
      await run('npm', ['install', '--prefix', root, '--no-audit', '--no-fund', '--loglevel=error', `code-server@${CODE_SERVER_VERSION}`], {
        capture: true,
        env: { ...process.env, npm_config_nodedir: process.env.npm_config_nodedir ?? dirname(dirname(process.execPath)) },
        fix: `needs Node ${NODE_MAJOR} on PATH, npm_config_nodedir pointing at its headers, and apt packages ${BUILD_TOOLS_APT.join(' ')}; remove ${root} and run again`,
      });
      if (!existsSync(entry)) {
        throw new HarnessError(`code-server installed but ${entry} is missing`, `remove ${root} and run again`);
      }
      writeFileSync(join(root, '.complete'), CODE_SERVER_VERSION);
      return { ...result, summary: `${CODE_SERVER_VERSION} installed` };
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Chromium

export async function ensureChromium() {
  return step('chromium', async () => {
    const missing = CHROMIUM_PATH === '/usr/bin/chromium' ? missingAptPackages(CHROMIUM_APT) : [];
    if (missing.length || !existsSync(CHROMIUM_PATH)) {
      if (CHROMIUM_PATH !== '/usr/bin/chromium') {
        throw new HarnessError(`MODELCLOUD_CHROMIUM=${CHROMIUM_PATH} does not exist`, 'point it at a Chromium binary or unset it');
      }
      await aptInstall(missing.length ? missing : CHROMIUM_APT, 'the browser tests');
    }
    const version = probe(CHROMIUM_PATH, ['--version'], { stdio: ['ignore', 'pipe', 'ignore'] });
    if (!version) throw new HarnessError(`${CHROMIUM_PATH} --version failed`, 'reinstall chromium (`apt-get install --reinstall chromium`)');
    return { path: CHROMIUM_PATH, version, summary: version.split(' built')[0] };
  });
}

// ---------------------------------------------------------------------------------------------
// Python venv

/**
 * The index arguments for pip, explicit so pip never tries a default index that is unreachable
 * here (which turns a 25 s install into minutes). Read from PIP_INDEX_URL / PIP_EXTRA_INDEX_URL /
 * PIP_FIND_LINKS, else from `pip config list`. Empty when nothing is configured (pip's default).
 */
export function pipIndexArgs(python = 'python3') {
  const split = (s) => (s ?? '').split(/\s+/).filter(Boolean);
  let index = split(process.env.PIP_INDEX_URL);
  let extra = split(process.env.PIP_EXTRA_INDEX_URL);
  let findLinks = split(process.env.PIP_FIND_LINKS);
  if (!index.length && !extra.length) {
    const config = probe(python, ['-m', 'pip', 'config', 'list']) ?? '';
    for (const line of config.split('\n')) {
      const m = /^(global|install)\.(index-url|extra-index-url|find-links)='(.*)'$/.exec(line.trim());
      if (!m) continue;
      if (m[2] === 'index-url') index = split(m[3]);
      else if (m[2] === 'extra-index-url') extra = split(m[3]);
      else if (!findLinks.length) findLinks = split(m[3]);
    }
  }
  const urls = [...index, ...extra];
  const args = [];
  if (urls.length) args.push('--index-url', urls[0], ...urls.slice(1).flatMap((u) => ['--extra-index-url', u]));
  for (const f of findLinks) args.push('--find-links', f);
  return args;
}

/**
 * A venv in the cache keyed by the package list and the base interpreter.
 * @param {string[]} [extraPackages]
 * @returns {Promise<{ python: string, dir: string }>}
 */
export async function ensurePythonVenv(extraPackages = []) {
  return step('python venv', async () => {
    const base = process.env.MODELCLOUD_PYTHON_BASE ?? 'python3';
    const info = probe(base, ['-c', 'import sys; print(sys.version.split()[0]); print(sys.executable)']);
    if (!info) throw new HarnessError(`\`${base}\` does not run`, 'install Python 3.9+ (apt-get install python3 python3-venv) or set MODELCLOUD_PYTHON_BASE');
    const [version, executable] = info.split('\n');
    const packages = [...new Set([...PYTHON_PACKAGES, ...extraPackages])].sort();
    const key = sha256(JSON.stringify({ packages, executable, version })).slice(0, 12);
    const dir = join(cacheDir(), `venv-py${version}-${key}`);
    const python = join(dir, 'bin', 'python');
    if (existsSync(join(dir, '.complete')) && probe(python, ['-c', 'pass']) !== null) {
      return { python, dir, summary: `python ${version}, ${packages.join(' ')} (cached)` };
    }
    return withLock(`venv-${key}`, async () => {
      rmSync(dir, { recursive: true, force: true });
      const venv = () => run(base, ['-m', 'venv', dir], { capture: true, allowFail: true });
      if ((await venv()).code !== 0) {
        // Debian's python3 ships venv/ensurepip separately.
        rmSync(dir, { recursive: true, force: true });
        const missing = missingAptPackages(['python3-venv']);
        if (!missing.length) {
          throw new HarnessError(`\`${base} -m venv ${dir}\` failed`, 'check that your Python has the venv and ensurepip modules');
        }
        await aptInstall(missing, 'Python virtual environments');
        await run(base, ['-m', 'venv', dir], { capture: true });
      }
      const indexArgs = pipIndexArgs(base);
      log(`pip install ${packages.join(' ')}${indexArgs.length ? ` (${indexArgs.filter((a) => !a.startsWith('--')).join(', ')})` : ''}`);
      await run(python, ['-m', 'pip', 'install', '--disable-pip-version-check', '--no-input', '--quiet', ...indexArgs, ...packages], {
        capture: true,
        fix: 'set PIP_INDEX_URL (and PIP_EXTRA_INDEX_URL) to an index that has these packages',
      });
      writeFileSync(join(dir, '.complete'), packages.join('\n'));
      pruneOldVenvs(dir);
      return { python, dir, summary: `python ${version}, ${packages.join(' ')} installed` };
    });
  });
}

/** Venvs for package lists no longer used pile up; keep the newest three. */
function pruneOldVenvs(keep) {
  const root = cacheDir();
  const others = readdirSync(root)
    .filter((n) => n.startsWith('venv-') && !n.endsWith('.lock'))
    .map((n) => join(root, n))
    .filter((d) => d !== keep)
    .map((d) => ({ d, t: mtimeOrZero(join(d, '.complete')) }))
    .sort((a, b) => b.t - a.t);
  for (const { d } of others.slice(2)) rmSync(d, { recursive: true, force: true });
}

function mtimeOrZero(path) {
  try { return statSync(path).mtimeMs; } catch { return 0; }
}

// ---------------------------------------------------------------------------------------------

/**
 * Everything a harness script needs, in order. Call after runUnderNode24().
 * @param {string} repo
 * @param {{ codeServer?: boolean, chromium?: boolean, python?: boolean, pythonPackages?: string[] }} needs
 */
export async function provision(repo, needs) {
  const node = await ensureNode24();
  await ensureNpmDeps(repo);
  const codeServer = needs.codeServer ? await ensureCodeServer() : undefined;
  const chromium = needs.chromium ? await ensureChromium() : undefined;
  const venv = needs.python ? await ensurePythonVenv(needs.pythonPackages ?? []) : undefined;
  return { node, codeServer, chromium, venv };
}
