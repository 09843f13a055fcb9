// Layout of a deployed service's folder, <storeDir>/services/<name>/, shared by the service manager
// and the supervisor process. Files holding secrets or addresses are written 0600.
import { join } from 'node:path';
import { mkdirSync, renameSync, writeFileSync, readFileSync, chmodSync } from 'node:fs';
import { randomBytes } from 'node:crypto';

export interface ServicePaths {
  dir: string;
  /** Manager → supervisor: name, folder, port, policies (ServiceRecord). */
  serviceFile: string;
  /** Supervisor → manager: pid, proxy port, control port (SupervisorInfo). Present while it runs. */
  supervisorFile: string;
  /** Bearer token of the supervisor's control API. */
  controlTokenFile: string;
  /** MODELCLOUD_ADMIN_TOKEN given to every revision (hot update calls). */
  adminTokenFile: string;
  /** Supervisor's durable state: the active and previous revision specs, events. */
  stateFile: string;
  /** Supervisor events and every revision's output, prefixed with its revision (tail this). */
  logFile: string;
  revisionLog(revision: number): string;
  /** The copy of the service folder a local revision runs from (rollback needs no working tree). */
  revisionBundle(revision: number): string;
  /** MODELCLOUD_STATE_DIR of a revision. */
  revisionState(revision: number): string;
  kubernetesDir(revision: number): string;
}

export function servicesRoot(storeDir: string): string {
  return join(storeDir, 'services');
}

export function servicePaths(storeDir: string, name: string): ServicePaths {
  if (!isValidServiceName(name)) throw new Error(`invalid service name '${name}': use letters, digits, '-', '_' and '.'`);
  const dir = join(servicesRoot(storeDir), name);
  return pathsIn(dir);
}

export function pathsIn(dir: string): ServicePaths {
  return {
    dir,
    serviceFile: join(dir, 'service.json'),
    supervisorFile: join(dir, 'supervisor.json'),
    controlTokenFile: join(dir, 'control.token'),
    adminTokenFile: join(dir, 'admin.token'),
    stateFile: join(dir, 'state.json'),
    logFile: join(dir, 'service.log'),
    revisionLog: (n) => join(dir, 'logs', `revision-${n}.log`),
    revisionBundle: (n) => join(dir, 'revisions', String(n)),
    revisionState: (n) => join(dir, 'state', `revision-${n}`),
    kubernetesDir: (n) => join(dir, 'kubernetes', `revision-${n}`),
  };
}

export function isValidServiceName(name: string): boolean {
  return /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/.test(name);
}

/** Writes via a temp file + rename so a reader never sees half a file. */
export function writeFileAtomic(path: string, text: string, mode = 0o600): void {
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(tmp, text, { mode });
  chmodSync(tmp, mode);
  renameSync(tmp, path);
}

export function readJsonFile<T>(path: string): T | undefined {
  let text: string;
  try { text = readFileSync(path, 'utf8'); } catch { return undefined; }
  try { return JSON.parse(text) as T; } catch { return undefined; }
}

/** The token in `file`, created (random, 0600) when missing. */
export function ensureToken(file: string): string {
  try {
    const existing = readFileSync(file, 'utf8').trim();
    if (existing) return existing;
  } catch { /* create below */ }
  mkdirSync(join(file, '..'), { recursive: true, mode: 0o700 });
  const token = randomBytes(24).toString('base64url');
  try {
    writeFileSync(file, `${token}\n`, { mode: 0o600, flag: 'wx' });
    return token;
  } catch {
    // Another process created it first: use theirs.
    return readFileSync(file, 'utf8').trim();
  }
}
