// Small process and logging helpers shared by the harness scripts (npm start / test / bench).
// Dependency-free: this runs under the system Node on a fresh clone, before node_modules exist.
import { spawn, spawnSync } from 'node:child_process';

/** A failure the user can act on: what failed, and how to fix it. Printed without a stack trace. */
export class HarnessError extends Error {
  /** @param {string} what @param {string} [fix] */
  constructor(what, fix) {
    super(fix ? `${what}\n  fix: ${fix}` : what);
    this.name = 'HarnessError';
  }
}

/** @param {string} message */
export function log(message) {
  process.stdout.write(`[harness] ${message}\n`);
}

/** Seconds since `start` (a performance.now() value), one decimal. */
export function since(start) {
  return `${((performance.now() - start) / 1000).toFixed(1)} s`;
}

/**
 * Runs one named provisioning/build step and prints what it did and how long it took.
 * @template T
 * @param {string} name
 * @param {() => Promise<T> | T} fn  returns a short description of the result (or an object with .summary)
 * @returns {Promise<T>}
 */
export async function step(name, fn) {
  const start = performance.now();
  const result = await fn();
  const summary = typeof result === 'string' ? result : (result && typeof result === 'object' && 'summary' in result ? result.summary : '');
  log(`${name.padEnd(14)} ${summary ? summary + ' ' : ''}(${since(start)})`);
  stepTimings.push({ name, seconds: (performance.now() - start) / 1000 });
  return result;
}

/**
 * Timings of every step() in this process, for the final report; a parent that re-executed us
 * under Node 24 hands its own timings down through the environment.
 * @type {Array<{ name: string, seconds: number }>}
 */
export const stepTimings = JSON.parse(process.env.MODELCLOUD_HARNESS_TIMINGS || '[]');

/**
 * Runs a command to completion with inherited stdio (or captured output when capture is set).
 * Rejects with a HarnessError naming the command when it cannot start or exits non-zero.
 * @param {string} cmd @param {string[]} args
 * @param {{ cwd?: string, env?: NodeJS.ProcessEnv, capture?: boolean, fix?: string, allowFail?: boolean }} [opts]
 * @returns {Promise<{ code: number, stdout: string, stderr: string }>}
 */
export function run(cmd, args, opts = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      cwd: opts.cwd,
      env: opts.env ?? process.env,
      stdio: opts.capture ? ['ignore', 'pipe', 'pipe'] : 'inherit',
    });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (d) => (stdout += d));
    child.stderr?.on('data', (d) => (stderr += d));
    child.on('error', (err) =>
      reject(new HarnessError(`could not start \`${cmd}\`: ${err.message}`, opts.fix ?? `make sure \`${cmd}\` is installed and on PATH`)));
    child.on('close', (code, signal) => {
      const exit = code ?? 128;
      if (exit !== 0 && !opts.allowFail) {
        const tail = (stderr || stdout).trim().split('\n').slice(-15).join('\n');
        reject(new HarnessError(
          `\`${cmd} ${args.join(' ')}\` failed (exit ${code ?? signal})${tail ? `:\n${tail}` : ''}`,
          opts.fix));
        return;
      }
      resolve({ code: exit, stdout, stderr });
    });
  });
}

/** Synchronous capture, for quick probes (`--version`). Returns null when the command cannot run. */
export function probe(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 60_000, ...opts });
  if (r.error || r.status !== 0) return null;
  return r.stdout.trim();
}

/**
 * Wraps a script's main(): prints HarnessErrors as plain messages (no stack), anything else with
 * its stack, and exits non-zero.
 * @param {() => Promise<number | void>} main
 */
export function runMain(main) {
  main().then(
    (code) => process.exit(code ?? 0),
    (err) => {
      if (err instanceof HarnessError) process.stderr.write(`\n[harness] ERROR: ${err.message}\n`);
      else process.stderr.write(`\n[harness] unexpected error: ${err?.stack ?? err}\n`);
      process.exit(1);
    },
  );
}
