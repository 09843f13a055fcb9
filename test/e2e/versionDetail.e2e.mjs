// The model Version detail view in a real workbench. Before code-server starts, a fixture run logs
// a data file with log_input (artifact + modelcloud.input.* tags) and a model; the CLI ingests,
// tracks the same data file as a dataset (`modelcloud track-data`), moves the version to
// Production with the alias champion; the workspace's echo service is really deployed as wine-api
// serving models:/wine-classifier@champion (`modelcloud deploy --model ... --name ...`; echo does
// not load the model, so its fake bytes do not matter). In the workbench, the Models view shows
// the dataset with its icon; "Modelcloud: Open Version Details" shows the lineage
// data → run → version → service. The service is stopped at the end.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DARK_THEME } from '../harness/codeServer.mjs';
import { exactly, expandTreeRow, runCommand, settle, showModelcloudContainer, skip, stopSupervisors, widenSidebar } from './support/workbench.mjs';

const MODEL = 'wine-classifier';
const DATASET = 'wine-quality.csv';
const SERVICE = 'wine-api';
const RUN = '5f2a9c0e1b3d4f6a8c7e9d0b1a2c3e4f';
const DATA = 'fixed_acidity,alcohol,quality\n7.4,9.4,5\n7.8,9.8,5\n11.2,9.8,6\n';
const WAIT_MS = 45_000;

/** @param {import('../harness/suites/e2e.mjs').E2eContext} t */
export async function run(t) {
  const workspace = t.fixtureWorkspace();
  mkdirSync(join(workspace, 'data'), { recursive: true });
  writeFileSync(join(workspace, 'data', DATASET), DATA);
  logInputAndModel(workspace);
  const cli = (...args) => execFileSync(process.execPath, [join(t.repo, 'dist', 'cli.js'), ...args], { cwd: workspace, stdio: 'pipe', timeout: 60_000 });
  cli('ingest', workspace);
  cli('track-data', join('data', DATASET));
  cli('stage', MODEL, '1', 'Staging', '--reason', 'first candidate');
  cli('stage', MODEL, '1', 'Production', '--reason', 'f1 0.93 on holdout');
  cli('alias', MODEL, '1', 'champion');
  try {
    cli('deploy', join(workspace, 'services', 'echo'), '--target', 'local', '--model', `models:/${MODEL}@champion`, '--name', SERVICE);
    await inWorkbench(t, workspace);
  } finally {
    stopSupervisors(join(workspace, '.modelcloud', 'services'));
  }
}

