// pytest over test/python in the harness venv, importing the package from src/python.
// Counts come from the JUnit XML report; exit code 5 means "no tests collected".
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { HarnessError, run as exec } from '../proc.mjs';

/** @param {import('../test.mjs').SuiteContext} ctx */
export async function run(ctx) {
  if (!existsSync(join(ctx.repo, 'test', 'python'))) return { passed: 0, failed: 0, note: 'no test/python folder' };
  const dir = mkdtempSync(join(tmpdir(), 'modelcloud-pytest-'));
  const report = join(dir, 'junit.xml');
  try {
    const r = await exec(ctx.venv.python, [
      '-m', 'pytest', 'test/python', '-q', '-p', 'no:cacheprovider', `--junitxml=${report}`,
      ...(ctx.grep ? ['-k', ctx.grep] : []),
    ], {
      cwd: ctx.repo,
      allowFail: true,
      env: { ...process.env, ...ctx.extensionHostEnv, PYTHONPATH: pythonPath(ctx.repo), PYTHONDONTWRITEBYTECODE: '1', MODELCLOUD_NODE: process.execPath },
    });
    if (r.code === 5) return { passed: 0, failed: 0, note: 'no tests collected' };
    if (!existsSync(report)) {
      throw new HarnessError(`pytest exited with code ${r.code} without a report`, 'read pytest\'s output above');
    }
    const counts = parseJunit(readFileSync(report, 'utf8'));
    let failed = counts.failures + counts.errors;
    if (r.code !== 0 && failed === 0) failed = 1;
    return { passed: counts.tests - counts.failures - counts.errors - counts.skipped, failed, note: counts.skipped ? `${counts.skipped} skipped` : '' };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function pythonPath(repo) {
  return [join(repo, 'src', 'python'), process.env.PYTHONPATH].filter(Boolean).join(delimiter);
}

/** Sums the counters of every <testsuite> element in a JUnit XML report. */
export function parseJunit(xml) {
  const totals = { tests: 0, failures: 0, errors: 0, skipped: 0 };
  for (const [tag] of xml.matchAll(/<testsuite\b[^>]*>/g)) {
    for (const key of Object.keys(totals)) {
      const m = new RegExp(`\\b${key}="(\\d+)"`).exec(tag);
      if (m) totals[key] += Number(m[1]);
    }
  }
  return totals;
}
