// The Runs dashboard with the fixture workspace plus 1,000 generated runs: the table scrolls to
// the bottom by keyboard and by mouse wheel, the last run comes into view, the DOM holds only a
// window of rows (virtualised), and a Shift-range over rows the webview never loaded selects
// exactly every run between its ends (the host resolves the range by index).
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DARK_THEME } from '../harness/codeServer.mjs';
import { readFixtureExpectations } from './fixtureExpectations.mjs';
import { runCommand, settle } from './support/workbench.mjs';

const COMMAND_TITLE = 'Modelcloud: Open Runs Dashboard';
const GENERATED = 1000;
/** Rows in the DOM stay near what fits on screen plus overscan, whatever the total. */
const MAX_DOM_ROWS = 80;
const WAIT_MS = 45_000;

/** @param {import('../harness/suites/e2e.mjs').E2eContext} t */
export async function run(t) {
  const workspace = t.fixtureWorkspace();
  const fixtureRuns = [...readFixtureExpectations(workspace).values()].flat().length;
  writeGeneratedRuns(workspace);
  // Ingested up front with the CLI, as a workspace that has been in use: this test is about the
  // table, not about the extension's first ingest of a thousand new logs.
  execFileSync(process.execPath, [join(t.repo, 'dist', 'cli.js'), 'ingest', workspace], { cwd: workspace, stdio: 'pipe', timeout: 60_000 });
  const total = fixtureRuns + GENERATED;
  // Generated runs started long before the fixture's: newest first puts gen-0000 last.
  const lastName = 'gen-0000';

  const server = await t.codeServer({ theme: DARK_THEME });
  const { page } = await t.browser();
  await t.openWorkbench(page, server.url, { folder: workspace, extensionDevelopmentPath: t.repo });
  const frame = page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
  const rowCount = () => frame.locator('.row').count();

  const opened = await t.check(`the dashboard lists all ${total.toLocaleString('en-US')} runs (${fixtureRuns} fixture + ${GENERATED} generated)`, async () => {
    await page.locator('.activitybar a.action-label[aria-label^="Modelcloud"]').waitFor({ timeout: WAIT_MS });
    await runCommand(page, COMMAND_TITLE);
    await waitForStatus(frame, (runs) => runs === total, `${total} runs`);
    const rows = await rowCount();
    if (rows === 0 || rows > MAX_DOM_ROWS) throw new Error(`${rows} rows in the DOM for ${total} runs (expected 1..${MAX_DOM_ROWS})`);
  });
  if (!opened) return;

  await t.check('Shift+click from the first run to the last selects every run, loaded or not (runs-dashboard-1000-dark.png)', async () => {
    // First, while only the first page and what the jumps below show are loaded.
    await frame.locator('.row[data-index="0"] .cell.run-name').click();
    await frame.locator('.table-scroll').press('Home'); // selects row 0 alone: the range's anchor
    await waitForStatus(frame, (runs, selected) => selected === 1, 'the first run alone');
    // Scrolling does not touch the selection; the rows in between are never fetched.
    await frame.locator('.table-scroll').evaluate((el) => { el.scrollTop = el.scrollHeight; });
    await frame.locator(`.row[data-index="${total - 1}"] .cell.run-name`, { hasText: lastName }).waitFor({ timeout: 10_000 });
    await frame.locator(`.row[data-index="${total - 1}"] .cell.run-name`).click({ modifiers: ['Shift'] });
    await waitForStatus(frame, (runs, selected) => runs === total && selected === total, `all ${total} runs selected`);
    await settle(page);
    await page.screenshot({ path: join(t.screenshots, 'runs-dashboard-1000-dark.png') });
    // Shift+Home from the last row: the same range, reached by keyboard.
    await frame.locator('.table-scroll').press('End');
    await waitForStatus(frame, (runs, selected) => selected === 1, 'the last run alone');
    await frame.locator('.table-scroll').press('Shift+Home');
    await waitForStatus(frame, (runs, selected) => selected === total, `all ${total} runs selected by Shift+Home`);
  });

  await t.check('End on the focused table scrolls to the last run; the DOM keeps a bounded window of rows', async () => {
    await frame.locator('.table-scroll').press('Home');
    await frame.locator('.row[data-index="0"] .cell.run-name').click();
    await frame.locator('.table-scroll').press('End');
    await frame.locator(`.row[data-index="${total - 1}"] .cell.run-name`, { hasText: lastName }).waitFor({ timeout: 10_000 });
    await assertInView(frame, total - 1);
    const rows = await rowCount();
    if (rows > MAX_DOM_ROWS) throw new Error(`${rows} rows in the DOM after scrolling (expected at most ${MAX_DOM_ROWS})`);
    await frame.locator('.table-scroll').press('Home');
    await frame.locator('.row[data-index="0"]').waitFor({ timeout: 10_000 });
  });

  await t.check('the mouse wheel scrolls from top to bottom through unloaded pages to the last run', async () => {
    const box = await frame.locator('.table-scroll').boundingBox();
    if (!box) throw new Error('the table has no box');
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    let maxRows = 0;
    const deadline = Date.now() + WAIT_MS;
    while (Date.now() < deadline) {
      await page.mouse.wheel(0, 4000);
      await page.waitForTimeout(60);
      maxRows = Math.max(maxRows, await rowCount());
      if (await frame.locator(`.row[data-index="${total - 1}"] .cell.run-name`, { hasText: lastName }).count()) break;
    }
    await frame.locator(`.row[data-index="${total - 1}"] .cell.run-name`, { hasText: lastName }).waitFor({ timeout: 10_000 });
    await assertInView(frame, total - 1);
    if (maxRows > MAX_DOM_ROWS) throw new Error(`up to ${maxRows} rows were in the DOM while scrolling (expected at most ${MAX_DOM_ROWS})`);
  });
}

