// Plain mocha over the transpiled unit tests (out/test/unit/**/*.test.js), under Node 24 so
// better-sqlite3's binary loads. Counts come from the counting reporter's JSON file.
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HarnessError, run as exec } from '../proc.mjs';

/** @param {import('../test.mjs').SuiteContext} ctx */
export async function run(ctx) {
  const root = join(ctx.repo, 'out', 'test', 'unit');
  if (findTests(root).length === 0) return { passed: 0, failed: 0, note: 'no unit tests found (out/test/unit/**/*.test.js)' };
  const dir = mkdtempSync(join(tmpdir(), 'modelcloud-mocha-'));
  const countsFile = join(dir, 'counts.json');
  try {
    const r = await exec(process.execPath, [
      join(ctx.repo, 'node_modules', 'mocha', 'bin', 'mocha.js'),
      '--reporter', join(ctx.repo, 'test', 'harness', 'mochaCountingReporter.cjs'),
      '--timeout', '20000',
      'out/test/unit/**/*.test.js',
    ], {
      cwd: ctx.repo,
      allowFail: true,
      env: { ...process.env, ...ctx.extensionHostEnv, MODELCLOUD_MOCHA_COUNTS: countsFile },
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
