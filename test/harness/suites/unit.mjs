// Plain mocha over the transpiled unit tests (out/test/unit/**/*.test.js).
import { runMochaSuite } from './mochaSuite.mjs';

/** @param {import('../test.mjs').SuiteContext} ctx */
export function run(ctx) {
  return runMochaSuite(ctx, { folder: 'unit', timeoutMs: 20_000 });
}
