// The replicas of one variant: round-robin over the healthy ones, each with its own keep-alive
// agent. A replica that refuses or drops a connection is marked unhealthy and skipped until its
// /healthz answers 200 again (probed every healthIntervalMs); 5xx answers do not mark it (the
// service is up, the request failed), they only make an idempotent request try another replica.
import * as http from 'node:http';
import * as net from 'node:net';

export interface ReplicaTimeouts { connectMs: number; requestMs: number }

/**
 * Timeouts live on the agent, not on each request: `timeout` is the sockets' idle timeout (a
 * request then emits 'timeout'), and new connections get a connect timer. This keeps per-request
 * work (timers, listeners) off the hot path.
 */
function makeAgent(timeouts: ReplicaTimeouts): http.Agent {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256, maxFreeSockets: 256, keepAliveMsecs: 1000, timeout: timeouts.requestMs });
  const connect = (options: net.NetConnectOpts): net.Socket => {
    const socket = net.createConnection(options);
    socket.setNoDelay(true);
    const timer = setTimeout(() => {
      socket.destroy(Object.assign(new Error(`no connection within ${timeouts.connectMs} ms`), { code: 'ECONNTIMEOUT' }));
    }, timeouts.connectMs);
    socket.once('connect', () => clearTimeout(timer));
    socket.once('close', () => clearTimeout(timer));
    return socket;
  };
  Object.assign(agent, { createConnection: connect });
  return agent;
}

export class Replica {
  readonly host: string;
  readonly port: number;
  readonly agent: http.Agent;
  healthy = true;
  inFlight = 0;
  /** Attempts sent to this replica (first tries and retries). */
  sent = 0;
  lastError: string | undefined;

  constructor(readonly variant: string, readonly url: string, timeouts: ReplicaTimeouts) {
    const u = new URL(url);
    this.host = u.hostname;
    this.port = Number(u.port || 80);
    // keepAlive: a new TCP connection per request would cost more than everything else the router does.
    this.agent = makeAgent(timeouts);
  }

  markFailed(error: string): void {
    this.healthy = false;
    this.lastError = error;
  }
}

export class VariantPool {
  readonly replicas: Replica[];
  private next = 0;

  constructor(readonly name: string, urls: string[], timeouts: ReplicaTimeouts) {
    this.replicas = urls.map((u) => new Replica(name, u, timeouts));
  }

  /**
   * The next healthy replica not in `tried`; when none is healthy, the next untried one anyway
   * (a replica marked down may be back before the probe notices, and trying beats a certain 503).
   */
  pick(tried?: ReadonlySet<Replica>): Replica | undefined {
    const n = this.replicas.length;
    let fallback: Replica | undefined;
    for (let i = 0; i < n; i++) {
      const r = this.replicas[(this.next + i) % n];
      if (tried?.has(r)) continue;
      if (r.healthy) {
        this.next = (this.next + i + 1) % n;
        return r;
      }
      fallback ??= r;
    }
    if (fallback) this.next = (this.replicas.indexOf(fallback) + 1) % n;
    return fallback;
  }

  hasUntried(tried: ReadonlySet<Replica>): boolean {
    return this.replicas.some((r) => !tried.has(r));
  }

  destroy(): void {
    for (const r of this.replicas) r.agent.destroy();
  }
}

/** Probes unhealthy replicas' /healthz until they answer 200. */
export function startHealthProbe(pools: VariantPool[], intervalMs: number, timeoutMs: number): () => void {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    const down = pools.flatMap((p) => p.replicas.filter((r) => !r.healthy));
    if (!down.length) return;
    running = true;
    void Promise.all(down.map((r) => probe(r, timeoutMs))).finally(() => { running = false; });
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}

function probe(replica: Replica, timeoutMs: number): Promise<void> {
  return new Promise((resolve) => {
    const req = http.get({ host: replica.host, port: replica.port, path: '/healthz', agent: false, timeout: timeoutMs }, (res) => {
      res.resume();
      if (res.statusCode === 200) { replica.healthy = true; replica.lastError = undefined; }
      resolve();
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => resolve());
  });
}
