// Workspace Trust: building images, deploying and inspecting run code from the workspace
// (cloud_model.py, requirements, Dockerfile steps). package.json hides those commands in
// untrusted workspaces; this check covers every other way in (keybindings, scripts, links).
import * as vscode from 'vscode';

const MANAGE_TRUST = 'Manage Workspace Trust';

/** True when the workspace is trusted; otherwise says why `action` is disabled and offers to manage trust. */
export function requireTrust(action: string): boolean {
  if (vscode.workspace.isTrusted) return true;
  void vscode.window.showWarningMessage(
    `${action} is disabled in Restricted Mode: it runs code from this workspace. Trust the workspace to enable it.`,
    MANAGE_TRUST,
  ).then((choice) => {
    if (choice === MANAGE_TRUST) void vscode.commands.executeCommand('workbench.trust.manage');
  });
  return false;
}
