// The Runs dashboard in a real workbench: opened from the Command Palette (all experiments), the
// virtualised table inside the webview shows the fixture's runs, a filter typed in the filter box
// narrows them, a bad filter shows a caret under the offending token, grouping shows per-group
// statistics, screenshots of the table (sorted, two runs selected) land in
// test-results/screenshots/ in the dark and light theme, and a run logged meanwhile streams in.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DARK_THEME, LIGHT_THEME } from '../harness/codeServer.mjs';
import { runCommand, settle, showModelcloudContainer, skip, switchTheme } from './support/workbench.mjs';
import { readFixtureExpectations } from './fixtureExpectations.mjs';

const COMMAND_TITLE = 'Modelcloud: Open Runs Dashboard';
const RUN_NAMES = '.row .cell.run-name';
const WAIT_MS = 45_000;

/** @param {import('../harness/suites/e2e.mjs').E2eContext} t */
export async function run(t) {
  const workspace = t.fixtureWorkspace();
  const expected = readFixtureExpectations(workspace);
  const allRuns = [...new Set([...expected.values()].flat())].sort();
  const wine = expected.get('wine-quality') ?? [];
  if (allRuns.length === 0 || wine.length === 0) throw new Error(`the fixture workspace ${workspace} has no wine-quality runs to look for`);
  const server = await t.codeServer({ theme: DARK_THEME });
  const { page } = await t.browser();
  await t.openWorkbench(page, server.url, { folder: workspace, extensionDevelopmentPath: t.repo });
  const frame = page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');

  const opened = await t.check(`"${COMMAND_TITLE}" from the Command Palette shows every fixture run (${allRuns.join(', ')})`, async () => {
    await page.locator('.activitybar a.action-label[aria-label^="Modelcloud"]').waitFor({ timeout: WAIT_MS });
    await runCommand(page, COMMAND_TITLE);
    await waitForNames(frame, (shown) => allRuns.every((n) => shown.includes(n)), `all runs ${JSON.stringify(allRuns)}`);
  });
  if (!opened) return skip(t, 7, 'the dashboard did not show the runs');

  await t.check('only the visible rows are in the DOM and each has the status icon and metric cells', async () => {
    const rows = await frame.locator('.row').count();
    if (rows !== allRuns.length) throw new Error(`expected ${allRuns.length} rows in the DOM, found ${rows}`);
    const headers = (await frame.locator('.hcell').allInnerTexts()).map((s) => s.replace(/\s+/g, ' ').trim());
    if (!headers.some((h) => /f1/.test(h))) throw new Error(`no metrics.f1 column among the headers ${JSON.stringify(headers)}`);
    if ((await frame.locator('.row .cell.status svg').count()) !== rows) throw new Error('a row lacks its status icon');
  });

  await t.check('typing "metrics.f1 > 0.9" + Enter narrows the rows (rf-depth-8 stays, logreg-C1 goes)', async () => {
    await applyFilter(frame, 'metrics.f1 > 0.9');
    await waitForNames(frame, (shown) => shown.includes('rf-depth-8') && !shown.includes('logreg-C1') && shown.length < allRuns.length,
      'rf-depth-8 without logreg-C1');
    await frame.locator('.status-line', { hasText: /runs?/ }).waitFor({ timeout: 5000 });
  });

  await t.check('a malformed filter shows the parser message with a caret under the bad token', async () => {
    await applyFilter(frame, 'metrics.f1 > 0.9 andd x');
    const error = frame.locator('.filter-error');
    await error.waitFor({ state: 'visible', timeout: 10_000 });
    const caret = await error.locator('.caret').innerText();
    if (caret.indexOf('^') !== 'metrics.f1 > 0.9 '.length) throw new Error(`caret at ${caret.indexOf('^')}: ${JSON.stringify(caret)}`);
  });

  await t.check('dark theme screenshot: all runs sorted by f1, two selected (runs-dashboard-dark.png)', async () => {
    await applyFilter(frame, '');
    await frame.locator('.filter-error').waitFor({ state: 'hidden', timeout: 10_000 });
    await waitForNames(frame, (shown) => allRuns.every((n) => shown.includes(n)), 'all runs again');
    await frame.locator('.hcell[data-column="metrics.f1"] .hcell-label').click();
    await frame.locator('.hcell[data-column="metrics.f1"][aria-sort="descending"]').waitFor({ timeout: 10_000 });
    await selectTwo(frame);
    await showModelcloudContainer(page);
    await settle(page);
    await page.screenshot({ path: join(t.screenshots, 'runs-dashboard-dark.png') });
  });

  await t.check('Group by params.model shows per-group count and f1 mean/min/max (runs-dashboard-grouped-dark.png)', async () => {
    // The select's dropdown lives in the component's shadow DOM; set it as its own change handler does.
    await frame.locator('.group-select').evaluate((select) => {
      select.value = 'params.model';
      select.dispatchEvent(new Event('change', { bubbles: true }));
    });
    const forest = frame.locator('.groups-table tbody tr', { hasText: 'RandomForest' });
    await forest.waitFor({ timeout: 10_000 });
    const cells = (await forest.locator('td').allInnerTexts()).map((s) => s.trim());
    if (cells[1] !== '2') throw new Error(`RandomForest should have 2 runs, the row shows ${JSON.stringify(cells)}`);
    if (!cells.includes('0.942')) throw new Error(`mean f1 of rf-depth-3/8 (0.942) missing from ${JSON.stringify(cells)}`);
    await settle(page);
    await page.screenshot({ path: join(t.screenshots, 'runs-dashboard-grouped-dark.png') });
    await frame.locator('.group-select').evaluate((select) => {
      select.value = '';
      select.dispatchEvent(new Event('change', { bubbles: true }));
    });
    await frame.locator('.groups').waitFor({ state: 'hidden', timeout: 10_000 });
  });

  await t.check('light theme screenshot (runs-dashboard-light.png)', async () => {
    await switchTheme(page, server, { theme: LIGHT_THEME, restore: async () => {
      await runCommand(page, COMMAND_TITLE);
      await waitForNames(frame, (shown) => allRuns.every((n) => shown.includes(n)), 'all runs after reload');
    } });
    await selectTwo(frame);
    await showModelcloudContainer(page);
    await settle(page);
    await page.screenshot({ path: join(t.screenshots, 'runs-dashboard-light.png') });
  });

  await t.check('a run logged while the dashboard is open streams in; the selection stays', async () => {
    const now = Date.now();
    const id = 'e2e0000000000000000000000000a1b2';
    const start = { v: 1, t: 'run_start', ts: now, run: id, experiment: 'wine-quality', name: 'live-run', source: { kind: 'script', path: 'train.py' }, tags: {} };
    const metrics = { v: 1, t: 'metrics', ts: now, keys: ['f1'], values: [0.5], steps: [0], times: [now] };
    writeFileSync(join(workspace, '.modelcloud', 'runs', `${id}.jsonl`), `${JSON.stringify(start)}\n${JSON.stringify(metrics)}\n`);
    await waitForNames(frame, (shown) => shown.includes('live-run') && shown.length === allRuns.length + 1, 'the new run live-run');
    await frame.locator('.status-line', { hasText: `${allRuns.length + 1} runs · 2 selected` }).waitFor({ timeout: 5000 });
  });
}

async function applyFilter(frame, text) {
  const input = frame.locator('.filter-field input');
  await input.fill(text);
  await input.press('Enter');
}

/** Clicks the first row, Shift+clicks the second. */
async function selectTwo(frame) {
  await frame.locator('.row[data-index="0"] .cell.run-name').click();
  await frame.locator('.row[data-index="1"] .cell.run-name').click({ modifiers: ['Shift'] });
  await frame.locator('.status-line', { hasText: '2 selected' }).waitFor({ timeout: 5000 });
}

async function waitForNames(frame, ok, what) {
  const deadline = Date.now() + WAIT_MS;
  let shown = [];
  while (Date.now() < deadline) {
    shown = (await frame.locator(RUN_NAMES).allInnerTexts().catch(() => [])).map((s) => s.trim());
    if (ok(shown)) return shown;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`waiting for ${what}: the table showed ${JSON.stringify(shown)} after ${WAIT_MS / 1000} s`);
}
