// A pid lock file for the detached per-service processes (deploy supervisor, A/B router): one
// process per folder, and a lock left by a process that died is taken over, not obeyed.
import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';

/** Creates the lock with our pid; false when a live process holds it. */
export function takePidLock(file: string): boolean {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx', 0o600);
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return true;
    } catch {
      let pid = 0;
      try { pid = Number(readFileSync(file, 'utf8').trim()); } catch { /* vanished meanwhile */ }
      if (pid > 0 && isProcessAlive(pid)) return false;
      try { unlinkSync(file); } catch { /* another process raced us to it */ }
    }
  }
  return false;
}

/** EPERM means the process exists but belongs to someone else: alive. */
export function isProcessAlive(pid: number): boolean {
  try { process.kill(pid, 0); return true; } catch (error) { return (error as NodeJS.ErrnoException).code === 'EPERM'; }
}
