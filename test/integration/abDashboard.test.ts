// The A/B dashboard in the real extension host: two real local echo services (deployed through
// the Deployments machinery: supervisor + Python runtime), "New A/B Experiment…" with a live plan
// preview, Start (a real detached router, dist/router.js, logging to the workspace's tracking.db),
// real HTTP traffic and POST /feedback through the router, then the dashboard's live state: counts
// per variant, KPI means with intervals, the Welch p-value and progress; Pause, Roll Back, Promote
// Winner (a real registry alias move and a real redeploy of the service that follows the alias)
// and Stop. Service a is deployed from models:/ab-echo@champion (v1), b from models:/ab-echo/2.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { cpSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AbDashboardPanel } from '../../src/features/abtest/abDashboardPanel';
import type { AbDraft, AbLiveMessage, AbPreviewMessage } from '../../src/protocol/abDashboard';
import type { DeployResult } from '../../src/platform/deploy/serviceManager.api';
import { RouterManager } from '../../src/platform/abtest/routerManager';
import { RegistryStore } from '../../src/platform/registry/registryStore';
import { activatedApi, workspaceRoot } from './helpers';

const SERVICES = ['ab-echo-a', 'ab-echo-b'] as const;
const EXPERIMENT = 'ab-dashboard-it';
const VERSIONS_EXPERIMENT = 'ab-versions-it';
/** The variant the third test deploys: ab-echo v3 from ab-echo-a's folder. */
const VERSION_VARIANT = 'ab-echo-a-v3';
const USERS = 120;
const MODEL = 'ab-echo';
/** TTestIndPower().solve_power(2.0, alpha=0.05, power=0.8) = 5.09: d = mde / sd = 1 / 0.5. */
const REQUIRED = 6;

function serviceDir(name: string): string {
  return join(workspaceRoot(), 'services', name);
}

async function waitUntil<T>(what: string, check: () => Promise<T | undefined> | T | undefined, timeoutMs: number): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() - started > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
}

