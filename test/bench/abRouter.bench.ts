// The A/B router's cost: latency it adds (p50/p99) and peak requests/s through it, against calling
// the upstream directly in the same run. Goal: < 1 ms p99 added, >= 5,000 requests/s on 2 cores.
//
// Two upstreams:
//   trivial  a bare Node http server per variant (own process), so the router is the bottleneck;
//   model    the echo service run by the modelcloud Python runtime (2 workers) — the real thing,
//            where the service itself bounds throughput.
// The router is the real detached process (dist/router.js via RouterManager) with store logging
// on: every request is logged to tracking.db by its writer thread, as in production.
// Latency: one request at a time over keep-alive, direct and routed interleaved (so machine noise
// hits both alike), added = routed percentile - direct percentile. Throughput: a closed loop of
// CONCURRENCY keep-alive clients for SECONDS. Baseline for the router's own cost: a bare Node reverse
// proxy (http.request + pipe) in front of the same server, and each one's CPU per request.
// Run: node esbuild.mjs && node out/test/bench/abRouter.bench.js   (last line: JSON figures)
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as http from 'node:http';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { RouterManager, type RouterClient } from '../../src/platform/abtest/routerManager';
import { freePort, killEchoService, startEchoService, type EchoService } from '../system/support/echoService';

const LATENCY_REQUESTS = Number(process.env.BENCH_AB_LATENCY_REQUESTS ?? 3000);
const SECONDS = Number(process.env.BENCH_AB_SECONDS ?? 5);
const CONCURRENCY = Number(process.env.BENCH_AB_CONCURRENCY ?? 64);

const TRIVIAL_SERVER = `
const http = require('http');
const body = Buffer.from('{"yhat":1}');
http.createServer((req, res) => {
  req.on('data', () => {});
  req.on('end', () => { res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length }); res.end(body); });
}).listen(Number(process.argv[1]), '127.0.0.1', () => console.log('ready'));
`;

/** The floor: a bare Node reverse proxy (http.request + pipe, keep-alive), no routing, logging or retries. */
const BARE_PROXY = `
const http = require('http');
const [port, upstream] = [Number(process.argv[1]), Number(process.argv[2])];
const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
http.createServer((req, res) => {
  const up = http.request({ host: '127.0.0.1', port: upstream, method: req.method, path: req.url, headers: req.headers, agent }, (r) => {
    res.writeHead(r.statusCode, r.headers);
    r.pipe(res);
  });
  req.pipe(up);
}).listen(port, '127.0.0.1', () => console.log('ready'));
`;

async function waitReady(url: string, path: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    try { if ((await fetch(`${url}${path}`, { method: path === '/' ? 'POST' : 'GET' })).ok) return; } catch { /* not yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not become ready`);
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 512 });
function post(base: URL, path: string, user: string, payload: Buffer): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: base.hostname, port: base.port, path, method: 'POST', agent,
      headers: { 'content-type': 'application/json', 'content-length': payload.length, 'x-user-id': user },
    }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode === 200 ? resolve(res.statusCode) : reject(new Error(`HTTP ${res.statusCode} from ${base}${path}`))));
    });
    req.on('error', reject);
    req.end(payload);
  });
}

function percentile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

/** Interleaved sequential requests: [direct, routed] latencies in ms. */
async function latency(direct: URL, routed: URL, path: string, payload: Buffer, n: number): Promise<{ direct: number[]; routed: number[] }> {
  const d: number[] = [];
  const r: number[] = [];
  for (let i = 0; i < n + 200; i++) {
    const user = `user-${i}`;
    let t = performance.now();
    await post(direct, path, user, payload);
    const dt = performance.now() - t;
    t = performance.now();
    await post(routed, path, user, payload);
    const rt = performance.now() - t;
    if (i >= 200) { d.push(dt); r.push(rt); } // the first 200 warm connections and the JIT
  }
  return { direct: d.sort((a, b) => a - b), routed: r.sort((a, b) => a - b) };
}

async function throughput(base: URL, path: string, payload: Buffer, seconds: number, concurrency: number): Promise<{ rps: number; errors: number }> {
  let done = 0;
  let errors = 0;
  const end = performance.now() + seconds * 1000;
  const start = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async (_, c) => {
    let i = c;
    while (performance.now() < end) {
      try { await post(base, path, `user-${i}`, payload); done++; } catch { errors++; }
      i += concurrency;
    }
  }));
  return { rps: Math.round(done / ((performance.now() - start) / 1000)), errors };
}

