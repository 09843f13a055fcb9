// Which service folder a command acts on: the right-clicked cloud_model.py / modelcloud.yaml /
// folder, a path (scripts, tests), else a quick pick of the workspace folders holding a
// cloud_model.py (the active editor's folder first; no question when there is only one).
import * as vscode from 'vscode';
import { existsSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

export const ENTRY_FILE = 'cloud_model.py';
export const MANIFEST_FILE = 'modelcloud.yaml';
const EXCLUDE = '{**/node_modules/**,**/.modelcloud/**,**/.venv/**,**/venv/**,**/site-packages/**,**/.git/**}';

/** A folder path from a command argument (Uri or path string), or undefined when the argument names none. */
export function folderFromArgument(target: unknown): string | undefined {
  const path = target instanceof vscode.Uri ? (target.scheme === 'file' ? target.fsPath : undefined)
    : typeof target === 'string' ? target : undefined;
  if (!path) return undefined;
  try {
    return statSync(path).isDirectory() ? path : dirname(path);
  } catch {
    return dirname(path);
  }
}

export async function resolveServiceFolder(target: unknown, title: string): Promise<string | undefined> {
  const fromArgument = folderFromArgument(target);
  if (fromArgument) {
    if (existsSync(join(fromArgument, ENTRY_FILE))) return fromArgument;
    void vscode.window.showErrorMessage(`${title}: ${fromArgument} has no ${ENTRY_FILE}. A service folder holds the service's ${ENTRY_FILE} (and optionally ${MANIFEST_FILE}).`);
    return undefined;
  }
  const entries = await vscode.workspace.findFiles(`**/${ENTRY_FILE}`, EXCLUDE, 200);
  const folders = [...new Set(entries.map((uri) => dirname(uri.fsPath)))].sort();
  if (folders.length === 0) {
    void vscode.window.showErrorMessage(`${title}: no ${ENTRY_FILE} in this workspace. Create a service (a folder with a ${ENTRY_FILE} that calls modelcloud.run()) first.`);
    return undefined;
  }
  const active = vscode.window.activeTextEditor?.document.uri;
  const activeFolder = active?.scheme === 'file' && [ENTRY_FILE, MANIFEST_FILE].includes(basename(active.fsPath)) ? dirname(active.fsPath) : undefined;
  if (activeFolder && folders.includes(activeFolder)) {
    folders.splice(folders.indexOf(activeFolder), 1);
    folders.unshift(activeFolder);
  }
  if (folders.length === 1) return folders[0];
  const picked = await vscode.window.showQuickPick(
    folders.map((folder) => ({
      label: basename(folder),
      description: vscode.workspace.asRelativePath(folder),
      detail: existsSync(join(folder, MANIFEST_FILE)) ? `${MANIFEST_FILE} + ${ENTRY_FILE}` : ENTRY_FILE,
      folder,
    })),
    { title, placeHolder: `Choose the service folder (folders with a ${ENTRY_FILE})` },
  );
  return picked?.folder;
}
