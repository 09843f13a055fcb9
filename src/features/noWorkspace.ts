// Without an open folder (or when the store cannot be opened) there is no store to show: the views stay empty (their welcome
// text explains what to do) and every command says so instead of failing.
import * as vscode from 'vscode';
import type { ModelcloudApi } from './api';
import { COMMAND, VIEW } from './commandIds';
import { EmptyTreeProvider } from './models/tree';

export const NEEDS_FOLDER = 'Modelcloud needs an open folder: open the folder your training code lives in (File > Open Folder…).';

/** `reason` is what every command and ingestNow() answer. */
export function registerWithoutStore(context: vscode.ExtensionContext, reason: string): ModelcloudApi {
  context.subscriptions.push(
    vscode.window.registerTreeDataProvider(VIEW.experiments, new EmptyTreeProvider()),
    vscode.window.registerTreeDataProvider(VIEW.models, new EmptyTreeProvider()),
  );
  for (const id of Object.values(COMMAND)) {
    if (id === COMMAND.showOutput) continue; // works without a folder, registered by activate
    context.subscriptions.push(vscode.commands.registerCommand(id, () => {
      void vscode.window.showInformationMessage(reason);
    }));
  }
  return {
    apiVersion: 1,
    store: undefined,
    ingestNow: () => Promise.reject(new Error(reason)),
    experimentsView: { refreshCount: () => 0, snapshot: () => ({ experiments: [] }) },
  };
}
