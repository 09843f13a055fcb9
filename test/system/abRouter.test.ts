// The A/B router for real: a detached router process (dist/router.js, started by the RouterManager
// like `modelcloud ab start`) in front of three REAL model services on loopback — the echo service
// (test/fixtures/workspace/services/echo) run by the modelcloud Python runtime: two replicas for
// variant A, one for B — logging to a real tracking.db.
//
// The 100,000-user split goes through the router's /admin/assign fast path (the same assignment
// code as every routed request, in batches of 25,000, no forwarding): 100k real HTTP requests to
// Python services take minutes on 2 shared cores. Real routed traffic (thousands of requests)
// then proves each user is served by exactly the variant that path reports.
import * as assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import * as http from 'node:http';
import { join } from 'node:path';
import { RouterManager, type RouterClient } from '../../src/platform/abtest/routerManager';
import { AbStore } from '../../src/platform/abtest/abStore';
import { runCli } from '../../src/cli/runCli';
import { sleep, tempRoot } from './support/deployFixture';
import { killEchoService, startEchoService, type EchoService } from './support/echoService';

const EXPERIMENT = 'echo-ab-system';
const USERS = 100_000;

/** Keep-alive client: POST /echo as `user`, answering status, the serving variant and the echo. */
const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
function echo(base: string, user: string | undefined, text = 'hi', extraHeaders: Record<string, string> = {}, body?: string): Promise<{ status: number; variant?: string; body: string }> {
  const u = new URL(base);
  const payload = body ?? JSON.stringify({ text });
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: u.hostname, port: u.port, path: '/echo', method: 'POST', agent,
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload), ...(user === undefined ? {} : { 'x-user-id': user }), ...extraHeaders },
    }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => { text += c; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, variant: res.headers['x-modelcloud-variant'] as string | undefined, body: text }));
    });
    req.on('error', reject);
    req.end(payload);
  });
}

/** Runs `count` tasks with at most `concurrency` in flight. */
async function bounded<T>(count: number, concurrency: number, task: (i: number) => Promise<T>): Promise<T[]> {
  const out = new Array<T>(count);
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < count) { const i = next++; out[i] = await task(i); }
  }));
  return out;
}