async function inWorkbench(t, workspace) {
  const server = await t.codeServer({ theme: DARK_THEME, settings: { 'modelcloud.experiments.primaryMetric': 'f1' } });
  const { page } = await t.browser();
  await t.openWorkbench(page, server.url, { folder: workspace, extensionDevelopmentPath: t.repo });

  const listed = await t.check(`the Models view lists the dataset ${DATASET} ("1 version · dataset", database icon) beside ${MODEL}`, async () => {
    await showModelcloudContainer(page);
    await widenSidebar(page, 460);
    const header = page.locator('.part.sidebar .pane-header', { hasText: /^Models/i }).first();
    await header.waitFor({ timeout: WAIT_MS });
    if ((await header.getAttribute('aria-expanded')) !== 'true') await header.click();
    const experiments = page.locator('.part.sidebar .pane-header', { hasText: /^Experiments/i }).first();
    if ((await experiments.getAttribute('aria-expanded')) === 'true') await experiments.click();
    const row = page.locator('.part.sidebar .monaco-list-row', { has: page.locator('.label-name', { hasText: exactly(DATASET) }) }).first();
    await row.locator('.label-description', { hasText: '1 version · dataset' }).waitFor({ timeout: WAIT_MS });
    await row.locator('.codicon-database').waitFor({ timeout: 5000 });
    const model = page.locator('.part.sidebar .monaco-list-row', { has: page.locator('.label-name', { hasText: exactly(MODEL) }) }).first();
    await expandTreeRow(page, model, MODEL);
    await page.locator('.part.sidebar .monaco-list-row .label-name', { hasText: exactly('v1') }).first().waitFor({ timeout: WAIT_MS });
    await settle(page);
    await page.screenshot({ path: join(t.screenshots, 'models-dataset-dark.png') });
  });
  if (!listed) process.stdout.write('      (the Models view check failed; the detail view is still checked)\n');

  const frame = page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
  const opened = await t.check('"Modelcloud: Open Version Details" on wine-classifier v1 shows the lineage data → run → version → service', async () => {
    await runCommand(page, 'Modelcloud: Open Version Details');
    await page.locator('.quick-input-list .monaco-list-row', { has: page.locator('.label-name', { hasText: exactly(`${MODEL} v1`) }) }).first().click({ timeout: WAIT_MS });
    await frame.locator('.lineage-node.data', { hasText: DATASET }).waitFor({ timeout: WAIT_MS });
    await frame.locator('.lineage-node.run').waitFor({ timeout: 5000 });
    await frame.locator('.lineage-node.self', { hasText: `${MODEL} v1` }).waitFor({ timeout: 5000 });
    await frame.locator('.lineage-node.service', { hasText: `${SERVICE} r1` }).waitFor({ timeout: 5000 });
    await frame.locator('.lineage-node.data .node-extra', { hasText: `dataset ${DATASET} v1` }).waitFor({ timeout: 5000 });
    const history = await frame.locator('.history tbody tr').count();
    if (history !== 2) throw new Error(`stage history rows: ${history} (expected 2)`);
    await frame.locator('.kv th', { hasText: 'f1' }).first().waitFor({ timeout: 5000 });
  });
  if (!opened) return skip(t, 1, 'the version detail view did not open');

  await t.check('dark theme screenshot of the version detail saved (version-detail-dark.png)', async () => {
    await settle(page);
    await page.screenshot({ path: join(t.screenshots, 'version-detail-dark.png') });
  });
}

/** Appends log_input's artifact + tags and a model event to the fixture run's log (before run_end), with their blobs. */
function logInputAndModel(workspace) {
  const store = (content) => {
    const sha = createHash('sha256').update(content).digest('hex');
    mkdirSync(join(workspace, '.modelcloud', 'artifacts', sha.slice(0, 2)), { recursive: true });
    writeFileSync(join(workspace, '.modelcloud', 'artifacts', sha.slice(0, 2), sha.slice(2)), content);
    return { sha256: sha, size: Buffer.byteLength(content) };
  };
  const data = store(DATA);
  const model = store('model bytes of version 1');
  const log = join(workspace, '.modelcloud', 'runs', `${RUN}.jsonl`);
  const lines = readFileSync(log, 'utf8').trimEnd().split('\n');
  const end = lines.pop();
  const ts = JSON.parse(end).ts - 1;
  const input = `modelcloud.input.${DATASET}.`;
  lines.push(
    JSON.stringify({ v: 1, t: 'artifact', ts, path: `inputs/${DATASET}`, ...data }),
    JSON.stringify({ v: 1, t: 'tags', ts, tags: { [`${input}sha256`]: data.sha256, [`${input}size`]: String(data.size), [`${input}path`]: `data/${DATASET}`, [`${input}context`]: 'training' } }),
    JSON.stringify({ v: 1, t: 'artifact', ts, path: 'model/model.pkl', ...model }),
    JSON.stringify({ v: 1, t: 'model', ts, name: MODEL, path: 'model', files: [{ path: 'model.pkl', ...model }], flavor: 'pickle',
      signature: { inputs: [{ name: 'fixed_acidity', type: 'double' }, { name: 'alcohol', type: 'double' }], outputs: [{ name: 'quality', type: 'long' }] }, register: true, alias: null }),
    end,
  );
  writeFileSync(log, `${lines.join('\n')}\n`);
}
