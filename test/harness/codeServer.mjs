// Runs a real VS Code (code-server) and a real Chromium for the integration, e2e and `npm start`
// flows. See /work/shared/notes/toolchain.md for why each flag is here.
import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HarnessError } from './proc.mjs';
import { CHROMIUM_PATH } from './toolchain.mjs';

export const DARK_THEME = 'Default Dark Modern';
export const LIGHT_THEME = 'Default Light Modern';

/** A free TCP port on 127.0.0.1 (asks the OS, then releases it). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = /** @type {import('node:net').AddressInfo} */ (server.address());
      server.close(() => resolve(port));
    });
  });
}

/** Child process groups to kill, and temp dirs to remove, when this process exits, however it exits. */
const liveGroups = new Set();
const tempDirs = new Set();
let exitHooksInstalled = false;
function installExitHooks() {
  if (exitHooksInstalled) return;
  exitHooksInstalled = true;
  process.on('exit', () => {
    for (const pid of liveGroups) {
      try { process.kill(-pid, 'SIGKILL'); } catch { /* already gone */ }
    }
    for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.once(signal, () => process.exit(signal === 'SIGINT' ? 130 : 143));
  }
}

/**
 * @typedef {object} CodeServerOptions
 * @property {string} entry          code-server's out/node/entry.js
 * @property {string} [node]         Node 24 binary (default: this process's)
 * @property {string} [workspace]    folder opened by default at `/`
 * @property {number} [port]         default: a free one
 * @property {string} [theme]        workbench.colorTheme
 * @property {Record<string, unknown>} [settings]  extra user settings
 * @property {string} [baseDir]      where user data, extensions and XDG dirs go (default: a new temp dir)
 * @property {NodeJS.ProcessEnv} [env] extra environment for code-server and its extension host
 * @property {boolean} [keep]        keep baseDir after stop()
 * @property {boolean} [workspaceTrust]  keep Workspace Trust on (folders open in Restricted Mode,
 *                                   without the start-up prompt); other tests turn it off
 */

/**
 * Starts code-server detached (its own process group) and waits for /healthz.
 * @param {CodeServerOptions} opts
 */
export async function startCodeServer(opts) {
  installExitHooks();
  const port = opts.port ?? await freePort();
  const base = opts.baseDir ?? mkdtempSync(join(tmpdir(), 'modelcloud-cs-'));
  if (!opts.baseDir && !opts.keep) tempDirs.add(base);
  const dirs = {
    base,
    userData: join(base, 'user-data'),
    extensions: join(base, 'extensions'),
    xdgConfig: join(base, 'xdg-config'),
    xdgData: join(base, 'xdg-data'),
    xdgCache: join(base, 'xdg-cache'),
    log: join(base, 'code-server.log'),
  };
  for (const d of [dirs.userData, dirs.extensions, dirs.xdgConfig, dirs.xdgData, dirs.xdgCache]) mkdirSync(d, { recursive: true });
  const trust = opts.workspaceTrust
    ? { 'security.workspace.trust.enabled': true, 'security.workspace.trust.startupPrompt': 'never', 'security.workspace.trust.banner': 'always' }
    : {};
  writeUserSettings(dirs.userData, opts.theme ?? DARK_THEME, { ...trust, ...opts.settings });

  const args = [
    opts.entry,
    '--bind-addr', `127.0.0.1:${port}`,
    '--auth', 'none',
    '--user-data-dir', dirs.userData,
    '--extensions-dir', dirs.extensions,
    '--disable-telemetry',
    '--disable-update-check',
    ...(opts.workspaceTrust ? [] : ['--disable-workspace-trust']),
    '--vscode-option', 'enable-smoke-test-driver',
  ];
  if (opts.workspace) args.push(opts.workspace);

  const logFd = openSync(dirs.log, 'a');
  const child = spawn(opts.node ?? process.execPath, args, {
    detached: true,
    stdio: ['ignore', logFd, logFd],
    env: {
      ...process.env,
      XDG_CONFIG_HOME: dirs.xdgConfig,
      XDG_DATA_HOME: dirs.xdgData,
      XDG_CACHE_HOME: dirs.xdgCache,
      ...opts.env,
    },
  });
  closeSync(logFd);
  const pid = /** @type {number} */ (child.pid);
  liveGroups.add(pid);
  let exited = false;
  child.once('exit', () => { exited = true; });

  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (liveGroups.delete(pid)) {
      try { process.kill(-pid, 'SIGTERM'); } catch { /* already gone */ }
      const deadline = Date.now() + 5000;
      while (!exited && Date.now() < deadline) await sleep(100);
      try { process.kill(-pid, 'SIGKILL'); } catch { /* already gone */ }
    }
    if (!opts.keep && !opts.baseDir) {
      rmSync(base, { recursive: true, force: true, maxRetries: 3 });
      tempDirs.delete(base);
    }
  };

  const deadline = Date.now() + 60_000;
  for (;;) {
    if (exited) {
      await stop();
      throw new HarnessError(`code-server exited during start-up:\n${tail(dirs.log)}`,
        `run \`${opts.node ?? process.execPath} ${opts.entry} --help\` to check it works; remove its cache folder to reinstall`);
    }
    try {
      const res = await fetch(`${url}/healthz`);
      if (res.ok) break;
    } catch { /* not listening yet */ }
    if (Date.now() > deadline) {
      await stop();
      throw new HarnessError(`code-server did not answer ${url}/healthz within 60 s:\n${tail(dirs.log)}`,
        'look at the log above; is another process using the port?');
    }
    await sleep(200);
  }
  return { url, port, pid, dirs, stop, logTail: () => tail(dirs.log) };
}

