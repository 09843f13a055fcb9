// The Modelcloud sidebar in a real workbench: the activity-bar icon opens it, the Experiments
// view lists the fixture's experiments, an experiment expands to its runs, and screenshots of
// the result in the dark and the light theme land in test-results/screenshots/.
import { join } from 'node:path';
import { DARK_THEME, LIGHT_THEME } from '../harness/codeServer.mjs';
import { readFixtureExpectations } from './fixtureExpectations.mjs';
import { exactly, expandTreeRow, settle, showModelcloudContainer, skip, switchTheme } from './support/workbench.mjs';

const SIDEBAR_ROW_LABELS = '.part.sidebar .monaco-list-row .label-name';
/** Rows a 900 px high sidebar surely renders (the list is virtualised). */
const VISIBLE_ROWS = 6;
const WAIT_MS = 45_000;

/** @param {import('../harness/suites/e2e.mjs').E2eContext} t */
export async function run(t) {
  const workspace = t.fixtureWorkspace();
  const expected = readFixtureExpectations(workspace);
  if (expected.size === 0) throw new Error(`the fixture workspace ${workspace} has no experiments to look for`);
  const server = await t.codeServer({ theme: DARK_THEME });
  const { page } = await t.browser();
  await t.openWorkbench(page, server.url, { folder: workspace, extensionDevelopmentPath: t.repo });

  const opened = await t.check('activity bar shows the Modelcloud icon and it opens the sidebar', async () => {
    await showModelcloudContainer(page);
  });
  if (!opened) return skip(t, 4, 'the Modelcloud sidebar did not open');

  const names = [...expected.keys()].sort();
  const mustSee = names.slice(0, VISIBLE_ROWS);
  const listed = await t.check(`Experiments view lists the fixture experiments (${mustSee.join(', ')})`, async () => {
    await waitForLabels(page, mustSee, 'experiment rows');
  });
  if (!listed) return skip(t, 3, 'the Experiments view did not list the fixture');

  // The experiment with the fewest runs, so all of them fit on screen once expanded.
  const [experiment, runs] = [...expected.entries()].filter(([, r]) => r.length > 0).sort((a, b) => a[1].length - b[1].length)[0];
  const mustSeeRuns = [...new Set(runs)].slice(0, VISIBLE_ROWS - 1);
  await t.check(`expanding "${experiment}" shows its runs (${mustSeeRuns.join(', ')})`, async () => {
    await expandExperiment(page, experiment);
    await waitForLabels(page, mustSeeRuns, 'run rows', isRunLabel);
  });

  await t.check('dark theme screenshot saved (sidebar-dark.png)', async () => {
    await settle(page);
    await page.screenshot({ path: join(t.screenshots, 'sidebar-dark.png') });
  });

  await t.check('light theme applies and its screenshot is saved (sidebar-light.png)', async () => {
    await switchTheme(page, server, { theme: LIGHT_THEME, restore: async () => {
      await showModelcloudContainer(page);
      await expandExperiment(page, experiment);
      await waitForLabels(page, mustSeeRuns, 'run rows after reload', isRunLabel);
    } });
    await settle(page);
    await page.screenshot({ path: join(t.screenshots, 'sidebar-light.png') });
  });
}

/** Expands an experiment row (see expandTreeRow). */
async function expandExperiment(page, name) {
  const row = page.locator('.part.sidebar .monaco-list-row', { has: page.locator('.label-name', { hasText: exactly(name) }) }).first();
  await row.waitFor({ timeout: WAIT_MS });
  await expandTreeRow(page, row, name);
}

/** A run row's label is its name, possibly followed by status text ("run-a, FAILED"). */
function isRunLabel(label, want) {
  return label === want || label.startsWith(`${want},`) || label.startsWith(`${want} `);
}

/** Polls the sidebar's row labels until every wanted label is there; the error lists what was shown. */
async function waitForLabels(page, wanted, what, matches = (label, want) => label === want) {
  const deadline = Date.now() + WAIT_MS;
  let shown = [];
  while (Date.now() < deadline) {
    shown = (await page.locator(SIDEBAR_ROW_LABELS).allInnerTexts()).map((s) => s.trim());
    if (wanted.every((w) => shown.some((s) => matches(s, w)))) return;
    await page.waitForTimeout(250);
  }
  const missing = wanted.filter((w) => !shown.some((s) => matches(s, w)));
  throw new Error(`${what}: missing ${JSON.stringify(missing)} after ${WAIT_MS / 1000} s; the sidebar showed ${JSON.stringify(shown)}`);
}