/** 1,000 finished runs as run logs (the JSONL contract v1), ingested when the workbench starts. */
function writeGeneratedRuns(workspace) {
  const dir = join(workspace, '.modelcloud', 'runs');
  mkdirSync(dir, { recursive: true });
  const base = 1_600_000_000_000;
  for (let i = 0; i < GENERATED; i++) {
    const id = `9e9${i.toString(16).padStart(29, '0')}`;
    const ts = base + i * 60_000;
    const lines = [
      { v: 1, t: 'run_start', ts, run: id, experiment: 'generated', name: `gen-${String(i).padStart(4, '0')}`, source: { kind: 'script', path: 'train.py' }, tags: {} },
      { v: 1, t: 'params', ts: ts + 1, params: { seed: String(i % 10), max_depth: String(2 + (i % 7)) } },
      { v: 1, t: 'metrics', ts: ts + 2, keys: ['f1', 'accuracy'], values: [0.5 + (i % 97) / 200, 0.6 + (i % 89) / 250], steps: [0, 0], times: [ts + 2, ts + 2] },
      { v: 1, t: 'run_end', ts: ts + 3, status: 'FINISHED' },
    ];
    writeFileSync(join(dir, `${id}.jsonl`), `${lines.map((l) => JSON.stringify(l)).join('\n')}\n`);
  }
}

/** Polls the status line ("1,004 runs · 12 selected") until ok(runs, selected). */
async function waitForStatus(frame, ok, what) {
  const deadline = Date.now() + WAIT_MS;
  let text = '';
  while (Date.now() < deadline) {
    text = (await frame.locator('.status-line').first().innerText().catch(() => '')).replace(/,/g, '');
    const runs = Number(/(\d+) runs?/.exec(text)?.[1] ?? NaN);
    const selected = Number(/(\d+) selected/.exec(text)?.[1] ?? 0);
    if (ok(runs, selected)) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`waiting for ${what}: the status line says ${JSON.stringify(text)} after ${WAIT_MS / 1000} s`);
}

/** The row is inside the scroll container's visible area (below the sticky header). */
async function assertInView(frame, index) {
  const inView = await frame.locator('.table-scroll').evaluate((scroller, i) => {
    const row = scroller.querySelector(`.row[data-index="${i}"]`);
    if (!row) return false;
    const r = row.getBoundingClientRect();
    const s = scroller.getBoundingClientRect();
    return r.top >= s.top && r.bottom <= s.bottom + 1;
  }, index);
  if (!inView) throw new Error(`row ${index} is in the DOM but not scrolled into view`);
}
