// Monitoring for real: a REAL model service (test/system/fixtures/monitoring, run by the modelcloud
// Python runtime with two workers behind a detached supervisor) deployed with the ServiceManager;
// the poller scrapes its real /metrics and /version under a bounded load on loopback, writes samples
// to a real tracking.db, and the alert rules see a forced error burst. Then a hot update (model
// version change), a restart (counter reset) and an unreachable target (a gap).
import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import { cpSync } from 'node:fs';
import { join } from 'node:path';
import { AlertEvaluator, type AlertEvent } from '../../src/core/monitoring/alerts';
import type { MonitoringSample } from '../../src/core/monitoring/sample';
import { RouterManager } from '../../src/platform/abtest/routerManager';
import { createServiceManager } from '../../src/platform/deploy/createServiceManager';
import type { ServiceManager } from '../../src/platform/deploy/serviceManager.api';
import { MetricsStore } from '../../src/platform/monitoring/metricsStore';
import { MonitoringPoller, type MonitorTarget } from '../../src/platform/monitoring/poller';
import { deploymentTargets } from '../../src/platform/monitoring/targets';
import { PYTHON, REPO, killEverything, sleep, tempRoot, waitFor } from './support/deployFixture';

const SERVICE = 'monitored';
const FIXTURE = join(REPO, 'test', 'system', 'fixtures', 'monitoring');

const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
function post(url: string, body: Record<string, number>): Promise<number> {
  const u = new URL(`${url}/predict`);
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: u.hostname, port: u.port, path: u.pathname, method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(payload);
  });
}

/** `clients` loops posting `body()` until stop(); counts answers by status class. */
function load(url: string, clients: number, body: () => Record<string, number>) {
  const seen = { ok: 0, failed: 0, other: 0 };
  let running = true;
  const loops = Array.from({ length: clients }, async () => {
    while (running) {
      try {
        const status = await post(url, body());
        if (status === 200) seen.ok++; else if (status >= 500) seen.failed++; else seen.other++;
      } catch { seen.other++; }
    }
  });
  return { stop: async () => { running = false; await Promise.all(loops); return seen; } };
}