describe('A/B dashboard: a real router in front of two real local services', function () {
  this.timeout(300_000);
  let panel: AbDashboardPanel | undefined;
  const routers = (): RouterManager => new RouterManager({ storeDir: join(workspaceRoot(), '.modelcloud') });

  before(async function () {
    this.timeout(240_000);
    await activatedApi();
    const registry = new RegistryStore(join(workspaceRoot(), '.modelcloud', 'tracking.db'));
    try {
      if (!registry.getModel(MODEL)) {
        for (const i of [1, 2]) registry.createVersion(MODEL, { runId: null, files: [{ path: 'model.txt', sha256: String(i).repeat(64), size: 1 }], flavor: 'file' });
      }
      registry.setAlias(MODEL, 1, 'champion');
    } finally {
      registry.close();
    }
    const models = { [SERVICES[0]]: `models:/${MODEL}@champion`, [SERVICES[1]]: `models:/${MODEL}/2` };
    for (const name of SERVICES) {
      const dir = serviceDir(name);
      rmSync(dir, { recursive: true, force: true });
      cpSync(join(workspaceRoot(), 'services', 'echo'), dir, { recursive: true });
      const manifest = join(dir, 'modelcloud.yaml');
      writeFileSync(manifest, `${readFileSync(manifest, 'utf8').replace(/^name: .*$/m, `name: ${name}`)}model: ${models[name]}\n`);
      const result = await vscode.commands.executeCommand<DeployResult | undefined>('modelcloud.deployService', vscode.Uri.file(join(dir, 'cloud_model.py')), { target: 'local' });
      assert.ok(result?.url, `deploying ${name} returned nothing: see the Modelcloud output`);
    }
  });

  after(async function () {
    this.timeout(60_000);
    panel?.dispose();
    for (const experiment of [EXPERIMENT, VERSIONS_EXPERIMENT]) {
      const client = routers().connect(experiment);
      if (client) await client.shutdown().catch(() => undefined);
    }
    for (const name of [...SERVICES, VERSION_VARIANT]) {
      await vscode.commands.executeCommand('modelcloud.service.stop', name).then(undefined, () => undefined);
      const supervisor = join(workspaceRoot(), '.modelcloud', 'services', name, 'supervisor.json');
      try { process.kill((JSON.parse(readFileSync(supervisor, 'utf8')) as { pid: number }).pid, 'SIGTERM'); } catch { /* gone */ }
      rmSync(serviceDir(name), { recursive: true, force: true });
    }
    rmSync(join(workspaceRoot(), '.modelcloud', 'ab-plans'), { recursive: true, force: true });
  });

  it('previews the sample size, starts the router, and shows counts, KPI intervals, the p-value and progress', async () => {
    panel = await vscode.commands.executeCommand<AbDashboardPanel | undefined>('modelcloud.abtest.create', SERVICES[0]);
    assert.ok(panel, 'New A/B Experiment returned no panel');
    await panel.sendState();
    const create = panel.posted.find((m) => m.type === 'create');
    assert.ok(create && create.type === 'create', 'the create form state is posted');
    for (const name of SERVICES) assert.ok(create.services.some((s) => s.name === name && s.url), `${name} is offered with its URL: ${JSON.stringify(create.services)}`);

    const draft: AbDraft = {
      ...create.draft, experiment: EXPERIMENT, title: 'echo a vs b',
      variants: SERVICES.map((service) => ({ service, weight: 50 })), control: 0,
      kpi: { name: 'revenue', type: 'mean' }, mde: 1, baseline: 0.5, alpha: 0.05, power: 0.8,
    };
    const [preview] = await panel.handleMessage({ type: 'draft', revision: 7, draft }) as AbPreviewMessage[];
    assert.equal(preview.type, 'preview');
    assert.equal(preview.revision, 7);
    assert.deepEqual(preview.preview.problems, []);
    assert.equal(preview.preview.requiredPerGroup, REQUIRED);

    await panel.handleMessage({ type: 'start', draft });
    const client = routers().connect(EXPERIMENT);
    assert.ok(client, `the router runs: ${JSON.stringify(panel.posted.filter((m) => m.type === 'error'))}`);
    assert.ok(existsSync(join(workspaceRoot(), '.modelcloud', 'ab-plans', `${EXPERIMENT}.json`)), 'the plan is kept beside the store');

    // Real traffic through the router; variant b earns more per user, so Welch's test sees it.
    const served = new Map<string, string>();
    for (let i = 0; i < USERS; i++) {
      const user = `user-${i}`;
      const res: Response = await fetch(`${client.url}/echo`, {
        method: 'POST', headers: { 'content-type': 'application/json', 'x-user-id': user }, body: JSON.stringify({ text: 'hi' }),
      });
      assert.equal(res.status, 200, await res.text());
      served.set(user, res.headers.get('x-modelcloud-variant') ?? '');
      await res.arrayBuffer().catch(() => undefined);
    }
    let k = 0;
    for (const [user, variant] of served) {
      const value = (variant === SERVICES[1] ? 2 : 1) + ((k++ % 5) - 2) * 0.3;
      await client.feedback(user, 'revenue', value);
    }
    await client.flush();

    const live = await waitUntil('the live state to show the traffic', async () => {
      await panel!.sendState();
      const s = panel!.lastLiveState;
      return s && s.variants.reduce((a, v) => a + v.users, 0) === USERS ? s : undefined;
    }, 20_000);
    const posted = panel.posted.filter((m): m is AbLiveMessage => m.type === 'live').at(-1)!;
    assert.equal(posted, live, 'the state shown is the one posted to the webview');
    assert.equal(live.status, 'running');
    assert.equal(live.routerUrl, client.url);
    assert.deepEqual(live.variants.map((v) => v.name), [...SERVICES]);
    const counts = new Map(live.variants.map((v) => [v.name, v]));
    for (const name of SERVICES) {
      const expected = [...served.values()].filter((v) => v === name).length;
      const row = counts.get(name)!;
      assert.equal(row.users, expected, `${name} users`);
      assert.equal(row.requests, expected, `${name} requests`);
      assert.equal(row.kpi.n, expected, `${name} KPI values`);
      assert.ok(row.kpi.ci && row.kpi.ci[0] < row.kpi.mean! && row.kpi.mean! < row.kpi.ci[1], `${name} has a CI around its mean`);
      assert.ok(row.latencyMeanMs! > 0);
      assert.equal(row.progress, Math.min(1, expected / REQUIRED));
    }
    const [comparison] = live.comparisons;
    assert.equal(comparison.variant, SERVICES[1]);
    assert.equal(comparison.test, 'welch');
    assert.ok(comparison.pValue !== null && comparison.pValue < 1e-6, `b earns 1 more per user: p = ${comparison.pValue}`);
    assert.ok(Math.abs(comparison.difference! - 1) < 0.2, `difference ≈ 1: ${comparison.difference}`);
    assert.equal(live.verdict.status, 'significant', live.verdict.message);
    assert.equal(live.verdict.winner, SERVICES[1]);
    assert.equal(counts.get(SERVICES[0])!.model, `models:/${MODEL}/1`, 'the control resolved the alias to v1 at deploy time');
  });

  it('Pause, Roll Back (the router keeps serving the control), Promote Winner (alias moved, service redeployed) and Stop', async () => {
    assert.ok(panel, 'needs the experiment above');
    const confirm = panel.deps.confirm;
    panel.deps.confirm = async () => true;
    try {
      await panel.handleMessage({ type: 'action', action: 'pause' });
      assert.equal(panel.lastLiveState?.status, 'paused', panel.lastLiveState?.notice ?? '');
      await panel.handleMessage({ type: 'action', action: 'rollback' });
      assert.equal(panel.lastLiveState?.status, 'stopped', panel.lastLiveState?.notice ?? '');
      assert.equal(panel.lastLiveState?.verdict.status, 'ended');
      const client = routers().connect(EXPERIMENT);
      assert.ok(client, 'after Roll Back the router still runs');
      const res = await fetch(`${client.url}/echo`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-user-id': 'user-1' }, body: '{"text":"x"}' });
      assert.equal(res.headers.get('x-modelcloud-variant'), SERVICES[0], 'every request goes to the control');
      assert.equal(panel.lastLiveState?.verdict.winner, SERVICES[1], 'the result at the horizon still names the winner');

      // Promote Winner: champion moves to v2 (Production) and ab-echo-a, deployed from @champion, is redeployed onto it.
      await panel.handleMessage({ type: 'action', action: 'promote' });
      const notice = panel.lastLiveState?.notice ?? '';
      assert.match(notice, new RegExp(`Promoted ${SERVICES[1]}: ${MODEL}@champion → v2 \\(Production\\); redeployed ${SERVICES[0]} r\\d+`), notice);
      const registry = new RegistryStore(join(workspaceRoot(), '.modelcloud', 'tracking.db'));
      try {
        const v2 = registry.getModel(MODEL)!.versions.find((v) => v.version === 2)!;
        assert.deepEqual(v2.aliases, ['champion']);
        assert.equal(v2.stage, 'Production');
      } finally {
        registry.close();
      }
      const control = (await panel.deps.sources.services()).find((x) => x.name === SERVICES[0]);
      assert.equal(control?.model, `models:/${MODEL}/2`, 'the control service was redeployed onto the winner');
      assert.equal(control?.state, 'healthy');

      await panel.handleMessage({ type: 'action', action: 'stop' });
      assert.equal(routers().connect(EXPERIMENT), undefined, 'Stop shut the router down');
      assert.match(panel.lastLiveState?.notice ?? '', /router shut down/);
    } finally {
      panel.deps.confirm = confirm;
    }
  });

  it('a registry version no service serves is offered as a variant, deployed from a service of its model on Start', async () => {
    const registry = new RegistryStore(join(workspaceRoot(), '.modelcloud', 'tracking.db'));
    try {
      registry.createVersion(MODEL, { runId: null, files: [{ path: 'model.txt', sha256: '3'.repeat(64), size: 1 }], flavor: 'file' });
    } finally {
      registry.close();
    }
    const versionsPanel = await vscode.commands.executeCommand<AbDashboardPanel | undefined>('modelcloud.abtest.create');
    assert.ok(versionsPanel);
    try {
      await versionsPanel.sendState();
      const create = versionsPanel.posted.find((m) => m.type === 'create');
      assert.ok(create && create.type === 'create');
      // After the promote above, a serves v2 (champion) and b serves /2: v1 and v3 are free.
      const option = create.services.find((o) => o.name === VERSION_VARIANT);
      assert.deepEqual(option?.deployFrom, { service: SERVICES[0], model: `models:/${MODEL}/3` }, JSON.stringify(create.services));
      assert.equal(option?.url, null);
      const draft: AbDraft = {
        ...create.draft, experiment: VERSIONS_EXPERIMENT, variants: [{ service: SERVICES[1], weight: 50 }, { service: VERSION_VARIANT, weight: 50 }], control: 0,
        kpi: { name: 'revenue', type: 'mean' }, mde: 1, baseline: 0.5,
      };
      const [preview] = await versionsPanel.handleMessage({ type: 'draft', revision: 1, draft }) as AbPreviewMessage[];
      assert.deepEqual(preview.preview.problems, [], 'a version to deploy is a valid variant');

      await versionsPanel.handleMessage({ type: 'start', draft });
      const client = routers().connect(VERSIONS_EXPERIMENT);
      assert.ok(client, `the router runs: ${JSON.stringify(versionsPanel.posted.filter((m) => m.type === 'error'))}`);
      const deployed = (await versionsPanel.deps.sources.services()).find((x) => x.name === VERSION_VARIANT);
      assert.equal(deployed?.state, 'healthy');
      assert.equal(deployed?.model, `models:/${MODEL}/3`);
      assert.equal(deployed?.deployFrom, undefined, 'now a deployed service');
      const seen = new Set<string>();
      for (let i = 0; i < 40; i++) {
        const res: Response = await fetch(`${client.url}/echo`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-user-id': `v-user-${i}` }, body: '{"text":"hi"}' });
        assert.equal(res.status, 200, await res.text());
        seen.add(res.headers.get('x-modelcloud-variant') ?? '');
      }
      assert.deepEqual([...seen].sort(), [SERVICES[1], VERSION_VARIANT].sort(), 'both variants serve traffic');
      await versionsPanel.deps.sources.routers.stop(VERSIONS_EXPERIMENT);
    } finally {
      versionsPanel.dispose();
    }
  });
});
