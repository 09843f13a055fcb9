// Layout of an A/B router's folder, <storeDir>/routers/<experiment>/, shared by the router manager
// and the router process. Files holding secrets or addresses are written 0600.
import { join } from 'node:path';
import { EXPERIMENT_ID_PATTERN, type RouterConfig } from '../../core/abtest/routerConfig';

export interface RouterPaths {
  dir: string;
  /** Manager → router: { config, storeDb } (RouterLaunch). */
  launchFile: string;
  /** Router → manager: pid, port, url (RouterInfo). Present while it runs. */
  infoFile: string;
  /** Bearer token of the /admin/* endpoints (0600). */
  adminTokenFile: string;
  lockFile: string;
  /** The router's stdout/stderr. */
  outFile: string;
}

/** What the manager hands the router process. */
export interface RouterLaunch {
  config: RouterConfig;
  /** tracking.db to log to; null runs without logging (Kubernetes without a volume). */
  storeDb: string | null;
}

export interface RouterInfo {
  pid: number;
  port: number;
  url: string;
  startedAt: number;
}

export function routersRoot(storeDir: string): string {
  return join(storeDir, 'routers');
}

export function routerPaths(storeDir: string, experiment: string): RouterPaths {
  if (!EXPERIMENT_ID_PATTERN.test(experiment)) {
    throw new Error(`invalid experiment id '${experiment}': use 1-63 letters, digits, '.', '_' or '-'`);
  }
  return routerPathsIn(join(routersRoot(storeDir), experiment));
}

export function routerPathsIn(dir: string): RouterPaths {
  return {
    dir,
    launchFile: join(dir, 'router.json'),
    infoFile: join(dir, 'router-info.json'),
    adminTokenFile: join(dir, 'admin.token'),
    lockFile: join(dir, 'router.lock'),
    outFile: join(dir, 'router.out'),
  };
}