describe('monitoring: poller, store and alerts against a real deployed service (system)', function () {
  this.timeout(180_000);
  const root = tempRoot('modelcloud-monitoring-');
  const storeDir = join(root, '.modelcloud');
  const src = join(root, 'svc');
  let manager: ServiceManager;
  let store: MetricsStore;
  let poller: MonitoringPoller;
  let url = '';
  const written: MonitoringSample[] = [];
  const alerts = new AlertEvaluator([{ metric: 'errorRate', above: 5, forSeconds: 2 }, { metric: 'p99', above: 5000, forSeconds: 2 }]);
  const events: AlertEvent[] = [];
  const logs: string[] = [];

  /** Polls every `everyMs` while `during` runs; returns the samples of those polls. */
  async function pollWhile(during: Promise<unknown>, everyMs: number): Promise<MonitoringSample[]> {
    const out: MonitoringSample[] = [];
    let done = false;
    void during.finally(() => { done = true; });
    while (!done) {
      out.push(...await poller.pollOnce());
      await sleep(everyMs);
    }
    out.push(...await poller.pollOnce());
    return out;
  }

  before(async () => {
    cpSync(FIXTURE, src, { recursive: true });
    manager = createServiceManager({ storeDir, python: PYTHON, readyTimeoutMs: 30_000, drainTimeoutMs: 5_000 });
    const result = await manager.deploy({ dir: src, target: 'local', workers: 2 });
    url = result.url!;
    store = new MetricsStore(join(storeDir, 'tracking.db'));
    poller = new MonitoringPoller({
      targets: () => deploymentTargets(manager, undefined),
      store,
      intervalSeconds: () => 1,
      onSamples: (samples) => {
        written.push(...samples);
        for (const s of samples) events.push(...alerts.observe(s));
      },
      log: (line) => logs.push(line),
    });
  });

  after(async () => {
    poller?.dispose();
    store?.close();
    try { await manager.stop(SERVICE); } catch { /* already stopped */ }
    manager?.dispose();
    killEverything(storeDir);
    agent.destroy();
  });

  it('lists the deployed service as a target at its stable URL', async () => {
    const targets = await deploymentTargets(manager, undefined);
    assert.deepEqual(targets, [{ key: SERVICE, kind: 'service', url: url.replace(/\/$/, '') }] satisfies MonitorTarget[]);
    assert.deepEqual(await poller.pollOnce(), [], 'the first scrape is only a baseline');
  });

  it('under a bounded load, samples land in the store with plausible throughput and latency', async () => {
    const traffic = load(url, 4, () => ({ x: 1, sleep_ms: 20 }));
    const started = Date.now();
    const run = sleep(4000).then(() => traffic.stop());
    const samples = await pollWhile(run, 900);
    const seen = await run;
    const seconds = (Date.now() - started) / 1000;
    assert.ok(seen.ok > 40, `only ${seen.ok} requests went through`);
    const total = samples.reduce((a, s) => a + s.requests, 0);
    // Every answered request is counted once, in exactly one interval (the baseline was taken before the load).
    assert.equal(total, seen.ok + seen.failed + seen.other, `samples count ${total}, the clients saw ${JSON.stringify(seen)}`);
    const busy = samples.filter((s) => s.requests > 0);
    const measuredRps = seen.ok / seconds;
    const peak = Math.max(...busy.map((s) => s.rps));
    assert.ok(peak > measuredRps * 0.5 && peak < measuredRps * 2.5, `peak ${peak.toFixed(1)} req/s vs clients' ${measuredRps.toFixed(1)} req/s`);
    for (const s of busy) {
      // Each request sleeps 20 ms in the command: p50 from the buckets lies in (10, 50] ms.
      assert.ok(s.p50! > 10 && s.p50! <= 50, `p50 ${s.p50} ms`);
      assert.ok(s.p99! >= s.p95! && s.p95! >= s.p50!, `quantiles in order: ${s.p50} ${s.p95} ${s.p99}`);
      assert.equal(s.errorRate, 0);
    }
    const stored = store.range(SERVICE, 0);
    assert.ok(stored.length >= samples.length, `${stored.length} rows in the store`);
    assert.deepEqual(stored.slice(-samples.length).map((s) => s.requests), samples.map((s) => s.requests));
    assert.deepEqual(events, [], 'no alert under healthy load');
    console.log(`      load: ${seen.ok} ok in ${seconds.toFixed(1)} s (${measuredRps.toFixed(1)} req/s); samples p50 ${busy.map((s) => s.p50!.toFixed(1)).join(', ')} ms`);
  });

  it('a forced error burst fires one error-rate alert, and recovery ends it', async () => {
    let i = 0;
    const traffic = load(url, 4, () => ({ x: 2, fail: i++ % 2 }));
    const run = sleep(4500).then(() => traffic.stop());
    const samples = await pollWhile(run, 900);
    const seen = await run;
    assert.ok(seen.failed > 20, `only ${seen.failed} requests failed`);
    // The first and last intervals straddle the burst's start and end (and may hold the previous
    // test's healthy requests): judge the intervals wholly inside it.
    const burst = samples.filter((s) => s.requests > 0).slice(1, -1);
    assert.ok(burst.length >= 2, `only ${burst.length} whole intervals inside the burst`);
    for (const s of burst) assert.ok(s.errorRate! > 0.3 && s.errorRate! < 0.7, `error rate ${s.errorRate}`);
    const fired = events.filter((e) => e.kind === 'fire');
    assert.equal(fired.length, 1, JSON.stringify(events.map((e) => e.message)));
    assert.match(fired[0].message, /^monitored: error rate \d+(\.\d)?% > 5% for \d+ s$/);
    assert.ok(Math.abs(fired[0].value - 50) < 10, `error rate ${fired[0].value}`);
    // Healthy again for longer than the window: resolved.
    const healthy = load(url, 2, () => ({ x: 3 }));
    await pollWhile(sleep(3500).then(() => healthy.stop()), 900);
    assert.deepEqual(events.map((e) => e.kind), ['fire', 'resolve']);
    console.log(`      alert: ${fired[0].message}`);
  });

  it('a hot update shows as a model version change', async () => {
    const token = await manager.adminToken(SERVICE);
    assert.ok(token, 'the service has an admin token');
    const res = await fetch(`${url}/admin/model`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ version: 'models:/monitored/2' }) });
    assert.equal(res.status, 202, await res.text());
    const traffic = load(url, 2, () => ({ x: 4 }));
    const samples = await pollWhile(waitFor('model version 2 on /version', async () => {
      const v = await (await fetch(`${url}/version`)).json() as { model_version?: string };
      return v.model_version === 'models:/monitored/2' || undefined;
    }).then(() => sleep(1200)).finally(() => traffic.stop()), 500);
    assert.equal(samples[samples.length - 1].modelVersion, 'models:/monitored/2');
  });

  it('polls a running A/B router (its own /metrics names) next to the service', async () => {
    const routers = new RouterManager({ storeDir, logToStore: false });
    const router = await routers.start({
      experiment: 'mon-ab', variants: [{ name: 'A', weight: 50, upstreams: [url] }, { name: 'B', weight: 50, upstreams: [url] }],
      userKey: { header: 'x-user-id' },
    });
    try {
      const targets = await deploymentTargets(manager, routers);
      assert.deepEqual(targets.map((t) => `${t.kind}:${t.key}`), ['service:monitored', 'router:router:mon-ab']);
      const both = new MonitoringPoller({ targets: () => deploymentTargets(manager, routers), intervalSeconds: () => 1 });
      await both.pollOnce();
      let ok = 0;
      for (let i = 0; i < 60; i++) {
        const res = await fetch(`${router.url}/predict`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-user-id': `u${i}` }, body: JSON.stringify({ x: i }) });
        await res.arrayBuffer();
        if (res.status === 200) ok++;
      }
      const samples = await both.pollOnce();
      both.dispose();
      const r = samples.find((s) => s.service === 'router:mon-ab');
      assert.ok(r && r.up, JSON.stringify(samples));
      assert.equal(r.requests, ok);
      assert.equal(r.errorRate, 0);
      assert.ok(r.p50! > 0 && r.p99! >= r.p50!, `router p50 ${r.p50} p99 ${r.p99}`);
      assert.equal(r.modelVersion, null);
      console.log(`      router: ${r.requests} requests, p50 ${r.p50!.toFixed(2)} ms, p99 ${r.p99!.toFixed(2)} ms`);
    } finally {
      await router.shutdown();
    }
  });

  it('a restart resets the counters: the next sample counts from zero, never negative', async () => {
    await poller.pollOnce();
    await manager.restart(SERVICE);
    const traffic = load(url, 2, () => ({ x: 5 }));
    await sleep(1500);
    const samples = await poller.pollOnce();
    const seen = await traffic.stop();
    const after = [...samples, ...await poller.pollOnce()];
    assert.ok(after.every((s) => s.requests >= 0 && s.rps >= 0), JSON.stringify(after));
    const restarted = written.filter((s) => s.restarted);
    assert.ok(restarted.length >= 1, `a restarted sample among ${JSON.stringify(written.slice(-4))}`);
    assert.ok(seen.ok > 0);
  });

  it('an unreachable target is recorded as a gap, not a crash, and others keep being polled', async () => {
    const gone: MonitorTarget = { key: 'gone', kind: 'service', url: 'http://127.0.0.1:9' };
    const both = new MonitoringPoller({ targets: async () => [gone, ...await deploymentTargets(manager, undefined)], store, intervalSeconds: () => 1, fetchTimeoutMs: 1000, log: (l) => logs.push(l) });
    await both.pollOnce();
    await sleep(300);
    const samples = await both.pollOnce();
    both.dispose();
    const gap = samples.find((s) => s.service === 'gone');
    assert.ok(gap && !gap.up && gap.p99 === null, JSON.stringify(samples));
    assert.ok(samples.some((s) => s.service === SERVICE && s.up));
    assert.ok(logs.some((l) => /gone at http:\/\/127\.0\.0\.1:9 did not answer/.test(l)), logs.join('\n'));
    assert.equal(store.range('gone', 0).filter((s) => !s.up).length, 2);
  });

  it('the history survives reopening the store (what a reloaded dashboard reads)', () => {
    const reopened = new MetricsStore(join(storeDir, 'tracking.db'));
    try {
      const rows = reopened.range(SERVICE, Date.now() - 15 * 60_000);
      assert.ok(rows.length >= 10, `${rows.length} rows`);
      assert.ok(rows.some((r) => r.errorRate !== null && r.errorRate > 0.3));
      assert.ok(rows.some((r) => r.modelVersion === 'models:/monitored/2'));
    } finally {
      reopened.close();
    }
  });
});
