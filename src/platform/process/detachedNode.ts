// Starts one of our own Node entry points (deploy supervisor, A/B router) as a detached process
// that outlives the editor and the CLI, with its output appended to a file in its folder.
import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync } from 'node:fs';
import { dirname, join } from 'node:path';

export interface DetachedNode {
  pid: number | undefined;
  /** undefined while it runs; its exit code (or null after a signal) once it ended. */
  exitCode(): number | null | undefined;
}

export function spawnDetachedNode(script: string, dir: string, outFile: string, env: NodeJS.ProcessEnv): DetachedNode {
  const out = openSync(outFile, 'a', 0o600);
  // process.execPath is VS Code's Electron inside the extension host: ELECTRON_RUN_AS_NODE makes it plain Node.
  const child = spawn(process.execPath, [script, dir], {
    detached: true, stdio: ['ignore', out, out], env: { ...env, ELECTRON_RUN_AS_NODE: '1' }, cwd: dir,
  });
  closeSync(out);
  let exitCode: number | null | undefined;
  child.on('exit', (code) => { exitCode = code; });
  child.unref();
  return { pid: child.pid, exitCode: () => exitCode };
}

/**
 * Where one of our bundled entry points is: env `envVar`, else beside this bundle (dist/), else in
 * dist/ above a transpiled out/ tree (the unit and system tests).
 */
export function bundledScript(file: string, envVar: string, what: string, env: NodeJS.ProcessEnv = process.env): string {
  const configured = env[envVar];
  if (configured) return configured;
  let dir = __dirname;
  for (let i = 0; i < 6; i++) {
    for (const candidate of [join(dir, file), join(dir, 'dist', file)]) {
      if (existsSync(candidate)) return candidate;
    }
    dir = dirname(dir);
  }
  throw new Error(`cannot find the Modelcloud ${what} (dist/${file}) near ${__dirname}; build the extension (npm run build) or set ${envVar}`);
}
