// The Monitoring dashboard in a real workbench with live data: a REAL model service
// (test/system/fixtures/monitoring, the modelcloud runtime, two workers) is deployed with the CLI
// into the workspace's store, and this process keeps it under load — a slow-ish mix of requests, a
// burst of failures and a hot update to a new model version — while the extension's poller scrapes
// it every second. "Modelcloud: Open Monitoring" shows throughput, p50/p95/p99, error rate and the
// version change; the error-rate alert notification offers Roll Back. Closing and reopening the
// dashboard shows the history again from the store. Screenshots (dark, light) go to
// test-results/screenshots/monitoring-*.png. The service is stopped at the end, whatever happened.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { DARK_THEME, LIGHT_THEME } from '../harness/codeServer.mjs';
import { runCommand, settle, skip, stopSupervisors, switchTheme } from './support/workbench.mjs';

const SERVICE = 'monitored';
const WAIT_MS = 45_000;
const TALL = { width: 1400, height: 1180 };
const PYTHON = process.env.MODELCLOUD_PYTHON ?? 'python3';

/** @param {import('../harness/suites/e2e.mjs').E2eContext} t */
export async function run(t) {
  const workspace = t.fixtureWorkspace();
  const storeDir = join(workspace, '.modelcloud');
  // Scrape every second; an alert after 4 s of errors above 5 %, so the run stays short.
  mkdirSync(join(workspace, '.vscode'), { recursive: true });
  writeFileSync(join(workspace, '.vscode', 'settings.json'), JSON.stringify({
    'modelcloud.monitoring.intervalSeconds': 1,
    'modelcloud.monitoring.alerts': [{ metric: 'errorRate', above: 5, forSeconds: 4 }, { metric: 'p99', above: 2000, forSeconds: 30 }],
  }, null, 2));
  let traffic;
  try {
    let url = '';
    const deployed = await t.check('the fixture service deploys with the CLI (local process, 2 workers)', async () => {
      const src = join(dirname(workspace), 'monitored-svc');
      cpSync(join(t.repo, 'test', 'system', 'fixtures', 'monitoring'), src, { recursive: true });
      const r = spawnSync(process.execPath, [join(t.repo, 'dist', 'cli.js'), '--store', storeDir, 'deploy', src, '--target', 'local'], {
        encoding: 'utf8', env: { ...process.env, MODELCLOUD_PYTHON: PYTHON }, timeout: 90_000,
      });
      const m = /deployed monitored revision \d+ at (http:\/\/127\.0\.0\.1:\d+)/.exec(r.stdout ?? '');
      if (r.status !== 0 || !m) throw new Error(`deploy failed (exit ${r.status}):\n${r.stdout}\n${r.stderr}`);
      url = m[1];
    });
    if (!deployed) return skip(t, 5, 'the service did not deploy');
    traffic = startTraffic(url, storeDir);

    const server = await t.codeServer({ theme: DARK_THEME });
    const { page } = await t.browser();
    await t.openWorkbench(page, server.url, { folder: workspace, extensionDevelopmentPath: t.repo });
    await page.locator('.activitybar a.action-label[aria-label^="Modelcloud"]').waitFor({ timeout: WAIT_MS });
    const frame = page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');

    const opened = await t.check('"Modelcloud: Open Monitoring" shows the service with live points', async () => {
      await runCommand(page, 'Modelcloud: Open Monitoring');
      await frame.locator('h1', { hasText: SERVICE }).waitFor({ timeout: WAIT_MS });
      await waitForPoints(frame, 5);
      const rps = await frame.locator('.tile', { hasText: 'Throughput' }).locator('.tile-value').innerText();
      if (!/^\d+(\.\d)? req\/s$/.test(rps) || Number.parseFloat(rps) <= 0) throw new Error(`throughput tile shows ${rps}`);
    });
    if (!opened) return skip(t, 4, 'the dashboard did not open');

    await t.check('the error burst raises one notification "monitored: error rate …" with Roll Back and Open Monitoring', async () => {
      await new Promise((r) => setTimeout(r, 6000));
      traffic.control.failing = true;
      try {
        await frame.locator('.banner.warn', { hasText: 'error rate' }).waitFor({ timeout: 90_000 });
        await new Promise((r) => setTimeout(r, 3000));
      } finally {
        traffic.control.failing = false;
      }
      // The toast may already have timed out (warnings hide after a while): the notification
      // center keeps every notification with its actions.
      await runCommand(page, 'Notifications: Show Notifications');
      const item = page.locator('.notifications-center .notification-list-item', { hasText: /monitored: error rate \d+(\.\d)?% > 5% for \d+ s/ });
      await item.first().waitFor({ timeout: WAIT_MS }).catch(async (error) => {
        await page.screenshot({ path: join(t.screenshots, 'monitoring-failure.png') }).catch(() => {});
        throw error;
      });
      const count = await item.count();
      if (count !== 1) throw new Error(`${count} notifications for one incident`);
      for (const action of ['Roll Back', 'Open Monitoring']) await item.locator('.monaco-button', { hasText: action }).first().waitFor({ timeout: 5000 });
      await page.screenshot({ path: join(t.screenshots, 'monitoring-alert.png') });
      await page.keyboard.press('Escape');
    });

    await t.check('the hot update shows as a model version change; dark screenshot (monitoring-dark.png)', async () => {
      await new Promise((r) => setTimeout(r, 5000));
      await traffic.hotUpdate();
      await frame.locator('body[data-versions*="models:/monitored/2"]').waitFor({ timeout: 90_000 });
      await new Promise((r) => setTimeout(r, 8000));
      await waitForPoints(frame, 30);
      await page.setViewportSize(TALL);
      await hideSidebar(page);
      await settle(page);
      await page.screenshot({ path: join(t.screenshots, 'monitoring-dark.png') });
    });

    await t.check('closed and reopened, the dashboard shows the history from the store at once', async () => {
      const before = Number(await frame.locator('body').getAttribute('data-points'));
      await runCommand(page, 'View: Close All Editors');
      await frame.locator('body').waitFor({ state: 'detached', timeout: WAIT_MS }).catch(() => {});
      await runCommand(page, 'Modelcloud: Open Monitoring');
      await frame.locator('h1', { hasText: SERVICE }).waitFor({ timeout: WAIT_MS });
      const after = Number(await frame.locator('body').getAttribute('data-points'));
      if (!(after >= before)) throw new Error(`reopened with ${after} points, had ${before}`);
    });

    await t.check('light theme screenshot (monitoring-light.png)', async () => {
      await switchTheme(page, server, { theme: LIGHT_THEME });
      await waitForPoints(frame, 30);
      await settle(page);
      await page.screenshot({ path: join(t.screenshots, 'monitoring-light.png') });
    });
  } finally {
    await traffic?.stop();
    stopSupervisors(join(storeDir, 'services'));
  }
}

