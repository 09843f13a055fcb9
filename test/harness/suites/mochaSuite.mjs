// Runs mocha over transpiled tests under out/ (Node 24, so better-sqlite3's binary loads) and
// returns the counts from the counting reporter's JSON file. Shared by the unit and system suites.
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HarnessError, run as exec } from '../proc.mjs';

/**
 * @param {import('../test.mjs').SuiteContext} ctx
 * @param {{ folder: string, timeoutMs: number, env?: Record<string, string> }} opts  folder: under out/test/
 */
export async function runMochaSuite(ctx, { folder, timeoutMs, env = {} }) {
  const root = join(ctx.repo, 'out', 'test', folder);
  const pattern = `out/test/${folder}/**/*.test.js`;
  if (findTests(root).length === 0) return { passed: 0, failed: 0, note: `no ${folder} tests found (${pattern})` };
  const dir = mkdtempSync(join(tmpdir(), 'modelcloud-mocha-'));
  const countsFile = join(dir, 'counts.json');
  try {
    const r = await exec(process.execPath, [
      join(ctx.repo, 'node_modules', 'mocha', 'bin', 'mocha.js'),
      '--reporter', join(ctx.repo, 'test', 'harness', 'mochaCountingReporter.cjs'),
      '--timeout', String(timeoutMs),
      ...(ctx.grep ? ['--grep', ctx.grep] : []),
      pattern,
    ], {
      cwd: ctx.repo,
      allowFail: true,
      env: { ...process.env, ...ctx.extensionHostEnv, ...env, MODELCLOUD_MOCHA_COUNTS: countsFile },
    });
    if (!existsSync(countsFile)) {
      throw new HarnessError(`mocha exited with code ${r.code} before running the tests`,
        'read mocha\'s output above (often a test file that throws while loading)');
    }
    const counts = JSON.parse(readFileSync(countsFile, 'utf8'));
    let failed = counts.failures;
    if (r.code !== 0 && failed === 0) failed = 1;
    return { passed: counts.passes, failed, note: counts.pending ? `${counts.pending} pending` : '' };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function findTests(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return findTests(path);
    return name.endsWith('.test.js') ? [path] : [];
  });
}
