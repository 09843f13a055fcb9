// The integration suite: the extension's own mocha tests (dist/test/suite/index.js, built from
// test/integration/index.ts) running inside code-server's real extension host, on a copy of
// the fixture workspace. Results come back through the page: the workbench calls
// codeAutomationLog(level, message) for extension-host output and codeAutomationExit(code)
// when the suite's run() settles.
import { existsSync, rmSync } from 'node:fs';
import { format } from 'node:util';
import { dirname, join } from 'node:path';
import { launchBrowser, startCodeServer, workbenchUrl } from '../codeServer.mjs';
import { HarnessError } from '../proc.mjs';
import { copyFixtureWorkspace } from '../workspaceCopy.mjs';

const TIMEOUT_MS = 5 * 60_000;
/** The last line the suite's run() prints, e.g. `integration: 7 passed, 0 failed`. */
const COUNT_LINE = /integration: (\d+) passed, (\d+) failed/;

/**
 * The workbench logs its own start-up and offline-gallery errors through the same channel as
 * the extension host's console; those lines say nothing about our tests.
 */
export function isWorkbenchChatter(text) {
  return /^(Resolving connection token|Resolved connection token|Creating a socket|\[reconnection-grace-time\]|Updating additional builtin extensions cache|\[Service Worker\]|\[AgentHost|\[AccountPolicyGate\])/.test(text)
    || text.includes('open-vsx.org')
    || /^Canceled: Canceled/.test(text);
}

/** @param {import('../test.mjs').SuiteContext} ctx */
export async function run(ctx) {
  const suiteModule = join(ctx.repo, 'dist', 'test', 'suite', 'index');
  if (!existsSync(`${suiteModule}.js`)) {
    throw new HarnessError(`${suiteModule}.js was not built`, 'check that test/integration/index.ts exists and `node esbuild.mjs` succeeds');
  }
  const workspace = copyFixtureWorkspace(ctx.repo, 'integration');
  const server = await startCodeServer({
    entry: ctx.codeServer.entry,
    keep: ctx.keep,
    env: ctx.extensionHostEnv,
  });
  const browser = await launchBrowser();
  /** @type {string[]} */
  const lines = [];
  let hidden = 0;
  try {
    const exitCode = await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new HarnessError(
        `the integration suite did not finish within ${TIMEOUT_MS / 60_000} min (last output: ${JSON.stringify(lines.slice(-3))})`,
        'a test is probably waiting forever; rerun with `npm test -- --suite integration --keep` and read the code-server log')), TIMEOUT_MS);
      browser.page.exposeFunction('codeAutomationLog', (_level, args) => {
        const text = format(...(Array.isArray(args) ? args : [args]));
        if (!ctx.verbose && isWorkbenchChatter(text)) { hidden++; return; }
        for (const line of text.replace(/\n$/, '').split('\n')) {
          lines.push(line);
          process.stdout.write(`  │ ${line}\n`);
        }
      });
      browser.page.exposeFunction('codeAutomationExit', (code) => {
        clearTimeout(timer);
        resolve(code);
      });
      browser.page.goto(workbenchUrl(server.url, {
        folder: workspace,
        extensionDevelopmentPath: ctx.repo,
        extensionTestsPath: suiteModule,
      })).catch(reject);
    });
    const counts = lines.map((l) => COUNT_LINE.exec(l)).filter(Boolean).pop();
    if (!counts) {
      throw new HarnessError(`the integration suite exited with code ${exitCode} without printing "integration: N passed, N failed"`,
        'make test/integration/index.ts print that line as its last output (it may have crashed before running tests)');
    }
    const passed = Number(counts[1]);
    let failed = Number(counts[2]);
    // A suite that reports no failures but exits non-zero still failed somewhere (e.g. in run()).
    if (exitCode !== 0 && failed === 0) failed = 1;
    return { passed, failed, note: `exit code ${exitCode}${hidden ? `, ${hidden} workbench log lines hidden (--verbose shows them)` : ''}` };
  } catch (err) {
    process.stdout.write(`  code-server log (tail):\n${server.logTail().replace(/^/gm, '  │ ')}\n`);
    throw err;
  } finally {
    await browser.close();
    await server.stop();
    if (!ctx.keep) rmSync(dirname(workspace), { recursive: true, force: true });
    else process.stdout.write(`  kept: workspace ${workspace}, code-server dirs ${server.dirs.base}\n`);
  }
}
