// Model services in a real workbench, driven as a user would: "Modelcloud: Deploy Service…" from
// the Command Palette (target quick pick → blank port = a free one) deploys the fixture service
// (test/fixtures/workspace/services/echo) twice as a local process; the Deployments view shows it
// healthy with its URL and, expanded, its two revisions (the newest active); the status bar counts
// it. Screenshots of the view (dark and light) and of the running service's /redoc page land in
// test-results/screenshots/. The service's supervisor is stopped at the end, whatever happened.
import { join } from 'node:path';
import { DARK_THEME, LIGHT_THEME } from '../harness/codeServer.mjs';
import { expandTreeRow, runCommand, settle, showModelcloudContainer, skip, stopSupervisors, switchTheme, widenSidebar } from './support/workbench.mjs';

const SERVICE = 'echo';
const WAIT_MS = 45_000;
const DEPLOY_WAIT_MS = 120_000;
const SIDEBAR_ROW = '.part.sidebar .monaco-list-row';

/** @param {import('../harness/suites/e2e.mjs').E2eContext} t */
export async function run(t) {
  const workspace = t.fixtureWorkspace();
  const servicesDir = join(workspace, '.modelcloud', 'services');
  const server = await t.codeServer({ theme: DARK_THEME });
  const { page } = await t.browser();
  try {
    await t.openWorkbench(page, server.url, { folder: workspace, extensionDevelopmentPath: t.repo });
    await page.locator('.activitybar a.action-label[aria-label^="Modelcloud"]').waitFor({ timeout: WAIT_MS });
    await scenario(t, page, server);
  } finally {
    stopSupervisors(servicesDir);
  }
}

async function scenario(t, page, server) {
  const deployed = await t.check('"Modelcloud: Deploy Service…" (Local process, blank port) deploys the fixture service twice', async () => {
    try {
      // The welcome text shows once the extension's contributions are in: only then is the command in the palette.
      await showDeploymentsView(page);
      await page.locator('.part.sidebar .welcome-view-content', { hasText: /No services deployed yet/ }).waitFor({ timeout: WAIT_MS });
      await deployFromPalette(page, () => page.locator('.statusbar-item', { hasText: /1 healthy/ }).waitFor({ timeout: DEPLOY_WAIT_MS }));
      await showDeploymentsView(page);
      await serviceRow(page).waitFor({ timeout: WAIT_MS });
      await deployFromPalette(page, () => waitForDescription(serviceRow(page), /^healthy · r2 · (http:\/\/127\.0\.0\.1:\d+)/, DEPLOY_WAIT_MS));
    } catch (error) {
      // What the workbench showed (a prompt still open, an error notification) explains the failure.
      await page.screenshot({ path: join(t.screenshots, 'deployments-failure.png') }).catch(() => {});
      throw error;
    }
  });
  if (!deployed) return skip(t, 5, 'the deploy from the Command Palette did not finish');

  let url = '';
  const shown = await t.check('the Deployments view shows the service healthy with its URL and revision r2', async () => {
    await showDeploymentsView(page);
    const row = serviceRow(page);
    await row.waitFor({ timeout: WAIT_MS });
    url = await waitForDescription(row, /^healthy · r2 · (http:\/\/127\.0\.0\.1:\d+)/);
  });
  if (!shown) return skip(t, 4, 'the Deployments view did not show the service');

  await t.check('expanding the service lists r2 (active) above r1 (previous), and the status bar counts it', async () => {
    await expandService(page);
    await waitForRevisions(page);
    const item = page.locator('.statusbar-item', { hasText: /1 healthy/ });
    await item.waitFor({ timeout: WAIT_MS });
  });

  await t.check('dark theme screenshot saved (deployments-dark.png)', async () => {
    await widenSidebar(page, 720);
    await settle(page);
    await page.screenshot({ path: join(t.screenshots, 'deployments-dark.png') });
  });

  await t.check('light theme applies and its screenshot is saved (deployments-light.png)', async () => {
    await switchTheme(page, server, { theme: LIGHT_THEME });
    await showDeploymentsView(page);
    await serviceRow(page).waitFor({ timeout: WAIT_MS });
    await expandService(page);
    await waitForRevisions(page);
    await widenSidebar(page, 720);
    await settle(page);
    await page.screenshot({ path: join(t.screenshots, 'deployments-light.png') });
  });

  await t.check('the running service serves its API docs at /redoc offline (deployments-redoc.png)', async () => {
    const docs = await page.context().newPage();
    try {
      const response = await docs.goto(`${url}/redoc`, { waitUntil: 'load', timeout: WAIT_MS });
      if (!response || response.status() !== 200) throw new Error(`${url}/redoc answered ${response?.status()}`);
      // The page renders the operation of the service's one command, "echo", from /openapi.json.
      await docs.locator('text=/Repeats the text/ >> visible=true').first().waitFor({ timeout: WAIT_MS });
      await docs.waitForTimeout(500);
      await docs.screenshot({ path: join(t.screenshots, 'deployments-redoc.png') });
    } finally {
      await docs.close();
    }
  });
}

