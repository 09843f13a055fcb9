// Builds everything the extension ships and everything the tests run.
//   node esbuild.mjs               one development build
//   node esbuild.mjs --watch       rebuild on change
//   node esbuild.mjs --production  minified bundles, no sourcemaps
import * as esbuild from 'esbuild';
import { readdirSync, statSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

/** Native or host-provided modules stay outside the bundles and load at run time. */
const external = ['vscode', 'better-sqlite3', 'mocha', 'playwright-core'];

function safeReaddir(dir) {
  try { return readdirSync(dir); } catch { return []; }
}

function listTs(dir) {
  const found = [];
  let entries;
  try { entries = readdirSync(dir); } catch { return found; }
  for (const name of entries) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) found.push(...listTs(path));
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) found.push(path);
  }
  return found;
}

const common = {
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  sourcemap: !production,
  minify: production,
  logLevel: 'warning',
};

/** @type {esbuild.BuildOptions[]} */
const builds = [
  // The extension itself.
  { ...common, entryPoints: { extension: 'src/extension.ts' }, bundle: true, outdir: 'dist', external },
  // The `modelcloud` CLI (package.json bin).
  {
    ...common, entryPoints: { cli: 'src/cli/main.ts' }, bundle: true, outdir: 'dist', external,
    banner: { js: '#!/usr/bin/env node' },
  },
  // The per-service deploy supervisor, started detached by the extension and the CLI (src/platform/deploy).
  { ...common, entryPoints: { supervisor: 'src/supervisor/main.ts' }, bundle: true, outdir: 'dist', external },
  // The A/B router (issue #7), started detached by src/platform/abtest/routerManager.ts; also its own store-writer thread.
  { ...common, entryPoints: { router: 'src/router/main.ts' }, bundle: true, outdir: 'dist', external },
  // The integration suite loaded by the extension host (same contract as @vscode/test-electron).
  { ...common, entryPoints: { 'test/suite/index': 'test/integration/index.ts' }, bundle: true, outdir: 'dist', external },
];

// Dashboards: every webview/<name>/main.ts becomes dist/webview/<name>.js (+ <name>.css when it imports CSS).
for (const name of safeReaddir('webview')) {
  if (name === 'common' || name === 'notebookRenderer' || !statSync(join('webview', name)).isDirectory()) continue;
  builds.push({
    entryPoints: { [name]: join('webview', name, 'main.ts') }, bundle: true, outdir: join('dist', 'webview'),
    platform: 'browser', format: 'iife', target: 'es2022', sourcemap: !production, minify: production, logLevel: 'warning',
  });
}

// The notebook renderer of run cards (package.json contributes.notebookRenderer): VS Code imports
// it as an ES module, so it is the one webview bundle that is not an IIFE.
builds.push({
  entryPoints: { notebookRenderer: join('webview', 'notebookRenderer', 'main.ts') }, bundle: true, outdir: join('dist', 'webview'),
  platform: 'browser', format: 'esm', target: 'es2022', sourcemap: !production, minify: production, logLevel: 'warning',
});

// Unit tests and benchmarks run from a file-per-file transpile, so they import src/ modules directly.
if (!production) {
  const files = [...listTs('src'), ...listTs('test/unit'), ...listTs('test/system'), ...listTs('test/bench'), ...listTs('test/fixtures')];
  builds.push({ ...common, entryPoints: files, bundle: false, outdir: 'out', outbase: '.' });
}

if (!watch) rmSync('out', { recursive: true, force: true });

if (watch) {
  for (const options of builds) {
    const ctx = await esbuild.context(options);
    await ctx.watch();
  }
  console.log('esbuild: watching for changes');
} else {
  await Promise.all(builds.map((options) => esbuild.build(options)));
}
