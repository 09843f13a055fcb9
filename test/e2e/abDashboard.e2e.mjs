// The A/B dashboard in a real workbench, with data. Before code-server starts: two real model
// services (the workspace's echo service run by the modelcloud Python runtime, one per variant,
// on loopback) behind a REAL router started with
// `modelcloud ab start` (dist/router.js, logging to the fixture's tracking.db), real HTTP traffic
// from 900 users and POST /feedback conversions (10 % vs 15 %), and the dashboard's plan file. In
// the workbench: the A/B Experiments view lists the experiment, "Modelcloud: A/B Experiments"
// opens it, the live view shows counts, rates with intervals, the z-test p-value and progress;
// screenshots in dark and light. The New A/B Experiment form offers, beside the deployed
// churn-echo service (serving models:/churn@champion = v2), the registry version no service serves
// (models:/churn/1 → deploy as churn-echo-v1 on Start). The router and the service are stopped at the end.
import { execFileSync, spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DARK_THEME, LIGHT_THEME } from '../harness/codeServer.mjs';
import { exactly, runCommand, settle, showModelcloudContainer, skip, stopSupervisors, switchTheme } from './support/workbench.mjs';

const EXPERIMENT = 'wine-v2-vs-v1';
const VARIANTS = ['wine-v1', 'wine-v2'];
const USERS = 900;
const WAIT_MS = 45_000;

const PYTHON = process.env.MODELCLOUD_PYTHON ?? 'python3';

