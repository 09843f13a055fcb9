// What the poller watches: every deployed service that runs and has a URL (the supervisor's stable
// port), and every A/B router process that runs in this workspace.
import type { RouterManager } from '../abtest/routerManager';
import type { ServiceManager, ServiceStatus } from '../deploy/serviceManager.api';
import type { MonitorTarget } from './poller';

export const ROUTER_KEY_PREFIX = 'router:';

export function isMonitorable(s: ServiceStatus): boolean {
  return Boolean(s.url) && (s.state === 'healthy' || s.state === 'degraded' || s.state === 'starting');
}

export async function deploymentTargets(manager: ServiceManager | undefined, routers: RouterManager | undefined): Promise<MonitorTarget[]> {
  const targets: MonitorTarget[] = [];
  if (manager) {
    for (const s of await manager.list()) {
      if (isMonitorable(s)) targets.push({ key: s.name, kind: 'service', url: s.url!.replace(/\/$/, '') });
    }
  }
  if (routers) {
    for (const experiment of routers.list()) {
      const client = routers.connect(experiment);
      // Only routers this machine runs: router-info.json is a workspace file, not a list of URLs to fetch.
      if (client && isLoopback(client.url)) targets.push({ key: `${ROUTER_KEY_PREFIX}${experiment}`, kind: 'router', url: client.url.replace(/\/$/, '') });
    }
  }
  return targets;
}

function isLoopback(url: string): boolean {
  try {
    const host = new URL(url).hostname;
    return host === '127.0.0.1' || host === 'localhost' || host === '[::1]' || host === '::1';
  } catch {
    return false;
  }
}
