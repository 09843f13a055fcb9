// Browser tests: every test/e2e/*.e2e.mjs module drives real Chromium against code-server with
// the extension loaded as a development extension. Each module exports
// `run(t: E2eContext)` and records its checks with t.check(name, fn); every check counts.
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { launchBrowser, openWorkbench, startCodeServer } from '../codeServer.mjs';
import { HarnessError } from '../proc.mjs';
import { copyFixtureWorkspace } from '../workspaceCopy.mjs';

/** @param {import('../test.mjs').SuiteContext} ctx */
export async function run(ctx) {
  const dir = join(ctx.repo, 'test', 'e2e');
  const modules = readdirSync(dir).filter((n) => n.endsWith('.e2e.mjs') && (!ctx.grep || n.includes(ctx.grep))).sort();
  if (!modules.length) return { passed: 0, failed: 0, note: 'no test/e2e/*.e2e.mjs' };
  const screenshots = join(ctx.repo, 'test-results', 'screenshots');
  mkdirSync(screenshots, { recursive: true });
  let passed = 0;
  let failed = 0;
  for (const name of modules) {
    process.stdout.write(`  ${name}\n`);
    /** @type {Array<() => Promise<void>>} */
    const cleanups = [];
    /** @type {E2eContext} */
    const t = {
      repo: ctx.repo,
      screenshots,
      keep: ctx.keep,
      async check(label, fn) {
        const start = performance.now();
        try {
          await fn();
          passed++;
          process.stdout.write(`    ✔ ${label} (${Math.round(performance.now() - start)} ms)\n`);
          return true;
        } catch (err) {
          failed++;
          process.stdout.write(`    ✖ ${label}\n${String(err?.message ?? err).split('\n').slice(0, 12).join('\n').replace(/^/gm, '        ')}\n`);
          return false;
        }
      },
      fixtureWorkspace() {
        const ws = copyFixtureWorkspace(ctx.repo, 'e2e');
        cleanups.push(async () => { if (!ctx.keep) rmSync(dirname(ws), { recursive: true, force: true }); });
        return ws;
      },
      async codeServer(options = {}) {
        const server = await startCodeServer({ entry: ctx.codeServer.entry, keep: ctx.keep, env: ctx.extensionHostEnv, ...options });
        cleanups.push(server.stop);
        return server;
      },
      async browser() {
        const b = await launchBrowser({ viewport: { width: 1400, height: 900 } });
        cleanups.push(b.close);
        return b;
      },
      openWorkbench,
    };
    try {
      const mod = await import(pathToFileURL(join(dir, name)).href);
      if (typeof mod.run !== 'function') throw new HarnessError(`${name} does not export run(t)`, 'export async function run(t) { ... }');
      await mod.run(t);
    } catch (err) {
      failed++;
      process.stdout.write(`    ✖ ${name} crashed: ${err?.message ?? err}\n`);
    } finally {
      for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
    }
  }
  return { passed, failed, note: `screenshots in ${screenshots}` };
}

/**
 * @typedef {object} E2eContext
 * @property {string} repo
 * @property {string} screenshots   folder for PNGs (test-results/screenshots)
 * @property {boolean} keep
 * @property {(label: string, fn: () => Promise<void>) => Promise<boolean>} check
 * @property {() => string} fixtureWorkspace        a fresh copy of test/fixtures/workspace
 * @property {(o?: Partial<import('../codeServer.mjs').CodeServerOptions>) => ReturnType<typeof startCodeServer>} codeServer
 * @property {() => ReturnType<typeof launchBrowser>} browser
 * @property {typeof openWorkbench} openWorkbench
 */