/** A copy of the workspace's echo service in `root/name`, run by the modelcloud runtime (1 worker) on a free port. */
async function echoService(t, workspace, root, name) {
  const dir = join(root, name);
  cpSync(join(workspace, 'services', 'echo'), dir, { recursive: true });
  const port = await new Promise((resolve, reject) => {
    const s = net.createServer().once('error', reject).listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => resolve(p)); });
  });
  const child = spawn(PYTHON, ['cloud_model.py'], {
    cwd: dir, detached: true, stdio: 'ignore',
    env: {
      ...process.env, PYTHONPATH: join(t.repo, 'src', 'python'), MODELCLOUD_PORT: String(port), MODELCLOUD_RUNENV: 'prod',
      MODELCLOUD_WORKERS: '1', MODELCLOUD_SERVICE: name, MODELCLOUD_STATE_DIR: join(dir, 'state'),
    },
  });
  const url = `http://127.0.0.1:${port}`;
  const stop = () => { try { process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ } };
  const deadline = Date.now() + 30_000;
  for (;;) {
    try { if ((await fetch(`${url}/readyz`)).ok) return { url, stop }; } catch { /* not yet */ }
    if (Date.now() > deadline) { stop(); throw new Error(`${name} (echo service) did not become ready at ${url}`); }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** @param {import('../harness/suites/e2e.mjs').E2eContext} t */
export async function run(t) {
  const workspace = t.fixtureWorkspace();
  const cli = (...args) => execFileSync(process.execPath, [join(t.repo, 'dist', 'cli.js'), ...args], { cwd: workspace, stdio: 'pipe', timeout: 60_000 }).toString();
  const servicesRoot = mkdtempSync(join(tmpdir(), 'mc-e2e-ab-'));
  const upstreams = [];
  try {
    for (const name of VARIANTS) upstreams.push(await echoService(t, workspace, servicesRoot, name));
  } catch (error) {
    for (const u of upstreams) u.stop();
    throw error;
  }
  mkdirSync(join(workspace, '.modelcloud', 'ab-plans'), { recursive: true });
  const configFile = join(workspace, '.modelcloud', 'ab-e2e-router.json');
  writeFileSync(configFile, JSON.stringify({
    experiment: EXPERIMENT, title: 'Wine classifier v2 vs v1',
    variants: VARIANTS.map((name, i) => ({ name, weight: 50, upstreams: [upstreams[i].url] })),
    control: VARIANTS[0], userKey: { header: 'x-user-id' }, idempotent: ['echo'],
  }));
  let started;
  try {
    started = JSON.parse(cli('ab', 'start', '--config', configFile, '--json'));
    // The plan the dashboard writes on Start (src/platform/abtest/abPlanFile.ts): 3,835 per variant
    // to see +2 points on a 10 % rate at alpha 0.05, power 0.8.
    writeFileSync(join(workspace, '.modelcloud', 'ab-plans', `${EXPERIMENT}.json`), JSON.stringify({
      experiment: EXPERIMENT, title: 'Wine classifier v2 vs v1', kpi: { name: 'converted', type: 'proportion' },
      mde: 0.02, baseline: 0.1, alpha: 0.05, power: 0.8, requiredPerGroup: 3835, alias: 'champion', control: VARIANTS[0],
      variants: VARIANTS.map((name, i) => ({ name, service: name, weight: 50, url: upstreams[i].url, model: `models:/wine-classifier/${i + 1}`, modelRef: null })),
      createdMs: Date.now(),
    }));
    await sendTraffic(started.url);
    // A service deployed from the registry, so the create form can offer its model's other version.
    cli('ingest', workspace); // the fixture's MLflow registry (churn v1, v2 @champion) into the store
    cli('deploy', join(workspace, 'services', 'echo'), '--target', 'local', '--model', 'models:/churn@champion', '--name', 'churn-echo');

    const server = await t.codeServer({ theme: DARK_THEME });
    const { page } = await t.browser();
    await t.openWorkbench(page, server.url, { folder: workspace, extensionDevelopmentPath: t.repo });

    await t.check(`the A/B Experiments view lists ${EXPERIMENT} as running`, async () => {
      await showModelcloudContainer(page);
      const header = page.locator('.part.sidebar .pane-header', { hasText: /^A\/B Experiments/i }).first();
      await header.waitFor({ timeout: WAIT_MS });
      if ((await header.getAttribute('aria-expanded')) !== 'true') await header.click();
      const row = page.locator('.part.sidebar .monaco-list-row', { has: page.locator('.label-name', { hasText: exactly(EXPERIMENT) }) }).first();
      await row.locator('.label-description', { hasText: /^running/ }).waitFor({ timeout: WAIT_MS });
    });

    const frame = page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
    const opened = await t.check('"Modelcloud: A/B Experiments" opens the live dashboard with counts, rates, the p-value and progress', async () => {
      await runCommand(page, 'Modelcloud: A/B Experiments');
      await page.locator('.quick-input-list .monaco-list-row', { has: page.locator('.label-name', { hasText: exactly(EXPERIMENT) }) }).first().click({ timeout: WAIT_MS });
      await frame.locator('[data-section="variants"] tbody tr').nth(1).waitFor({ timeout: WAIT_MS });
      await frame.locator('[data-section="verdict"]', { hasText: /collecting — \d+ of 3835 per variant/ }).waitFor({ timeout: WAIT_MS });
      const users = await frame.locator('[data-section="variants"] tbody tr td:nth-child(3)').allTextContents();
      const total = users.reduce((a, u) => a + Number(u.replace(/,/g, '')), 0);
      if (total !== USERS) throw new Error(`users per variant ${users.join(' + ')} = ${total}, expected ${USERS}`);
      const p = await frame.locator('[data-section="comparisons"] .ab-p').getAttribute('data-p', { timeout: 5000 });
      if (!(Number(p) > 0 && Number(p) < 1)) throw new Error(`p-value ${p}`);
      await frame.locator('.ab-status', { hasText: 'running' }).waitFor({ timeout: 5000 });
    });
    if (!opened) return skip(t, 4, 'the dashboard did not open');

    await t.check('A/B dashboard dark screenshot (ab-dashboard-dark.png)', async () => {
      await settle(page);
      await page.screenshot({ path: join(t.screenshots, 'ab-dashboard-dark.png') });
    });
    await t.check('A/B dashboard light screenshot (ab-dashboard-light.png)', async () => {
      await switchTheme(page, server, { theme: LIGHT_THEME });
      await frame.locator('[data-section="variants"] tbody tr').nth(1).waitFor({ timeout: WAIT_MS });
      await settle(page);
      await page.screenshot({ path: join(t.screenshots, 'ab-dashboard-light.png') });
    });
    await t.check('"New A/B Experiment…" shows the form with the live plan: 3,835 per variant for +2 points on 10 % (ab-create-light.png)', async () => {
      await runCommand(page, 'Modelcloud: New A/B Experiment…');
      await frame.locator('[data-figure="required"]', { hasText: '3,835' }).waitFor({ timeout: WAIT_MS });
      await frame.locator('.ab-problems', { hasText: /deployed service/ }).first().waitFor({ timeout: 5000 });
      await settle(page);
      await page.screenshot({ path: join(t.screenshots, 'ab-create-light.png') });
    });

    await t.check('the form offers models:/churn/1, which no service serves, as a new service deployed on Start (ab-create-version-light.png)', async () => {
      await frame.locator('select[aria-label="Variant 1 service"]').selectOption('churn-echo');
      const second = frame.locator('select[aria-label="Variant 2 service"]');
      await second.selectOption('churn-echo-v1');
      const label = (await second.locator('option:checked').innerText()).trim();
      if (label !== 'models:/churn/1 → deploy as churn-echo-v1 on Start') throw new Error(`the option reads ${JSON.stringify(label)}`);
      await frame.locator('.ab-problems').waitFor({ state: 'detached', timeout: WAIT_MS });
      await settle(page);
      await page.screenshot({ path: join(t.screenshots, 'ab-create-version-light.png') });
    });
  } finally {
    try { cli('ab', 'stop', EXPERIMENT); } catch { /* already stopped */ }
    stopSupervisors(join(workspace, '.modelcloud', 'services'));
    for (const u of upstreams) u.stop();
    rmSync(servicesRoot, { recursive: true, force: true });
  }
}

/** 900 users through the router, then a conversion (0/1) per user: 10 % for v1, 15 % for v2. */
async function sendTraffic(routerUrl) {
  const served = new Map();
  for (let i = 0; i < USERS; i += 30) {
    await Promise.all(Array.from({ length: 30 }, async (_, j) => {
      const user = `user-${i + j}`;
      for (let r = 0; r < 1 + ((i + j) % 3); r++) {
        const res = await fetch(`${routerUrl}/echo`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-user-id': user }, body: '{"text": "hello"}' });
        if (res.status !== 200) throw new Error(`router answered ${res.status}: ${await res.text()}`);
        served.set(user, res.headers.get('x-modelcloud-variant'));
        await res.arrayBuffer();
      }
    }));
  }
  const seen = new Map();
  for (const [user, variant] of served) {
    const rate = variant === VARIANTS[1] ? 0.15 : 0.10;
    // Deterministic: exactly `rate` of each variant's users convert (spread evenly).
    const k = seen.get(variant) ?? 0;
    seen.set(variant, k + 1);
    const value = Math.floor((k + 1) * rate) > Math.floor(k * rate) ? 1 : 0;
    const res = await fetch(`${routerUrl}/feedback`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user_id: user, metric: 'converted', value }) });
    if (res.status !== 202) throw new Error(`feedback answered ${res.status}: ${await res.text()}`);
  }
  // The router batches store writes every 100 ms.
  await new Promise((resolve) => setTimeout(resolve, 500));
}
