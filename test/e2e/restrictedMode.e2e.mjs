// Workspace Trust in a real workbench: code-server with trust on opens the fixture folder in
// Restricted Mode (no start-up prompt). Modelcloud still reads tracking data there (the
// Experiments view lists the fixture's runs), but everything that runs workspace code is gone:
// the Deployments view explains why, the Command Palette has no Deploy/Package/Inspect Service,
// and right-clicking cloud_model.py offers Track Data File… but not Deploy Service…; a user
// keybinding (which skips those `when` clauses) gets the runtime refusal instead of a deploy.
// Screenshot: restricted-mode-dark.png.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DARK_THEME } from '../harness/codeServer.mjs';
import { readFixtureExpectations } from './fixtureExpectations.mjs';
import { exactly, expandTreeRow, runCommand, settle, showModelcloudContainer, skip } from './support/workbench.mjs';

const WAIT_MS = 45_000;
const TRUST_GATED = ['Modelcloud: Deploy Service…', 'Modelcloud: Package Service', 'Modelcloud: Inspect Service'];
const DEPLOY_KEY = 'Control+Shift+Alt+KeyY';

/** @param {import('../harness/suites/e2e.mjs').E2eContext} t */
export async function run(t) {
  const workspace = t.fixtureWorkspace();
  const experiments = [...readFixtureExpectations(workspace).keys()].sort().slice(0, 3);
  const server = await t.codeServer({ theme: DARK_THEME, workspaceTrust: true });
  // Keybindings ignore menu `when` clauses, so only the command's own check stands in the way.
  writeFileSync(join(server.dirs.userData, 'User', 'keybindings.json'), JSON.stringify([{ key: 'ctrl+shift+alt+y', command: 'modelcloud.deployService' }]));
  const { page } = await t.browser();
  await t.openWorkbench(page, server.url, { folder: workspace, extensionDevelopmentPath: t.repo });

  const restricted = await t.check('the fixture folder opens in Restricted Mode', async () => {
    await page.locator('.statusbar-item', { hasText: /Restricted Mode/ }).first().waitFor({ timeout: WAIT_MS });
  });
  if (!restricted) return skip(t, 5, 'the workbench did not open in Restricted Mode');

  await t.check(`Modelcloud still reads tracking data: the Experiments view lists ${experiments.join(', ')}`, async () => {
    await showModelcloudContainer(page);
    for (const name of experiments) {
      await page.locator('.part.sidebar .monaco-list-row .label-name', { hasText: exactly(name) }).first().waitFor({ timeout: WAIT_MS });
    }
  });

  await t.check('the Deployments view says deploying is disabled in Restricted Mode (restricted-mode-dark.png)', async () => {
    const deployments = page.locator('.part.sidebar .pane-header', { hasText: /Deployments/i }).first();
    await deployments.waitFor({ timeout: WAIT_MS });
    if ((await deployments.getAttribute('aria-expanded')) !== 'true') await deployments.click();
    await page.locator('.part.sidebar .welcome-view-content', { hasText: /disabled in Restricted Mode/ }).waitFor({ timeout: WAIT_MS });
    await settle(page);
    await page.screenshot({ path: join(t.screenshots, 'restricted-mode-dark.png') });
  });

  await t.check('the Command Palette offers Show Output but no Deploy, Package or Inspect Service', async () => {
    // A command that stays available proves the palette lists Modelcloud's commands at all.
    await runCommand(page, 'Modelcloud: Show Output');
    for (const title of TRUST_GATED) {
      await page.keyboard.press('F1');
      const input = page.locator('.quick-input-widget input.input');
      await input.waitFor({ timeout: WAIT_MS });
      await input.fill(`>${title}`);
      await page.waitForTimeout(1_000);
      const labels = (await page.locator('.quick-input-list .monaco-list-row .label-name').allInnerTexts()).map((s) => s.trim());
      await page.keyboard.press('Escape');
      if (labels.includes(title)) throw new Error(`"${title}" is offered in Restricted Mode: ${JSON.stringify(labels)}`);
    }
  });

  await t.check('right-clicking cloud_model.py offers Track Data File… but not Deploy Service…', async () => {
    await runCommand(page, 'View: Show Explorer');
    // "services / echo" is one compact row (both names in its label); expanding it shows the service's files.
    const folder = page.locator('.explorer-folders-view .monaco-list-row', { has: page.locator('.label-name', { hasText: /^\s*services\b/ }) }).first();
    await folder.waitFor({ timeout: WAIT_MS });
    await expandTreeRow(page, folder, 'services/echo');
    const file = page.locator('.explorer-folders-view .monaco-list-row', { has: page.locator('.label-name', { hasText: exactly('cloud_model.py') }) }).first();
    const items = page.locator('.context-view .monaco-menu .action-label');
    // The menu is built when it opens; a right-click while the explorer re-renders can miss the row: retry.
    for (let attempt = 1; ; attempt++) {
      await file.click({ button: 'right', timeout: WAIT_MS });
      const opened = await items.filter({ hasText: /Track Data File/ }).first().waitFor({ timeout: 10_000 }).then(() => true, () => false);
      if (opened) break;
      await page.keyboard.press('Escape');
      if (attempt === 3) {
        await page.screenshot({ path: join(t.screenshots, 'restricted-mode-failure.png') }).catch(() => {});
        throw new Error('right-clicking cloud_model.py showed no menu with Track Data File… (3 tries)');
      }
    }
    const labels = (await items.allInnerTexts()).map((s) => s.trim()).filter(Boolean);
    await page.keyboard.press('Escape');
    const offered = labels.filter((l) => /Deploy Service|Package Service|Inspect Service/.test(l));
    if (offered.length) throw new Error(`the explorer menu offers ${JSON.stringify(offered)} in Restricted Mode`);
  });

  await t.check('Deploy Service… bound to a key is refused at run time with a way to manage trust', async () => {
    await page.locator('.part.statusbar').click({ position: { x: 600, y: 10 } });
    await page.keyboard.press(DEPLOY_KEY);
    await page.waitForTimeout(2_000);
    // The toast may already have timed out: the notification center keeps it with its actions.
    await runCommand(page, 'Notifications: Show Notifications');
    const item = page.locator('.notifications-center .notification-list-item', { hasText: /Deploy Service is disabled in Restricted Mode/ });
    await item.first().waitFor({ timeout: WAIT_MS }).catch(async (error) => {
      await page.screenshot({ path: join(t.screenshots, 'restricted-mode-failure.png') }).catch(() => {});
      throw error;
    });
    await item.first().locator('.monaco-button', { hasText: 'Manage Workspace Trust' }).waitFor({ timeout: WAIT_MS });
    await page.keyboard.press('Escape');
    if (await page.locator('.quick-input-widget', { hasText: /target|Deploy/i }).isVisible()) throw new Error('the deploy went on to ask for a target');
  });
}
