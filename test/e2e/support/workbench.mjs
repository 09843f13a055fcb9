// Workbench steps the e2e modules share: the Command Palette, the Modelcloud view container, the
// colour theme, and the pauses and counted skips around screenshots. Lives in support/ and is not
// named *.e2e.mjs, so the e2e suite imports it but never runs it as a test module.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LIGHT_THEME, updateUserSettings } from '../../harness/codeServer.mjs';

const WAIT_MS = 45_000;
/** How long the theme picker, or a live settings change, gets before the next fallback. */
const THEME_WAIT_MS = 10_000;
const MODELCLOUD_LINK = 'a.action-label[aria-label^="Modelcloud"]';

/** A hasText pattern for exactly `text` (surrounding whitespace allowed). */
export function exactly(text) {
  return new RegExp(`^\\s*${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*$`);
}

/**
 * F1, then clicks the row of the command titled exactly `title` ("Category: Title"). Clicking
 * rather than Enter: Enter would run whichever command the fuzzy match ranked first. The status
 * bar click gives the workbench focus without touching an editor's (or webview's) content.
 */
export async function runCommand(page, title) {
  const row = page.locator('.quick-input-list .monaco-list-row', { has: page.locator('.label-name', { hasText: exactly(title) }) }).first();
  // The palette lists only commands whose `when` holds at the moment it opens; right after start-up
  // a context key (e.g. isWorkspaceTrusted) can still be settling, so reopen it before giving up.
  for (let attempt = 1; ; attempt++) {
    await page.locator('.part.statusbar').click({ position: { x: 600, y: 10 } }).catch(() => {});
    await page.keyboard.press('F1');
    const input = page.locator('.quick-input-widget input.input');
    await input.waitFor({ timeout: WAIT_MS });
    await input.fill(`>${title}`);
    try {
      await row.click({ timeout: attempt < 3 ? WAIT_MS / 3 : WAIT_MS });
      return;
    } catch (error) {
      if (attempt >= 3) throw error;
      await page.keyboard.press('Escape');
      await page.waitForTimeout(2_000);
    }
  }
}

/** Opens the Modelcloud view container unless it is already the selected one (a click would close it). */
export async function showModelcloudContainer(page) {
  const icon = page.locator(`.activitybar ${MODELCLOUD_LINK}`);
  await icon.waitFor({ timeout: WAIT_MS });
  // `has` is matched inside the tab, so it takes the link's selector without the .activitybar part.
  const tab = page.locator('.activitybar .action-item', { has: page.locator(MODELCLOUD_LINK) });
  if ((await tab.getAttribute('aria-selected')) !== 'true') await icon.click();
  await page.locator('.part.sidebar .composite.title', { hasText: /modelcloud/i }).waitFor({ timeout: WAIT_MS });
}

/** The element that is there once `theme` (one of codeServer.mjs's DARK_THEME / LIGHT_THEME) is applied. */
export function themeAppliedSelector(theme) {
  return theme === LIGHT_THEME ? '.monaco-workbench.vs:not(.vs-dark)' : '.monaco-workbench.vs-dark';
}

/**
 * Switches the colour theme the way a user does (Preferences: Color Theme), which applies at
 * once. If that does not take, writes the user setting (the workbench usually applies it live);
 * if that does not take either, reloads the page, and `restore` re-creates the view state the
 * reload lost.
 * @param {import('playwright-core').Page} page
 * @param {{ dirs: { userData: string } }} server
 * @param {{ theme: string, applied?: string, restore?: () => Promise<void> }} o
 *   `applied`: the selector that proves the theme is on (default: themeAppliedSelector(theme))
 */
export async function switchTheme(page, server, { theme, applied = themeAppliedSelector(theme), restore }) {
  const on = page.locator(applied);
  try {
    await runCommand(page, 'Preferences: Color Theme');
    // The picker shows labels ("Light Modern"); the setting stores ids ("Default Light Modern").
    const label = theme.replace(/^Default /, '');
    await page.locator('.quick-input-widget input.input').fill(label);
    await page.locator('.quick-input-list .monaco-list-row', { has: page.locator('.label-name', { hasText: exactly(label) }) }).first().click({ timeout: THEME_WAIT_MS });
    await on.waitFor({ timeout: THEME_WAIT_MS });
    return;
  } catch {
    await page.keyboard.press('Escape').catch(() => {});
  }
  updateUserSettings(server, { 'workbench.colorTheme': theme });
  if (await on.waitFor({ timeout: THEME_WAIT_MS }).then(() => true, () => false)) return;
  await page.reload();
  await on.waitFor({ timeout: WAIT_MS });
  await restore?.();
}

/** Lets animations and the theme transition finish, and drops toasts that would cover the view. */
export async function settle(page) {
  const height = page.viewportSize()?.height ?? 900;
  await page.mouse.move(1, height - 1);
  await page.evaluate(() => document.querySelectorAll('.notifications-toasts .notification-toast-container').forEach((e) => e.remove()));
  await page.waitForTimeout(800);
}

/** Checks that cannot run because an earlier one failed still count, as failures. */
export async function skip(t, count, reason) {
  for (let i = 0; i < count; i++) await t.check(`(not run: ${reason})`, async () => { throw new Error(reason); });
}

/** Widens the sidebar to `width` px (drags its sash) so tree descriptions fit; best effort (a miss only clips text). */
export async function widenSidebar(page, width) {
  const sidebar = await page.locator('.part.sidebar').boundingBox();
  if (!sidebar || sidebar.width >= width) return;
  const x = sidebar.x + sidebar.width;
  const y = sidebar.y + sidebar.height / 2;
  await page.mouse.move(x + 1, y);
  await page.mouse.down();
  await page.mouse.move(sidebar.x + width, y, { steps: 8 });
  await page.mouse.up();
}

/** Deployed services outlive the workbench by design (a detached supervisor each): stop them after a test. */
export function stopSupervisors(servicesDir) {
  if (!existsSync(servicesDir)) return;
  for (const name of readdirSync(servicesDir)) {
    try {
      const info = JSON.parse(readFileSync(join(servicesDir, name, 'supervisor.json'), 'utf8'));
      if (typeof info.pid === 'number') process.kill(info.pid, 'SIGTERM');
    } catch { /* none recorded, or already gone */ }
  }
}

/**
 * Expands a tree row unless it already is (a click would collapse it). A tree can re-render while
 * the extension settles (ingest, a refresh), and a click aimed at one row then lands on its
 * neighbour: so wait for two identical readings of the sidebar's rows first, and click again
 * until this row says expanded. `target` picks what to click inside the row (the twistie leaves
 * the row unselected).
 */
export async function expandTreeRow(page, row, name, { target = (r) => r } = {}) {
  for (let attempt = 1; ; attempt++) {
    if ((await row.getAttribute('aria-expanded')) === 'true') return;
    await waitForStableSidebar(page);
    await target(row).click();
    const deadline = Date.now() + 3_000;
    while (Date.now() < deadline) {
      if ((await row.getAttribute('aria-expanded').catch(() => null)) === 'true') return;
      await page.waitForTimeout(100);
    }
    if (attempt === 3) throw new Error(`"${name}" did not expand after ${attempt} clicks`);
  }
}

async function waitForStableSidebar(page) {
  let before = '';
  for (let i = 0; i < 40; i++) {
    const now = (await page.locator('.part.sidebar .monaco-list-row .label-name').allInnerTexts()).join('\n');
    if (now === before) return;
    before = now;
    await page.waitForTimeout(250);
  }
}
