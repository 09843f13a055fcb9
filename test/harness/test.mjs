// `npm test`: provision (Node 24, node_modules, code-server, Chromium, Python venv), build, then
// run every suite and print a summary. The very last line is always `N passed, N failed`.
//
//   npm test                                  all suites
//   npm test -- --suite unit --suite python   a subset (repeatable)
//   npm test -- --keep                        keep temp workspaces and code-server dirs
//   npm test -- --verbose                     also show the workbench's own log lines
//   npm test -- --suite e2e --grep models     only tests whose title (e2e: file name, python: pytest -k) matches
import { fileURLToPath } from 'node:url';
import { HarnessError, log, run, runMain, stepTimings } from './proc.mjs';
import {
  ensureChromium, ensureCodeServer, ensureNpmDeps, ensurePythonVenv, runUnderNode24,
} from './toolchain.mjs';

/**
 * @typedef {object} SuiteContext
 * @property {string} repo
 * @property {boolean} keep
 * @property {boolean} verbose
 * @property {string} grep  only tests matching it ('' = all)
 * @property {{ entry: string }} codeServer
 * @property {{ python: string }} venv
 * @property {Record<string, string>} extensionHostEnv  extra env for code-server's extension host and test processes
 */

/** name → what it needs; order = run order. */
const SUITES = {
  typecheck: { needs: [] },
  unit: { needs: ['build'] },
  // The registry tests build their stores with the real CLI (dist/cli.js).
  python: { needs: ['build', 'python'] },
  // Real services: Python processes over HTTP, the deploy supervisor, containers (podman/docker).
  system: { needs: ['build', 'python'] },
  integration: { needs: ['build', 'python', 'codeServer', 'chromium'] },
  e2e: { needs: ['build', 'python', 'codeServer', 'chromium'] },
};

function parseArgs(argv) {
  const opts = { suites: /** @type {string[]} */ ([]), keep: false, verbose: false, grep: '', repo: fileURLToPath(new URL('../..', import.meta.url)) };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--suite') opts.suites.push(argv[++i]);
    else if (a.startsWith('--suite=')) opts.suites.push(a.slice('--suite='.length));
    else if (a === '--keep') opts.keep = true;
    else if (a === '--verbose') opts.verbose = true;
    else if (a === '--grep') opts.grep = argv[++i];
    else if (a === '--repo') opts.repo = argv[++i];
    else throw new HarnessError(`unknown argument ${a}`, `usage: npm test -- [--suite ${Object.keys(SUITES).join('|')}]... [--keep] [--verbose] [--grep PATTERN]`);
  }
  for (const s of opts.suites) {
    if (!(s in SUITES)) throw new HarnessError(`unknown suite "${s}"`, `choose from: ${Object.keys(SUITES).join(', ')}`);
  }
  if (!opts.suites.length) opts.suites = Object.keys(SUITES);
  opts.repo = opts.repo.replace(/\/$/, '');
  return opts;
}

runMain(async () => {
  const opts = parseArgs(process.argv.slice(2));
  const started = performance.now();
  await runUnderNode24();
  /** @type {Array<{ name: string, passed: number, failed: number, seconds: number, note: string }>} */
  const rows = [];
  const needs = new Set(opts.suites.flatMap((s) => SUITES[s].needs));

  // Provisioning and build: a failure is reported as a failed row, and the suites that needed
  // it are not run (each counted as one failure), but the others still run.
  /** @type {Record<string, any>} */
  const ready = {};
  const prepare = async (name, fn) => {
    const start = performance.now();
    try {
      ready[name] = await fn();
    } catch (err) {
      process.stderr.write(`[harness] ${name} failed: ${err.message ?? err}\n`);
      rows.push({ name: `(${name})`, passed: 0, failed: 1, seconds: (performance.now() - start) / 1000, note: 'see the error above' });
    }
  };
  await prepare('npm deps', () => ensureNpmDeps(opts.repo));
  if (!ready['npm deps']) return finish(rows, started);
  if (needs.has('codeServer')) await prepare('codeServer', ensureCodeServer);
  if (needs.has('chromium')) await prepare('chromium', ensureChromium);
  if (needs.has('python')) await prepare('python', () => ensurePythonVenv());
  if (needs.has('build')) {
    await prepare('build', async () => {
      const start = performance.now();
      await run(process.execPath, ['esbuild.mjs'], { cwd: opts.repo, fix: 'fix the build errors above (`npm run build` shows the same)' });
      log(`build          node esbuild.mjs (${((performance.now() - start) / 1000).toFixed(1)} s)`);
      stepTimings.push({ name: 'build', seconds: (performance.now() - start) / 1000 });
      return true;
    });
  }

  /** @type {SuiteContext} */
  const ctx = {
    repo: opts.repo,
    keep: opts.keep,
    verbose: opts.verbose,
    codeServer: ready.codeServer,
    venv: ready.python,
    // Lets the extension (and tests) find a Python with the modelcloud requirements installed.
    extensionHostEnv: {
      ...(ready.python ? { MODELCLOUD_PYTHON: ready.python.python } : {}),
      ...(opts.grep ? { MODELCLOUD_TEST_GREP: opts.grep } : {}),
    },
    grep: opts.grep,
  };

  for (const name of opts.suites) {
    const missing = SUITES[name].needs.filter((n) => !ready[n]);
    if (missing.length) {
      rows.push({ name, passed: 0, failed: 1, seconds: 0, note: `not run: ${missing.join(', ')} failed` });
      continue;
    }
    log(`── suite ${name} ──`);
    const start = performance.now();
    try {
      const mod = await import(`./suites/${name}.mjs`);
      const r = await mod.run(ctx);
      rows.push({ name, ...r, note: r.note ?? '', seconds: (performance.now() - start) / 1000 });
    } catch (err) {
      process.stderr.write(`[harness] suite ${name} crashed: ${err instanceof HarnessError ? err.message : err?.stack ?? err}\n`);
      rows.push({ name, passed: 0, failed: 1, seconds: (performance.now() - start) / 1000, note: 'crashed (see above)' });
    }
  }
  return finish(rows, started);
});

function finish(rows, started) {
  const passed = rows.reduce((n, r) => n + r.passed, 0);
  const failed = rows.reduce((n, r) => n + r.failed, 0);
  const out = [];
  out.push('', 'provisioning:');
  for (const t of stepTimings) out.push(`  ${t.name.padEnd(14)} ${t.seconds.toFixed(1).padStart(6)} s`);
  out.push('', `${'suite'.padEnd(14)} ${'passed'.padStart(6)} ${'failed'.padStart(6)} ${'time'.padStart(8)}  note`);
  for (const r of rows) {
    out.push(`${r.name.padEnd(14)} ${String(r.passed).padStart(6)} ${String(r.failed).padStart(6)} ${`${r.seconds.toFixed(1)} s`.padStart(8)}  ${r.note}`);
  }
  out.push(`total time ${((performance.now() - started) / 1000).toFixed(1)} s`, '', `${passed} passed, ${failed} failed`);
  process.stdout.write(out.join('\n') + '\n');
  return failed > 0 || rows.length === 0 ? 1 : 0;
}
