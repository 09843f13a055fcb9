// `tsc --noEmit` over the whole project (strict). Counts as one test.
import { join } from 'node:path';
import { run as exec } from '../proc.mjs';

/** @param {import('../test.mjs').SuiteContext} ctx */
export async function run(ctx) {
  const tsc = join(ctx.repo, 'node_modules', 'typescript', 'bin', 'tsc');
  const r = await exec(process.execPath, [tsc, '-p', '.', '--noEmit'], { cwd: ctx.repo, capture: true, allowFail: true });
  const output = (r.stdout + r.stderr).trim();
  if (output) process.stdout.write(output.replace(/^/gm, '  │ ') + '\n');
  const errors = (output.match(/error TS\d+/g) ?? []).length;
  return r.code === 0
    ? { passed: 1, failed: 0 }
    : { passed: 0, failed: 1, note: `${errors} type error(s)` };
}