describe('A/B router in front of real model services (system)', function () {
  this.timeout(120_000);
  const root = tempRoot('modelcloud-ab-');
  const storeDir = join(root, '.modelcloud');
  const manager = new RouterManager({ storeDir });
  let replicas: EchoService[] = [];
  let router: RouterClient;
  let token = '';
  const assigned = new Map<string, string>();

  before(async () => {
    replicas = await Promise.all(['a1', 'a2', 'b1'].map((n) => startEchoService(root, n)));
    router = await manager.start({
      experiment: EXPERIMENT,
      title: 'echo A (2 replicas) vs echo B',
      variants: [
        { name: 'A', weight: 90, upstreams: [replicas[0].url, replicas[1].url] },
        { name: 'B', weight: 10, upstreams: [replicas[2].url] },
      ],
      userKey: { header: 'x-user-id' },
      idempotent: ['echo'],
      healthIntervalMs: 200,
    });
    token = readFileSync(join(storeDir, 'routers', EXPERIMENT, 'admin.token'), 'utf8').trim();
  });

  after(async () => {
    agent.destroy();
    try { await router?.shutdown(); } catch { /* already gone */ }
    for (const r of replicas) killEchoService(r);
  });

  it('keeps the admin token 0600 and answers admin calls without it (or with a wrong one) with 401', async () => {
    assert.equal(statSync(join(storeDir, 'routers', EXPERIMENT, 'admin.token')).mode & 0o777, 0o600);
    for (const headers of [{}, { authorization: 'Bearer wrong' }, { authorization: token }] as Array<Record<string, string>>) {
      const res = await fetch(`${router.url}/admin/state`, { headers });
      assert.equal(res.status, 401);
      assert.match((await res.json() as { message: string }).message, /Authorization: Bearer/);
    }
    const pause = await fetch(`${router.url}/admin/pause`, { method: 'POST' });
    assert.equal(pause.status, 401);
    assert.equal((await router.state()).status, 'running');
  });

  it(`splits ${USERS.toLocaleString('en')} users within ±1 % of 90/10 (the assignment path, in batches)`, async () => {
    const started = performance.now();
    const counts: Record<string, number> = { A: 0, B: 0 };
    for (let from = 0; from < USERS; from += 25_000) {
      const userKeys = Array.from({ length: 25_000 }, (_, i) => `user-${from + i}`);
      const res = await fetch(`${router.url}/admin/assign`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: JSON.stringify({ userKeys }) });
      assert.equal(res.status, 200);
      const { variants } = await res.json() as { variants: string[] };
      variants.forEach((v, i) => { counts[v]++; assigned.set(userKeys[i], v); });
    }
    const ms = performance.now() - started;
    console.log(`      ${USERS} assignments through the router in ${ms.toFixed(0)} ms: A ${counts.A}, B ${counts.B}`);
    assert.ok(Math.abs(counts.A / USERS - 0.9) < 0.01, `A share ${counts.A / USERS}`);
    assert.ok(Math.abs(counts.B / USERS - 0.1) < 0.01, `B share ${counts.B / USERS}`);
  });

  it('serves 4,000 real requests, each by the variant its user is assigned to, spread over both A replicas', async () => {
    const users = 4_000;
    const results = await bounded(users, 8, async (i) => echo(router.url, `user-${i}`, `t${i}`));
    const seen: Record<string, number> = { A: 0, B: 0 };
    results.forEach((r, i) => {
      assert.equal(r.status, 200, r.body);
      assert.deepEqual(JSON.parse(r.body), { echo: `t${i}` });
      assert.equal(r.variant, assigned.get(`user-${i}`), `user-${i}`);
      seen[r.variant!]++;
    });
    // 4,000 users: the share is within ±3 % of 90/10 (4 standard errors).
    assert.ok(Math.abs(seen.B / users - 0.1) < 0.03, `B share ${seen.B / users}`);
    // Round-robin: the two A replicas took half of A's traffic each (±1 request per client's turn).
    const sent = (await router.state()).variants.find((v) => v.name === 'A')!.replicas.map((r) => r.sent);
    assert.ok(Math.abs(sent[0] - sent[1]) <= 8 && sent[0] + sent[1] === seen.A, `A replicas: ${sent.join(', ')} of ${seen.A}`);
    const metrics = await (await fetch(`${router.url}/metrics`)).text();
    assert.match(metrics, new RegExp(`modelcloud_router_requests_total\\{experiment="${EXPERIMENT}",variant="A",phase="running",status="200"\\} ${seen.A}`));
    assert.match(metrics, /modelcloud_router_request_duration_seconds_bucket\{experiment="echo-ab-system",variant="B",le="\+Inf"\} \d+/);
  });

  it('is sticky: 200 users × 5 repeats always land on the same variant', async () => {
    const results = await bounded(1_000, 8, async (i) => ({ user: `user-${i % 200}`, r: await echo(router.url, `user-${i % 200}`) }));
    for (const { user, r } of results) assert.equal(r.variant, assigned.get(user), user);
  });

  it('answers a request without a user key with 400 naming the header', async () => {
    const r = await echo(router.url, undefined);
    assert.equal(r.status, 400);
    assert.match(r.body, /no user key in the request: send it in the header x-user-id/);
  });

  it('records feedback in the store with the user\'s variant; KPI n/sum/sum of squares per variant', async () => {
    let expectedA = { n: 0, sum: 0 };
    let expectedB = { n: 0, sum: 0 };
    await bounded(600, 8, async (i) => {
      const user = `user-${i}`;
      const value = i % 3 === 0 ? 1 : 0;
      const res = await fetch(`${router.url}/feedback`, { method: 'POST', body: JSON.stringify({ user_id: user, metric: 'clicked', value }) });
      assert.equal(res.status, 202);
      assert.equal((await res.json() as { variant: string }).variant, assigned.get(user));
    });
    for (let i = 0; i < 600; i++) {
      const e = assigned.get(`user-${i}`) === 'A' ? expectedA : expectedB;
      e.n++; e.sum += i % 3 === 0 ? 1 : 0;
    }
    const bad = await fetch(`${router.url}/feedback`, { method: 'POST', body: JSON.stringify({ user_id: 'u', metric: 'clicked', value: 'yes' }) });
    assert.equal(bad.status, 400);
    assert.match((await bad.json() as { message: string }).message, /value must be a finite number/);

    await router.flush();
    const store = new AbStore(join(storeDir, 'tracking.db'));
    try {
      const kpi = store.kpi(EXPERIMENT, 'clicked');
      assert.deepEqual(kpi.map((k) => [k.variant, k.n, k.sum, k.sumSquares]), [['A', expectedA.n, expectedA.sum, expectedA.sum], ['B', expectedB.n, expectedB.sum, expectedB.sum]]);
      const traffic = store.traffic(EXPERIMENT);
      const total = traffic.reduce((s, t) => s + t.requests, 0);
      assert.equal(total, 5_000, 'every routed request is logged (4,000 + 1,000; the 400 never reached a variant)');
      assert.equal(traffic.reduce((s, t) => s + t.users, 0), 4_000, 'one assignment row per distinct user');
      assert.equal(store.experiment(EXPERIMENT)?.status, 'running');
      assert.deepEqual(store.kpiNames(EXPERIMENT), ['clicked']);
    } finally {
      store.close();
    }
    expectedA = { n: 0, sum: 0 };
    expectedB = { n: 0, sum: 0 };
  });

  it('retries idempotent requests of a killed replica on the other replica of the same variant: 0 client-visible errors', async () => {
    const usersOfA = [...assigned.entries()].filter(([, v]) => v === 'A').slice(0, 2_000).map(([u]) => u);
    let running = true;
    let ok = 0;
    const failures: string[] = [];
    const loops = Array.from({ length: 6 }, async (_, c) => {
      for (let i = c; running; i += 6) {
        try {
          const r = await echo(router.url, usersOfA[i % usersOfA.length]);
          if (r.status === 200 && r.variant === 'A') ok++;
          else failures.push(`HTTP ${r.status} ${r.variant} ${r.body}`);
        } catch (error) { failures.push(String(error)); }
      }
    });
    await sleep(500);
    killEchoService(replicas[1]);
    await sleep(1_500);
    running = false;
    await Promise.all(loops);
    assert.deepEqual(failures, [], `${failures.length} failed of ${ok + failures.length}`);
    assert.ok(ok > 100, `only ${ok} requests went through`);
    const state = await router.state();
    const a = state.variants.find((v) => v.name === 'A')!;
    assert.deepEqual(a.replicas.map((r) => r.healthy), [true, false], 'the killed replica is marked down');
    const metrics = await (await fetch(`${router.url}/metrics`)).text();
    const retries = Number(/modelcloud_router_retries_total\{experiment="echo-ab-system",variant="A"\} (\d+)/.exec(metrics)?.[1] ?? 0);
    console.log(`      ${ok} requests during the kill, ${retries} retried on the other replica`);
    assert.ok(retries >= 1, 'at least one request was retried');
  });

  it('pauses (everyone to the control variant, logged as paused), resumes, and stops from the CLI', async () => {
    const io = { out: (t: string) => { output += t; }, err: (t: string) => { output += t; }, cwd: root, version: 'test' };
    let output = '';
    const userOfB = [...assigned.entries()].find(([, v]) => v === 'B')![0];
    assert.equal(await runCli(['--store', storeDir, 'ab', 'pause', EXPERIMENT], io), 0, output);
    assert.equal((await echo(router.url, userOfB)).variant, 'A');
    assert.equal(await runCli(['--store', storeDir, 'ab', 'resume', EXPERIMENT], io), 0, output);
    assert.equal((await echo(router.url, userOfB)).variant, 'B');
    output = '';
    assert.equal(await runCli(['--store', storeDir, 'ab', 'status', EXPERIMENT], io), 0, output);
    assert.match(output, new RegExp(`experiment ${EXPERIMENT} \\(echo A \\(2 replicas\\) vs echo B\\): running`));
    assert.match(output, /KPI clicked: A n=\d+ mean=/);
    await router.flush();
    const store = new AbStore(join(storeDir, 'tracking.db'));
    try {
      assert.equal(store.traffic(EXPERIMENT, { phase: 'paused' }).find((t) => t.variant === 'A')?.requests, 1);
    } finally { store.close(); }
    assert.equal(await runCli(['--store', storeDir, 'ab', 'stop', EXPERIMENT], io), 0, output);
    assert.equal(manager.connect(EXPERIMENT), undefined, 'the router process is gone');
    const after = new AbStore(join(storeDir, 'tracking.db'));
    try {
      const exp = after.experiment(EXPERIMENT)!;
      assert.equal(exp.status, 'stopped');
      assert.ok(exp.stoppedMs! >= exp.startedMs!);
    } finally { after.close(); }
  });

  it('with a JSON-field key and a default variant: routes by the field, sends keyless requests to the default (uncounted), 413 over the body limit', async () => {
    const second = await manager.start({
      experiment: `${EXPERIMENT}-json`,
      variants: [{ name: 'A', weight: 50, upstreams: [replicas[0].url] }, { name: 'B', weight: 50, upstreams: [replicas[2].url] }],
      userKey: { jsonField: 'text' }, missingKey: { policy: 'default', variant: 'B' }, maxBodyBytes: 256,
    });
    try {
      const assignedJson = await (await fetch(`${second.url}/admin/assign`, {
        method: 'POST', headers: { authorization: `Bearer ${readFileSync(second.paths.adminTokenFile, 'utf8').trim()}` },
        body: JSON.stringify({ userKeys: ['alice', 'bob', 'carol', 'dave'] }),
      })).json() as { variants: string[] };
      for (const [i, user] of ['alice', 'bob', 'carol', 'dave'].entries()) {
        const r = await echo(second.url, undefined, user);
        assert.equal(r.status, 200);
        assert.equal(r.variant, assignedJson.variants[i]);
      }
      // No `text`: the default variant B serves it (the echo service then rejects the missing field itself: 422).
      const keyless = await echo(second.url, undefined, '', {}, JSON.stringify({ times: 1 }));
      assert.equal(keyless.variant, 'B');
      assert.equal(keyless.status, 422, keyless.body);
      const big = await echo(second.url, undefined, 'x'.repeat(400));
      assert.equal(big.status, 413);
      assert.match(big.body, /over the router's limit of 256/);
      const notJson = await echo(second.url, undefined, '', {}, '{"text": ');
      assert.equal(notJson.status, 400);
      assert.match(notJson.body, /not JSON, so the user key \(field text\) cannot be read/);
      await second.flush();
      const store = new AbStore(join(storeDir, 'tracking.db'));
      try {
        assert.equal(store.traffic(`${EXPERIMENT}-json`, { phase: 'unassigned' }).find((t) => t.variant === 'B')?.requests, 1);
      } finally { store.close(); }
    } finally {
      await second.shutdown();
    }
  });
});
