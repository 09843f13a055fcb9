// The Models view in a real workbench: before code-server starts, two fixture runs log a model
// (artifact + `t:'model'` events in their run logs, blobs in the artifact store) and the CLI
// ingests them and moves the versions through stages, so the workspace looks like one in use.
// The view then lists the model; expanded, its versions show the stage badge, the alias and the
// runs' f1; the newest version expands to its file. Screenshots in the dark and the light theme.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DARK_THEME, LIGHT_THEME } from '../harness/codeServer.mjs';
import { exactly, expandTreeRow, settle, showModelcloudContainer, skip, switchTheme, widenSidebar } from './support/workbench.mjs';

const MODEL = 'wine-classifier';
const RUNS = ['5f2a9c0e1b3d4f6a8c7e9d0b1a2c3e4f', '7b1e3d5f9a0c2e4b6d8f0a1c3e5b7d9f'];
const WAIT_MS = 45_000;

/** @param {import('../harness/suites/e2e.mjs').E2eContext} t */
export async function run(t) {
  const workspace = t.fixtureWorkspace();
  RUNS.forEach((runId, i) => logModel(workspace, runId, `model bytes of version ${i + 1}`));
  const cli = (...args) => execFileSync(process.execPath, [join(t.repo, 'dist', 'cli.js'), ...args], { cwd: workspace, stdio: 'pipe', timeout: 60_000 });
  cli('ingest', workspace);
  cli('stage', MODEL, '1', 'Production');
  cli('stage', MODEL, '2', 'Production', '--archive-existing', '--reason', 'higher f1');
  cli('alias', MODEL, '2', 'champion');

  const server = await t.codeServer({ theme: DARK_THEME, settings: { 'modelcloud.experiments.primaryMetric': 'f1' } });
  const { page } = await t.browser();
  await t.openWorkbench(page, server.url, { folder: workspace, extensionDevelopmentPath: t.repo });

  const expand = async () => {
    await showModelcloudContainer(page);
    await widenSidebar(page, 460);
    await expandModels(page);
  };
  const shown = await t.check(`the Models view lists ${MODEL}; expanded, v2 shows "Production · @champion" and its file`, expand);
  if (!shown) return skip(t, 2, 'the Models view did not show the model');

  await t.check('dark theme screenshot saved (models-dark.png)', async () => {
    await settle(page);
    await page.screenshot({ path: join(t.screenshots, 'models-dark.png') });
  });
  await t.check('light theme applies and its screenshot is saved (models-light.png)', async () => {
    await switchTheme(page, server, { theme: LIGHT_THEME, restore: expand });
    await settle(page);
    await page.screenshot({ path: join(t.screenshots, 'models-light.png') });
  });
}

/** Appends a model's artifact and `t:'model'` events before the run's run_end, and stores its blob. */
function logModel(workspace, runId, content) {
  const sha = createHash('sha256').update(content).digest('hex');
  const blobDir = join(workspace, '.modelcloud', 'artifacts', sha.slice(0, 2));
  mkdirSync(blobDir, { recursive: true });
  writeFileSync(join(blobDir, sha.slice(2)), content);
  const log = join(workspace, '.modelcloud', 'runs', `${runId}.jsonl`);
  const lines = readFileSync(log, 'utf8').trimEnd().split('\n');
  const end = lines.pop();
  const ts = JSON.parse(end).ts - 1;
  const size = Buffer.byteLength(content);
  lines.push(
    JSON.stringify({ v: 1, t: 'artifact', ts, path: 'model/model.pkl', size, sha256: sha }),
    JSON.stringify({ v: 1, t: 'model', ts, name: MODEL, path: 'model', files: [{ path: 'model.pkl', sha256: sha, size }], flavor: 'pickle', signature: null, register: true, alias: null }),
    end,
  );
  writeFileSync(log, `${lines.join('\n')}\n`);
}

/** Opens the Models section, expands the model and its newest version; waits for the badges. */
async function expandModels(page) {
  const header = page.locator('.part.sidebar .pane-header', { hasText: /^Models/i }).first();
  await header.waitFor({ timeout: WAIT_MS });
  if ((await header.getAttribute('aria-expanded')) !== 'true') await header.click();
  // Give the Models section the room: fold the Experiments section.
  const experiments = page.locator('.part.sidebar .pane-header', { hasText: /^Experiments/i }).first();
  if ((await experiments.getAttribute('aria-expanded')) === 'true') await experiments.click();
  await expandRow(page, MODEL);
  await expandRow(page, 'v2');
  const v2 = page.locator('.part.sidebar .monaco-list-row', { has: page.locator('.label-name', { hasText: exactly('v2') }) }).first();
  await v2.locator('.label-description', { hasText: 'Production · @champion' }).waitFor({ timeout: WAIT_MS });
  await page.locator('.part.sidebar .monaco-list-row .label-name', { hasText: exactly('model.pkl') }).first().waitFor({ timeout: WAIT_MS });
  const v1 = page.locator('.part.sidebar .monaco-list-row', { has: page.locator('.label-name', { hasText: exactly('v1') }) }).first();
  await v1.locator('.label-description', { hasText: 'Archived' }).waitFor({ timeout: WAIT_MS });
}


async function expandRow(page, label) {
  const row = page.locator('.part.sidebar .monaco-list-row', { has: page.locator('.label-name', { hasText: exactly(label) }) }).first();
  await row.waitFor({ timeout: WAIT_MS });
  await expandTreeRow(page, row, label);
}
