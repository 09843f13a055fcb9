// What every integration test needs: the activated extension's API and the fixture workspace.
import * as vscode from 'vscode';
import type { ModelcloudApi } from '../../src/features/api';
import type { TrackingStore } from '../../src/platform/store/trackingStore.api';

export const EXTENSION_ID = 'modelcloud.modelcloud';

export async function activatedApi(): Promise<ModelcloudApi> {
  const extension = vscode.extensions.getExtension<ModelcloudApi>(EXTENSION_ID);
  if (!extension) throw new Error(`extension ${EXTENSION_ID} is not loaded in this extension host`);
  return extension.activate();
}

export function storeOf(api: ModelcloudApi): TrackingStore {
  if (!api.store) throw new Error('the extension has no store: is a workspace folder open?');
  return api.store;
}

export function workspaceRoot(): string {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) throw new Error('the integration suite needs the fixture workspace open');
  return folder.uri.fsPath;
}

/** Polls until `check` returns a value (not undefined) or `timeoutMs` passes; returns the value and the wait. */
export async function waitFor<T>(what: string, check: () => T | undefined, timeoutMs: number): Promise<{ value: T; ms: number }> {
  const started = Date.now();
  for (;;) {
    const value = check();
    if (value !== undefined) return { value, ms: Date.now() - started };
    if (Date.now() - started > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

export const RUN_RF3 = '5f2a9c0e1b3d4f6a8c7e9d0b1a2c3e4f';
export const RUN_RF8 = '7b1e3d5f9a0c2e4b6d8f0a1c3e5b7d9f';
export const RUN_LOGREG = '0c4e8a2d6f1b5e9c3a7d0f4b8e2c6a1d';