const round = (x: number): number => Math.round(x * 1000) / 1000;

/** CPU seconds (user + system) a process (or with `mainThreadOnly`, its main thread) has used so far, from /proc (Linux); NaN elsewhere. */
function cpuSeconds(pid: number, mainThreadOnly = false): number {
  try {
    const fields = readFileSync(mainThreadOnly ? `/proc/${pid}/task/${pid}/stat` : `/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime, in clock ticks (USER_HZ = 100)
  } catch { return NaN; }
}

async function measure(label: string, direct: URL, routed: URL, routerPid: number, path: string, payload: Buffer, concurrency: number): Promise<Record<string, number>> {
  const lat = await latency(direct, routed, path, payload, LATENCY_REQUESTS);
  const p = (xs: number[], q: number) => percentile(xs, q);
  const directT = await throughput(direct, path, payload, SECONDS, concurrency);
  const cpuBefore = cpuSeconds(routerPid);
  const mainBefore = cpuSeconds(routerPid, true);
  const routedT = await throughput(routed, path, payload, SECONDS, concurrency);
  // The router's own CPU per request under load: what the machine's other tenants cannot distort much.
  // The main thread serves requests; the rest is the store-writer thread (and V8's GC helpers).
  const cpuUs = ((cpuSeconds(routerPid) - cpuBefore) * 1e6) / Math.max(1, routedT.rps * SECONDS);
  const mainUs = ((cpuSeconds(routerPid, true) - mainBefore) * 1e6) / Math.max(1, routedT.rps * SECONDS);
  const out = {
    direct_p50_ms: round(p(lat.direct, 0.5)), direct_p99_ms: round(p(lat.direct, 0.99)),
    routed_p50_ms: round(p(lat.routed, 0.5)), routed_p99_ms: round(p(lat.routed, 0.99)),
    added_p50_ms: round(p(lat.routed, 0.5) - p(lat.direct, 0.5)), added_p99_ms: round(p(lat.routed, 0.99) - p(lat.direct, 0.99)),
    direct_rps: directT.rps, routed_rps: routedT.rps, errors: directT.errors + routedT.errors,
    router_cpu_us_per_request: Math.round(cpuUs), router_main_thread_cpu_us_per_request: Math.round(mainUs),
  };
  console.log(`${label}: latency (${LATENCY_REQUESTS} sequential) direct p50 ${out.direct_p50_ms} ms / p99 ${out.direct_p99_ms} ms, ` +
    `through the router p50 ${out.routed_p50_ms} / p99 ${out.routed_p99_ms} → added p50 ${out.added_p50_ms} ms, p99 ${out.added_p99_ms} ms`);
  console.log(`${label}: throughput (${concurrency} clients, ${SECONDS} s) direct ${out.direct_rps} req/s, through the router ${out.routed_rps} req/s, errors ${out.errors}; router CPU ${out.router_cpu_us_per_request} µs per request (request thread ${out.router_main_thread_cpu_us_per_request} µs)`);
  return out;
}

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'mc-bench-ab-'));
  const children: ChildProcess[] = [];
  const routers: RouterClient[] = [];
  const services: EchoService[] = [];
  const manager = new RouterManager({ storeDir: join(work, '.modelcloud') });
  /** A 50/50 experiment of two single-upstream variants, A and B. */
  const startAb = (experiment: string, upstreams: string[], idempotent: string) => manager.start({
    experiment, variants: [{ name: 'A', weight: 50, upstreams: [upstreams[0]] }, { name: 'B', weight: 50, upstreams: [upstreams[1]] }],
    idempotent: [idempotent],
  });
  try {
    console.log(`machine: ${cpus().length} cores, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
    // --- trivial upstreams: the router is the bottleneck
    const trivial: string[] = [];
    for (let i = 0; i < 2; i++) {
      const port = await freePort();
      // detached like the router (own session): with the kernel's autogroup scheduling a process in
      // the bench's own session gets woken faster, which would flatter the direct path.
      children.push(spawn(process.execPath, ['-e', TRIVIAL_SERVER, String(port)], { stdio: 'ignore', detached: true }));
      trivial.push(`http://127.0.0.1:${port}`);
    }
    for (const u of trivial) await waitReady(u, '/');
    const fast = await startAb('bench-trivial', trivial, 'predict');
    routers.push(fast);
    const payload = Buffer.from('{"x": [1, 2, 3]}');
    // Direct goes to variant A's server; routed users are split 50/50 over two identical servers.
    const t = await measure('trivial upstream', new URL(trivial[0]), new URL(fast.url), fast.info.pid, '/predict', payload, CONCURRENCY);
    const fastState = await fast.state();
    // Baseline in the same run: the bare proxy in front of the same trivial server.
    const bareProxyPort = await freePort();
    const bare = spawn(process.execPath, ['-e', BARE_PROXY, String(bareProxyPort), new URL(trivial[0]).port], { stdio: 'ignore', detached: true });
    children.push(bare);
    await waitReady(`http://127.0.0.1:${bareProxyPort}`, '/');
    const bareCpu = cpuSeconds(bare.pid!);
    const bareT = await throughput(new URL(`http://127.0.0.1:${bareProxyPort}`), '/predict', payload, SECONDS, CONCURRENCY);
    const bareCpuUs = Math.round(((cpuSeconds(bare.pid!) - bareCpu) * 1e6) / Math.max(1, bareT.rps * SECONDS));
    console.log(`bare Node proxy (baseline): ${bareT.rps} req/s, CPU ${bareCpuUs} µs per request`);

    // --- the real model service (modelcloud runtime, echo), one per variant
    const echo = await Promise.all(['echo-a', 'echo-b'].map((name) => startEchoService(work, name, 2)));
    services.push(...echo);
    const real = await startAb('bench-model', echo.map((e) => e.url), 'echo');
    routers.push(real);
    const m = await measure('model service (echo, 2 workers)', new URL(echo[0].url), new URL(real.url), real.info.pid, '/echo', Buffer.from('{"text": "hello"}'), 16);
    await fast.flush();
    console.log(`store: ${fastState.store?.written ?? 0}+ rows logged by the trivial-upstream router during the run, dropped ${fastState.store?.dropped ?? 0}`);

    console.log(JSON.stringify({
      bench: 'abRouter',
      added_p50_ms: t.added_p50_ms, added_p99_ms: t.added_p99_ms, router_rps: t.routed_rps, direct_rps: t.direct_rps,
      router_cpu_us_per_request: t.router_cpu_us_per_request, router_main_thread_cpu_us_per_request: t.router_main_thread_cpu_us_per_request, bare_proxy_rps: bareT.rps, bare_proxy_cpu_us_per_request: bareCpuUs,
      model_added_p50_ms: m.added_p50_ms, model_added_p99_ms: m.added_p99_ms, model_router_rps: m.routed_rps, model_direct_rps: m.direct_rps,
      errors: t.errors + m.errors, load_avg: Number(loadavg()[0].toFixed(1)),
    }));
  } finally {
    agent.destroy();
    for (const r of routers) await r.shutdown().catch(() => undefined);
    for (const c of children) { try { if (c.pid) process.kill(-c.pid, 'SIGKILL'); } catch { /* gone */ } }
    for (const e of services) killEchoService(e);
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((error) => { console.error(error); process.exit(1); });
