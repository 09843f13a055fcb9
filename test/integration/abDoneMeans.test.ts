// Issue #7's "done means" in the real extension host, with the sample's own model and service:
// two versions of the sample wine classifier (trained by the sample's train.py code, registered
// from their files), the sample's wine-service (media/sample/wine-service: setup() is
// `modelcloud.load_model()`) deployed from models:/ab-wine@champion = v1, a 50/50 experiment whose
// challenger is v2 (deployed by Start from the same folder), simulated traffic and feedback through
// the real router, the dashboard's counts, p-value and progress, the monitoring poller seeing both
// services' traffic, and Promote Winner moving the alias and redeploying the service onto v2.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AbDashboardPanel } from '../../src/features/abtest/abDashboardPanel';
import type { AbDraft } from '../../src/protocol/abDashboard';
import type { DeployResult } from '../../src/platform/deploy/serviceManager.api';
import type { ModelVersionDetail } from '../../src/platform/registry/registryStore';
import { RegistryStore } from '../../src/platform/registry/registryStore';
import { MetricsStore } from '../../src/platform/monitoring/metricsStore';
import { RouterManager } from '../../src/platform/abtest/routerManager';
import { COMMAND } from '../../src/features/commandIds';
import { activatedApi, EXTENSION_ID, workspaceRoot } from './helpers';

const MODEL = 'ab-wine';
const SERVICE = 'wine-ab';
const CHALLENGER = `${SERVICE}-v2`;
const EXPERIMENT = 'wine-v2-vs-v1-it';
const USERS = 200;
const WINE = { alcohol: 13.2, malic_acid: 1.78, ash: 2.14, alcalinity_of_ash: 11.2, magnesium: 100 };

