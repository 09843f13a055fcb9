// The A/B dashboard in a real workbench, with data. Before code-server starts: two stand-in
// upstreams (tiny loopback HTTP servers in this process, standing in for two deployed model
// versions so the test does not need Python services) behind a REAL router started with
// `modelcloud ab start` (dist/router.js, logging to the fixture's tracking.db), real HTTP traffic
// from 900 users and POST /feedback conversions (10 % vs 15 %), and the dashboard's plan file. In
// the workbench: the A/B Experiments view lists the experiment, "Modelcloud: A/B Experiments"
// opens it, the live view shows counts, rates with intervals, the z-test p-value and progress;
// screenshots in dark and light. The router is stopped at the end.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import * as http from 'node:http';
import { join } from 'node:path';
import { DARK_THEME, LIGHT_THEME } from '../harness/codeServer.mjs';
import { exactly, runCommand, settle, showModelcloudContainer, skip, switchTheme } from './support/workbench.mjs';

const EXPERIMENT = 'wine-v2-vs-v1';
const VARIANTS = ['wine-v1', 'wine-v2'];
const USERS = 900;
const WAIT_MS = 45_000;

/** A stand-in model service: answers POST /predict after ~latencyMs. */
function standIn(latencyMs) {
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => setTimeout(() => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"quality": 6}');
    }, latencyMs));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, url: `http://127.0.0.1:${server.address().port}` })));
}

/** @param {import('../harness/suites/e2e.mjs').E2eContext} t */
export async function run(t) {
  const workspace = t.fixtureWorkspace();
  const cli = (...args) => execFileSync(process.execPath, [join(t.repo, 'dist', 'cli.js'), ...args], { cwd: workspace, stdio: 'pipe', timeout: 60_000 }).toString();
  const upstreams = [await standIn(2), await standIn(4)];
  mkdirSync(join(workspace, '.modelcloud', 'ab-plans'), { recursive: true });
  const configFile = join(workspace, '.modelcloud', 'ab-e2e-router.json');
  writeFileSync(configFile, JSON.stringify({
    experiment: EXPERIMENT, title: 'Wine classifier v2 vs v1',
    variants: VARIANTS.map((name, i) => ({ name, weight: 50, upstreams: [upstreams[i].url] })),
    control: VARIANTS[0], userKey: { header: 'x-user-id' }, idempotent: ['predict'],
  }));
  const started = JSON.parse(cli('ab', 'start', '--config', configFile, '--json'));
  try {
    // The plan the dashboard writes on Start (src/platform/abtest/abPlanFile.ts): 3,835 per variant
    // to see +2 points on a 10 % rate at alpha 0.05, power 0.8.
    writeFileSync(join(workspace, '.modelcloud', 'ab-plans', `${EXPERIMENT}.json`), JSON.stringify({
      experiment: EXPERIMENT, title: 'Wine classifier v2 vs v1', kpi: { name: 'converted', type: 'proportion' },
      mde: 0.02, baseline: 0.1, alpha: 0.05, power: 0.8, requiredPerGroup: 3835, alias: 'champion', control: VARIANTS[0],
      variants: VARIANTS.map((name, i) => ({ name, service: name, weight: 50, url: upstreams[i].url, model: `models:/wine-classifier/${i + 1}`, modelRef: null })),
      createdMs: Date.now(),
    }));
    await sendTraffic(started.url);

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
    if (!opened) return skip(t, 3, 'the dashboard did not open');

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
  } finally {
    try { cli('ab', 'stop', EXPERIMENT); } catch { /* already stopped */ }
    for (const u of upstreams) u.server.close();
  }
}

/** 900 users through the router, then a conversion (0/1) per user: 10 % for v1, 15 % for v2. */
async function sendTraffic(routerUrl) {
  const served = new Map();
  for (let i = 0; i < USERS; i += 30) {
    await Promise.all(Array.from({ length: 30 }, async (_, j) => {
      const user = `user-${i + j}`;
      for (let r = 0; r < 1 + ((i + j) % 3); r++) {
        const res = await fetch(`${routerUrl}/predict`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-user-id': user }, body: '{"alcohol": 9.8}' });
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
