// `npm run bench`: provision and build, run every benchmark, stream its output, then print a
// summary of the JSON result lines (`{"bench": "...", ...}`) each one prints.
//
//   Node benches:   out/test/bench/**/*.bench.js   (from test/bench/**/*.bench.ts), under Node 24
//   Python benches: test/bench/python/*_bench.py   in the harness venv, PYTHONPATH=src/python
//   npm run bench -- --only ingest     run only benches whose file name contains "ingest"
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, delimiter, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HarnessError, log, run, runMain, step } from './proc.mjs';
import { ensureNpmDeps, ensurePythonVenv, runUnderNode24 } from './toolchain.mjs';

const repo = fileURLToPath(new URL('../..', import.meta.url)).replace(/\/$/, '');

function parseArgs(argv) {
  const opts = { only: /** @type {string | undefined} */ (undefined) };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--only') opts.only = argv[++i];
    else throw new HarnessError(`unknown argument ${argv[i]}`, 'usage: npm run bench -- [--only NAME]');
  }
  return opts;
}

runMain(async () => {
  const opts = parseArgs(process.argv.slice(2));
  await runUnderNode24();
  await ensureNpmDeps(repo);
  const venv = await ensurePythonVenv();
  await step('build', async () => {
    await run(process.execPath, ['esbuild.mjs'], { cwd: repo, fix: 'fix the build errors above (`npm run build` shows the same)' });
    return 'node esbuild.mjs';
  });

  const pythonPath = [join(repo, 'src', 'python'), process.env.PYTHONPATH].filter(Boolean).join(delimiter);
  const benches = [
    ...listFiles(join(repo, 'out', 'test', 'bench'), (n) => n.endsWith('.bench.js'))
      .map((file) => ({ file, cmd: process.execPath, args: [file], env: {} })),
    ...listFiles(join(repo, 'test', 'bench', 'python'), (n) => n.endsWith('_bench.py'))
      .map((file) => ({ file, cmd: venv.python, args: [file], env: { PYTHONPATH: pythonPath } })),
  ].filter((b) => !opts.only || basename(b.file).includes(opts.only));
  if (!benches.length) throw new HarnessError('no benchmarks found', 'add test/bench/**/*.bench.ts or test/bench/python/*_bench.py');

  /** @type {Array<Record<string, unknown>>} */
  const results = [];
  const failures = [];
  for (const bench of benches) {
    const name = relative(repo, bench.file);
    log(`── ${name} ──`);
    const start = performance.now();
    const { code, lines } = await streamProcess(bench.cmd, bench.args, { ...process.env, ...bench.env });
    const seconds = (performance.now() - start) / 1000;
    const json = lines.map(parseBenchLine).filter(Boolean);
    if (code !== 0) failures.push(`${name} exited with code ${code}`);
    else if (!json.length) failures.push(`${name} printed no {"bench": ...} line`);
    for (const r of json) results.push({ ...r, _seconds: seconds });
  }

  process.stdout.write('\nbenchmark results:\n');
  for (const r of results) {
    const { bench, _seconds, ...rest } = r;
    const fields = Object.entries(rest).map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : v}`).join('  ');
    process.stdout.write(`  ${String(bench).padEnd(28)} ${fields}  (${Number(_seconds).toFixed(1)} s)\n`);
  }
  for (const f of failures) process.stdout.write(`  FAILED: ${f}\n`);
  return failures.length ? 1 : 0;
});

/** Runs a bench with output streamed through (indented) and kept for parsing. */
function streamProcess(cmd, args, env) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: repo, env, stdio: ['ignore', 'pipe', 'pipe'] });
    /** @type {string[]} */
    const lines = [];
    let partial = '';
    child.stdout.on('data', (chunk) => {
      partial += chunk;
      const parts = partial.split('\n');
      partial = parts.pop() ?? '';
      for (const line of parts) { lines.push(line); process.stdout.write(`  │ ${line}\n`); }
    });
    child.stderr.on('data', (chunk) => process.stderr.write(chunk));
    child.on('error', (err) => { process.stderr.write(`could not start ${cmd}: ${err.message}\n`); resolve({ code: 127, lines }); });
    child.on('close', (code) => {
      if (partial) { lines.push(partial); process.stdout.write(`  │ ${partial}\n`); }
      resolve({ code: code ?? 1, lines });
    });
  });
}

function parseBenchLine(line) {
  const text = line.trim();
  if (!text.startsWith('{"bench"')) return null;
  try { return JSON.parse(text); } catch { return null; }
}

function listFiles(dir, keep) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).sort().flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return listFiles(path, keep);
    return keep(name) ? [path] : [];
  });
}
