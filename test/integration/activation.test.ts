import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { activatedApi, EXTENSION_ID } from './helpers';

describe('activation', () => {
  it('activates in the fixture workspace and opens the store in .modelcloud/', async () => {
    const api = await activatedApi();
    assert.equal(vscode.extensions.getExtension(EXTENSION_ID)!.isActive, true);
    assert.equal(api.apiVersion, 1);
    assert.match(api.store!.path, /\.modelcloud[\\/]tracking\.db$/);
    assert.match(api.store!.driverName, /^(better-sqlite3|node:sqlite)$/);
  });

  it('registers every command package.json contributes, and contributes every command it registers', async () => {
    await activatedApi();
    const manifest = vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON as {
      contributes: { commands: Array<{ command: string }>; views: Record<string, Array<{ id: string }>> };
    };
    const contributed = manifest.contributes.commands.map((c) => c.command).sort();
    // The workbench adds <viewId>.focus, .open, ... for every view: those are not ours to contribute.
    const viewIds = new Set(Object.values(manifest.contributes.views).flat().map((v) => v.id));
    const workbenchViewCommand = (c: string): boolean =>
      /\.(focus|open|removeView|resetViewLocation|toggleVisibility)$/.test(c) && viewIds.has(c.slice(0, c.lastIndexOf('.')));
    const registered = (await vscode.commands.getCommands(true))
      .filter((c) => c.startsWith('modelcloud.') && !workbenchViewCommand(c)).sort();
    assert.deepEqual(contributed.filter((c) => !registered.includes(c)), [], 'contributed but not registered');
    assert.deepEqual(registered.filter((c) => !contributed.includes(c)), [], 'registered but not contributed');
  });
});