describe('A/B done means (#7): the sample wine model, v1 vs v2, through the dashboard', function () {
  this.timeout(300_000);
  const repo = (): string => vscode.extensions.getExtension(EXTENSION_ID)!.extensionPath;
  const serviceDir = (): string => join(workspaceRoot(), SERVICE);
  const modelsDir = (): string => join(workspaceRoot(), 'ab-models');
  let panel: AbDashboardPanel | undefined;

  before(async function () {
    this.timeout(240_000);
    await activatedApi();
    const python = process.env.MODELCLOUD_PYTHON;
    assert.ok(python, 'MODELCLOUD_PYTHON is not set: the harness passes the venv python (with scikit-learn)');
    // The sample's data and model families: v1 = logistic regression, v2 = random forest.
    mkdirSync(modelsDir(), { recursive: true });
    const trained = spawnSync(python, ['-c', [
      'import pickle, sys',
      `sys.path.insert(0, ${JSON.stringify(join(repo(), 'media', 'sample'))})`,
      'import train',
      'from sklearn.ensemble import RandomForestClassifier',
      'from sklearn.linear_model import LogisticRegression',
      'from sklearn.pipeline import make_pipeline',
      'from sklearn.preprocessing import StandardScaler',
      'x_train, x_test, y_train, y_test = train.load_data()',
      'models = {"v1.pkl": make_pipeline(StandardScaler(), LogisticRegression(C=0.1, max_iter=1000)),',
      '          "v2.pkl": RandomForestClassifier(n_estimators=50, max_depth=4, random_state=train.SEED)}',
      'for name, model in models.items():',
      '    model.fit(x_train, y_train)',
      `    with open(${JSON.stringify(modelsDir())} + "/" + name, "wb") as f:`,
      '        pickle.dump(model, f)',
    ].join('\n')], { encoding: 'utf8', env: { ...process.env, PYTHONPATH: join(repo(), 'src', 'python'), PYTHONWARNINGS: 'ignore' }, timeout: 120_000 });
    assert.equal(trained.status, 0, `training failed: ${trained.stderr}`);
    for (const file of ['v1.pkl', 'v2.pkl']) {
      const version = await vscode.commands.executeCommand<ModelVersionDetail>(COMMAND.registerModelFile, vscode.Uri.file(join(modelsDir(), file)), MODEL);
      assert.equal(version?.flavor, 'pickle');
    }
    const registry = new RegistryStore(join(workspaceRoot(), '.modelcloud', 'tracking.db'));
    try {
      registry.setAlias(MODEL, 1, 'champion');
    } finally {
      registry.close();
    }
    rmSync(serviceDir(), { recursive: true, force: true });
    cpSync(join(repo(), 'media', 'sample', 'wine-service'), serviceDir(), { recursive: true });
    const manifest = join(serviceDir(), 'modelcloud.yaml');
    writeFileSync(manifest, readFileSync(manifest, 'utf8').replace(/^name: .*$/m, `name: ${SERVICE}`).replace(/^model: .*$/m, `model: models:/${MODEL}@champion`));
  });

  after(async function () {
    this.timeout(60_000);
    panel?.dispose();
    // A failed run must not leave its detached router behind.
    const router = new RouterManager({ storeDir: join(workspaceRoot(), '.modelcloud') }).connect(EXPERIMENT);
    if (router) await router.shutdown().catch(() => undefined);
    for (const name of [SERVICE, CHALLENGER]) {
      await vscode.commands.executeCommand('modelcloud.service.stop', name).then(undefined, () => undefined);
      const supervisor = join(workspaceRoot(), '.modelcloud', 'services', name, 'supervisor.json');
      try { process.kill((JSON.parse(readFileSync(supervisor, 'utf8')) as { pid: number }).pid, 'SIGTERM'); } catch { /* gone */ }
    }
    rmSync(serviceDir(), { recursive: true, force: true });
    rmSync(modelsDir(), { recursive: true, force: true });
  });

  it('deploys the sample service on v1, runs v1 vs v2 50/50, shows counts, p-value and progress, monitors both, and promotes v2', async () => {
    const api = await activatedApi();
    assert.ok(api.monitoring, 'the extension API has no monitoring');
    const deployed = await vscode.commands.executeCommand<DeployResult | undefined>('modelcloud.deployService',
      vscode.Uri.file(join(serviceDir(), 'cloud_model.py')), { target: 'local' });
    assert.ok(deployed?.url, 'Deploy Service returned no URL: see the Modelcloud output');
    const direct = await fetch(`${deployed.url}/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(WINE) });
    assert.equal(direct.status, 200, await direct.clone().text());
    assert.ok([0, 1, 2].includes(((await direct.json()) as { cultivar: number }).cultivar));

    // New A/B Experiment: the control is the deployed service, the challenger v2 (not served yet).
    panel = await vscode.commands.executeCommand<AbDashboardPanel | undefined>('modelcloud.abtest.create', SERVICE);
    assert.ok(panel);
    await panel.sendState();
    const create = panel.posted.find((m) => m.type === 'create');
    assert.ok(create && create.type === 'create');
    assert.deepEqual(create.services.find((s) => s.name === CHALLENGER)?.deployFrom, { service: SERVICE, model: `models:/${MODEL}/2` });
    const draft: AbDraft = {
      ...create.draft, experiment: EXPERIMENT, title: 'sample wine v2 vs v1',
      variants: [{ service: SERVICE, weight: 50 }, { service: CHALLENGER, weight: 50 }], control: 0,
      kpi: { name: 'revenue', type: 'mean' }, mde: 1, baseline: 0.5, alpha: 0.05, power: 0.8,
    };
    await panel.handleMessage({ type: 'start', draft });
    const client = panel.deps.sources.routers.connect(EXPERIMENT);
    assert.ok(client, `the router runs: ${JSON.stringify(panel.posted.filter((m) => m.type === 'error'))}`);

    // Simulated traffic and feedback: v2's users are worth one more per user.
    await api.monitoring.pollNow();
    const trafficStartMs = Date.now() - 1_000;
    const served = new Map<string, string>();
    for (let i = 0; i < USERS; i++) {
      const user = `wine-user-${i}`;
      const res: Response = await fetch(`${client.url}/predict`, {
        method: 'POST', headers: { 'content-type': 'application/json', 'x-user-id': user }, body: JSON.stringify(WINE),
      });
      assert.equal(res.status, 200, await res.text());
      served.set(user, res.headers.get('x-modelcloud-variant') ?? '');
      await res.arrayBuffer().catch(() => undefined);
    }
    let k = 0;
    for (const [user, variant] of served) await client.feedback(user, 'revenue', (variant === CHALLENGER ? 2 : 1) + ((k++ % 5) - 2) * 0.3);
    await client.flush();

    // The extension's own 5 s poll may have taken part of the traffic: count every sample stored since it started.
    const samples = await api.monitoring.pollNow();
    for (const name of [SERVICE, CHALLENGER]) {
      const sample = samples.find((s) => s.service === name);
      assert.ok(sample?.up, `monitoring sees ${name}: ${JSON.stringify(samples)}`);
    }
    const stored = new MetricsStore(join(workspaceRoot(), '.modelcloud', 'tracking.db'));
    try {
      const counted = [SERVICE, CHALLENGER].reduce((a, name) => a + stored.range(name, trafficStartMs).reduce((b, x) => b + x.requests, 0), 0);
      assert.ok(counted >= USERS, `monitoring counted ${counted} requests of the ${USERS} sent through the router`);
    } finally {
      stored.close();
    }

    let live = panel.lastLiveState;
    for (const deadline = Date.now() + 20_000; ;) {
      await panel.sendState();
      live = panel.lastLiveState;
      if (live && live.variants.reduce((a, v) => a + v.users, 0) === USERS) break;
      if (Date.now() > deadline) throw new Error(`the dashboard counted ${JSON.stringify(live?.variants.map((v) => [v.name, v.users]))} of ${USERS} users`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const rows = new Map(live.variants.map((v) => [v.name, v]));
    for (const name of [SERVICE, CHALLENGER]) {
      const expected = [...served.values()].filter((v) => v === name).length;
      assert.ok(expected > USERS / 4, `${name} got ${expected} of ${USERS} users (50/50)`);
      assert.equal(rows.get(name)!.users, expected);
      assert.equal(rows.get(name)!.progress, 1, `${name} reached the planned sample size`);
    }
    assert.equal(rows.get(SERVICE)!.model, `models:/${MODEL}/1`);
    assert.equal(rows.get(CHALLENGER)!.model, `models:/${MODEL}/2`);
    assert.ok(live.comparisons[0].pValue !== null && live.comparisons[0].pValue < 1e-6, `p = ${live.comparisons[0].pValue}`);
    assert.equal(live.verdict.winner, CHALLENGER, live.verdict.message);

    // Promote Winner: champion → v2 (Production), and the service that follows it is redeployed onto v2.
    const confirm = panel.deps.confirm;
    panel.deps.confirm = async () => true;
    try {
      await panel.handleMessage({ type: 'action', action: 'promote' });
    } finally {
      panel.deps.confirm = confirm;
    }
    assert.match(panel.lastLiveState?.notice ?? '', new RegExp(`${MODEL}@champion → v2 \\(Production\\); redeployed ${SERVICE} r2`), panel.lastLiveState?.notice ?? '');
    const registry = new RegistryStore(join(workspaceRoot(), '.modelcloud', 'tracking.db'));
    try {
      const v2 = registry.getModel(MODEL)!.versions.find((v) => v.version === 2)!;
      assert.deepEqual([v2.stage, v2.aliases], ['Production', ['champion']]);
    } finally {
      registry.close();
    }
    const manager = panel.deps.sources.manager!;
    const active = (await manager.revisions(SERVICE)).find((r) => r.status === 'active')!;
    assert.equal(active.revision, 2);
    assert.equal((active.config.spec as { env: Record<string, string> }).env.MODELCLOUD_MODEL_URI, `models:/${MODEL}/2`, 'the redeployed service loads v2');
    const after = await fetch(`${deployed.url}/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(WINE) });
    assert.equal(after.status, 200, await after.text());
  });
});