/** Palette → Deploy Service… → Local process → blank port; waits until `done()` resolves (or a failure shows). */
async function deployFromPalette(page, done) {
  await runCommand(page, 'Modelcloud: Deploy Service…');
  // The fixture has one service folder, so the folder question is skipped: next is the target.
  await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Local process' }).first().click({ timeout: WAIT_MS });
  await page.locator('.quick-input-widget', { hasText: /free port/ }).waitFor({ timeout: WAIT_MS });
  await page.keyboard.press('Enter');
  const failed = page.locator('.notification-toast', { hasText: /failed/ });
  const outcome = await Promise.race([
    done().then(() => 'done'),
    failed.waitFor({ timeout: DEPLOY_WAIT_MS }).then(() => 'failed'),
  ]);
  if (outcome === 'failed') throw new Error(`the deploy failed: ${await failed.first().innerText()}`);
}

/** Opens the Modelcloud container and gives the Deployments view the room: the other two views collapsed. */
async function showDeploymentsView(page) {
  await showModelcloudContainer(page);
  for (const name of ['Experiments', 'Models']) {
    const header = page.locator('.part.sidebar .pane-header', { hasText: new RegExp(`^\\s*${name}`, 'i') }).first();
    if ((await header.getAttribute('aria-expanded')) === 'true') await header.click();
  }
  const deployments = page.locator('.part.sidebar .pane-header', { hasText: /Deployments/i }).first();
  await deployments.waitFor({ timeout: WAIT_MS });
  if ((await deployments.getAttribute('aria-expanded')) !== 'true') await deployments.click();
}

function serviceRow(page) {
  return page.locator(SIDEBAR_ROW, { has: page.locator('.label-name', { hasText: new RegExp(`^\\s*${SERVICE}\\s*$`) }) }).first();
}

/** Expands with the twistie, which leaves the row unselected, so the screenshot shows the state icon's colour. */
async function expandService(page) {
  await expandTreeRow(page, serviceRow(page), SERVICE, { target: (row) => row.locator('.monaco-tl-twistie') });
}

/** Polls the row's description until it matches; returns the first capture group (the URL). */
async function waitForDescription(row, pattern, timeoutMs = WAIT_MS) {
  const deadline = Date.now() + timeoutMs;
  let text = '';
  while (Date.now() < deadline) {
    text = (await row.locator('.label-description').innerText().catch(() => '')).trim();
    const match = pattern.exec(text);
    if (match) return match[1];
    await row.page().waitForTimeout(300);
  }
  throw new Error(`the service row's description stayed ${JSON.stringify(text)}, expected ${pattern}`);
}

async function waitForRevisions(page) {
  const r2 = page.locator(SIDEBAR_ROW, { has: page.locator('.label-name', { hasText: /^\s*r2\s*$/ }) }).first();
  const r1 = page.locator(SIDEBAR_ROW, { has: page.locator('.label-name', { hasText: /^\s*r1\s*$/ }) }).first();
  await r2.waitFor({ timeout: WAIT_MS });
  await r1.waitFor({ timeout: WAIT_MS });
  const d2 = await r2.locator('.label-description').innerText();
  const d1 = await r1.locator('.label-description').innerText();
  if (!/^active · local · [0-9a-f]{12}/.test(d2)) throw new Error(`r2 should be active: ${JSON.stringify(d2)}`);
  if (!/^previous · local/.test(d1)) throw new Error(`r1 should be the previous revision: ${JSON.stringify(d1)}`);
  const top2 = (await r2.boundingBox())?.y ?? 0;
  const top1 = (await r1.boundingBox())?.y ?? 0;
  if (!(top2 < top1)) throw new Error('the newest revision should be listed first');
}