function writeUserSettings(userData, theme, extra) {
  const dir = join(userData, 'User');
  mkdirSync(dir, { recursive: true });
  const settings = {
    'workbench.startupEditor': 'none',
    'chat.disableAIFeatures': true,
    'workbench.secondarySideBar.defaultVisibility': 'hidden',
    'workbench.colorTheme': theme,
    'workbench.tips.enabled': false,
    'security.workspace.trust.enabled': false,
    'telemetry.telemetryLevel': 'off',
    'extensions.autoCheckUpdates': false,
    'extensions.autoUpdate': false,
    'update.mode': 'none',
    ...extra,
  };
  writeFileSync(join(dir, 'settings.json'), JSON.stringify(settings, null, 2));
}

function tail(path, lines = 30) {
  try { return readFileSync(path, 'utf8').trim().split('\n').slice(-lines).join('\n'); } catch { return '(no log)'; }
}

function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}

/**
 * The workbench URL that opens `folder` with a development extension (and, for integration
 * runs, an extension test module). code-server reads these only from the URL `payload`, and
 * only when started with `enable-smoke-test-driver`.
 * @param {string} baseUrl  http://127.0.0.1:PORT
 * @param {{ folder: string, extensionDevelopmentPath?: string, extensionTestsPath?: string }} o
 */
export function workbenchUrl(baseUrl, o) {
  const authority = new URL(baseUrl).host;
  const remote = (path) => `vscode-remote://${authority}${path}`;
  /** @type {[string, string][]} */
  const payload = [];
  if (o.extensionDevelopmentPath) payload.push(['extensionDevelopmentPath', remote(o.extensionDevelopmentPath)]);
  if (o.extensionTestsPath) payload.push(['extensionTestsPath', remote(o.extensionTestsPath)]);
  payload.push(['skipWelcome', 'true'], ['skipReleaseNotes', 'true']);
  return `${baseUrl}/?folder=${encodeURIComponent(o.folder)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
}

/**
 * Opens the workbench in a Playwright page and waits for its shell to render.
 * @param {import('playwright-core').Page} page
 * @param {string} baseUrl
 * @param {{ folder: string, extensionDevelopmentPath?: string, extensionTestsPath?: string }} o
 */
export async function openWorkbench(page, baseUrl, o) {
  await page.goto(workbenchUrl(baseUrl, o));
  await page.waitForSelector('.monaco-workbench', { timeout: 60_000 });
}

/**
 * Launches Chromium through playwright-core with a fresh profile.
 * playwright-core is a devDependency, so this is imported lazily (after ensureNpmDeps).
 * @param {{ viewport?: { width: number, height: number }, profileDir?: string }} [o]
 */
export async function launchBrowser(o = {}) {
  const { chromium } = await import('playwright-core');
  installExitHooks();
  const profileDir = o.profileDir ?? mkdtempSync(join(tmpdir(), 'modelcloud-chromium-'));
  if (!o.profileDir) tempDirs.add(profileDir);
  const context = await chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    viewport: o.viewport ?? { width: 1400, height: 900 },
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ],
  });
  const page = context.pages()[0] ?? await context.newPage();
  // The workbench's first load fetches ~15 MB of scripts; on a 2-core machine busy with other
  // test processes that alone has taken over 30 s (Playwright's default navigation timeout).
  context.setDefaultNavigationTimeout(180_000);
  const close = async () => {
    await context.close().catch(() => {});
    if (!o.profileDir) {
      rmSync(profileDir, { recursive: true, force: true, maxRetries: 3 });
      tempDirs.delete(profileDir);
    }
  };
  return { context, page, close };
}

/**
 * Merges `patch` into a running code-server's user settings; the workbench applies the change
 * live (used to switch themes without restarting).
 * @param {{ dirs: { userData: string } }} server
 * @param {Record<string, unknown>} patch
 */
export function updateUserSettings(server, patch) {
  const path = join(server.dirs.userData, 'User', 'settings.json');
  const current = JSON.parse(readFileSync(path, 'utf8'));
  writeFileSync(path, JSON.stringify({ ...current, ...patch }, null, 2));
}
