// Mocha over the transpiled system tests (out/test/system/**/*.test.js), under Node 24 so
// better-sqlite3's binary loads. Counts come from the counting reporter's JSON file.
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HarnessError, run as exec } from '../proc.mjs';

/** @param {import('../test.mjs').SuiteContext} ctx */
export async function run(ctx) {
  const root = join(ctx.repo, 'out', 'test', 'system');
  if (findTests(root).length === 0) return { passed: 0, failed: 0, note: 'no system tests found (out/test/system/**/*.test.js)' };
  const dir = mkdtempSync(join(tmpdir(), 'modelcloud-mocha-'));
  const countsFile = join(dir, 'counts.json');
  try {
    const r = await exec(process.execPath, [
      join(ctx.repo, 'node_modules', 'mocha', 'bin', 'mocha.js'),
      '--reporter', join(ctx.repo, 'test', 'harness', 'mochaCountingReporter.cjs'),
      '--timeout', '180000',
      'out/test/system/**/*.test.js',
    ], {
      cwd: ctx.repo,
      allowFail: true,
      env: { ...process.env, ...ctx.extensionHostEnv, MODELCLOUD_MOCHA_COUNTS: countsFile, MODELCLOUD_REPO: ctx.repo },
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
