// Starts one of our own Node entry points (deploy supervisor, A/B router) as a detached process
// that outlives the editor and the CLI, with its output appended to a file in its folder.
import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';

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
