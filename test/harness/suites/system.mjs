// Mocha over the transpiled system tests (out/test/system/**/*.test.js): real Python services,
// the deploy supervisor and container builds, driven from Node. Builds and pip installs take
// minutes cold, hence the long per-test timeout.
import { runMochaSuite } from './mochaSuite.mjs';

/** @param {import('../test.mjs').SuiteContext} ctx */
export function run(ctx) {
  return runMochaSuite(ctx, { folder: 'system', timeoutMs: 600_000, env: { MODELCLOUD_REPO: ctx.repo } });
}
