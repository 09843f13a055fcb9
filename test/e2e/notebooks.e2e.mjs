// A notebook with a saved run card output (test/fixtures/workspace/notebooks/run_card.ipynb, made by
// executing a `%%mc_run` cell with nbclient) opened in code-server: the built-in ipynb serializer
// loads it without the Jupyter extension, OUR renderer draws the card (status, params with
// "+N more", one sparkline per metric), the cell gets the "Run … · f1 … · Open" CodeLens, and
// "Open run" opens the run dashboard and reveals the run in the Experiments view.
// Screenshots: notebook-run-card-dark.png, notebook-run-card-light.png, notebook-open-run-light.png.
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DARK_THEME, LIGHT_THEME } from '../harness/codeServer.mjs';
import { exactly, runCommand, settle, skip, switchTheme } from './support/workbench.mjs';

const RUN_ID = '94214ee25aab4b0d9d75ec1da20b58ce';
const RECORDED_STORE = '/home/ada/churn/.modelcloud';
const WAIT_MS = 90_000;

/** @param {import('../harness/suites/e2e.mjs').E2eContext} t */
export async function run(t) {
  const workspace = t.fixtureWorkspace();
  const notebookPath = join(workspace, 'notebooks', 'run_card.ipynb');
  const store = join(workspace, '.modelcloud');
  // The card names the store it was logged to; point it (and the run log) at this copy.
  writeFileSync(notebookPath, readFileSync(notebookPath, 'utf8').split(RECORDED_STORE).join(store.split('\\').join('\\\\')));
  copyFileSync(join(workspace, 'notebooks', 'run_card.run.jsonl'), join(store, 'runs', `${RUN_ID}.jsonl`));

  const server = await t.codeServer({ theme: DARK_THEME });
  const { page } = await t.browser();
  await t.openWorkbench(page, server.url, { folder: workspace, extensionDevelopmentPath: t.repo });
  const outputs = page.frameLocator('.notebook-editor iframe.webview.ready').frameLocator('#active-frame');
  const card = outputs.locator(`.card[data-run-id="${RUN_ID}"]`);
  const lens = page.locator('.notebook-editor .codelens-decoration', { hasText: 'Run gbm-lr-0.1' });

  const opened = await t.check('run_card.ipynb opens in the notebook editor (Quick Open)', async () => {
    await openNotebook(page);
  });
  if (!opened) return skip(t, 6, 'the notebook did not open');

  const rendered = await t.check('our renderer draws the run card: status, name, 8 params + "+14 more", a sparkline per metric', async () => {
    await card.waitFor({ timeout: WAIT_MS });
    const status = (await card.locator('.badge').innerText()).trim();
    if (status !== 'FINISHED') throw new Error(`status badge "${status}"`);
    const name = (await card.locator('.name').innerText()).trim();
    if (name !== 'gbm-lr-0.1') throw new Error(`run name "${name}"`);
    const more = (await card.locator('.more').innerText()).trim();
    if (more !== '+14 more') throw new Error(`truncated params note "${more}"`);
    const keys = (await card.locator('.metric-key').allInnerTexts()).map((s) => s.trim());
    if (keys.join(',') !== 'auc,f1,loss') throw new Error(`metric rows ${JSON.stringify(keys)}`);
    const lines = await card.locator('svg.spark polyline').count();
    if (lines !== 3) throw new Error(`${lines} sparklines`);
    const points = (await card.locator('svg.spark polyline').first().getAttribute('points') ?? '').split(' ').length;
    if (points !== 40) throw new Error(`the auc sparkline has ${points} points, want 40`);
  });

  await t.check('the cell shows the CodeLens "Run gbm-lr-0.1 · f1 0.9… · Open"', async () => {
    await lens.first().waitFor({ timeout: WAIT_MS });
    const text = (await lens.first().innerText()).replace(/\s+/g, ' ').trim();
    if (!/^Run gbm-lr-0\.1 · f1 0\.9\d* · Open$/.test(text)) throw new Error(`CodeLens text "${text}"`);
  });

  await t.check('dark theme screenshot of the rendered card and its CodeLens (notebook-run-card-dark.png)', async () => {
    if (!rendered) throw new Error('the card did not render');
    await showWholeNotebook(page, card);
    await page.screenshot({ path: join(t.screenshots, 'notebook-run-card-dark.png') });
  });

  await t.check('light theme screenshot of the card (notebook-run-card-light.png)', async () => {
    if (!rendered) throw new Error('the card did not render');
    await switchTheme(page, server, { theme: LIGHT_THEME, restore: () => openNotebook(page) });
    await card.waitFor({ timeout: WAIT_MS });
    await showWholeNotebook(page, card);
    await page.screenshot({ path: join(t.screenshots, 'notebook-run-card-light.png') });
  });

  await t.check('"+14 more" shows the other params of the card, and says 2 more are in the dashboard', async () => {
    if (!rendered) throw new Error('the card did not render');
    await card.locator('button.more').click();
    const shown = await card.locator('.param').count();
    if (shown !== 20) throw new Error(`${shown} params after expanding, want 20`);
    const rest = (await card.locator('.more').innerText()).trim();
    if (rest !== '+2 more in the run dashboard') throw new Error(`note "${rest}"`);
  });

  await t.check('"Open run" in the card opens the run dashboard and reveals the run in the Experiments view (notebook-open-run-light.png)', async () => {
    if (!rendered) throw new Error('the card did not render');
    await page.setViewportSize({ width: 1400, height: 900 });
    await card.locator('a.open').click();
    await page.locator('.tabs-container .tab', { hasText: 'Run: gbm-lr-0.1' }).waitFor({ timeout: WAIT_MS });
    await page.locator('.part.sidebar .monaco-list-row.selected', { has: page.locator('.label-name', { hasText: exactly('gbm-lr-0.1') }) }).waitFor({ timeout: WAIT_MS });
    await settle(page);
    await page.screenshot({ path: join(t.screenshots, 'notebook-open-run-light.png') });
  });
}

/** Without the side bar and with a taller window, the notebook fits, card and CodeLens included. */
async function showWholeNotebook(page, card) {
  if (await page.locator('.part.sidebar').isVisible()) await runCommand(page, 'View: Toggle Primary Side Bar Visibility');
  await page.setViewportSize({ width: 1200, height: 1150 });
  await card.scrollIntoViewIfNeeded();
  await settle(page);
}

async function openNotebook(page) {
  await page.locator('.part.statusbar').click({ position: { x: 600, y: 10 } }).catch(() => {});
  await page.keyboard.press('Control+P');
  const input = page.locator('.quick-input-widget input.input');
  await input.waitFor({ timeout: WAIT_MS });
  await input.fill('run_card.ipynb');
  await page.locator('.quick-input-list .monaco-list-row', { hasText: 'run_card.ipynb' }).first().click({ timeout: WAIT_MS });
  await page.locator('.notebook-editor').first().waitFor({ timeout: WAIT_MS });
}