async function waitForPoints(frame, n) {
  const deadline = Date.now() + 90_000;
  for (;;) {
    const v = Number(await frame.locator('body').getAttribute('data-points', { timeout: WAIT_MS }).catch(() => '0'));
    if (v >= n) return v;
    if (Date.now() > deadline) throw new Error(`the dashboard shows ${v} points, waited for ${n}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

async function hideSidebar(page) {
  if (await page.locator('.part.sidebar').isVisible()) await runCommand(page, 'View: Toggle Primary Side Bar Visibility');
}

/**
 * Three clients in a loop with latencies of 5-60 ms (a few slower ones); while `failing` is set a
 * third of the requests fail (500). hotUpdate() moves the service to models:/monitored/2.
 */
function startTraffic(url, storeDir) {
  let running = true;
  const control = { failing: false };
  const clients = Array.from({ length: 3 }, async (_, c) => {
    let i = 0;
    while (running) {
      const body = { x: i, sleep_ms: 5 + ((i * 7 + c * 13) % 40) + (i % 25 === 0 ? 50 : 0), fail: control.failing && i % 3 === 0 ? 1 : 0 };
      i++;
      try {
        const res = await fetch(`${url}/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
        await res.arrayBuffer();
      } catch { await new Promise((r) => setTimeout(r, 200)); }
      await new Promise((r) => setTimeout(r, 15));
    }
  });
  return {
    control,
    async hotUpdate() {
      const token = readFileSync(join(storeDir, 'services', SERVICE, 'admin.token'), 'utf8').trim();
      const res = await fetch(`${url}/admin/model`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ version: 'models:/monitored/2' }) });
      if (res.status !== 202) throw new Error(`hot update answered ${res.status}: ${await res.text()}`);
    },
    stop: async () => { running = false; await Promise.all(clients); },
  };
}

