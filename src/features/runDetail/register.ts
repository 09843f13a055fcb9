// Command "Open Run Details": one Run detail tab per run (revealed again when already open).
import * as vscode from 'vscode';
import type { TrackingStore } from '../../platform/store/trackingStore.api';
import { runLabel } from '../../core/experiments/format';
import type { ExperimentsNode } from '../experiments/nodes';
import { pickRun, runIdsFromArgs, selectedRunIds } from '../compare/runPicker';
import { COMMAND } from '../commandIds';
import { RunDetailPanel } from './runDetailPanel';

export const RUN_DETAIL_COMMAND = COMMAND.runOpenDetail;

export interface RunDetailCommandDeps {
  store: TrackingStore;
  extensionUri: vscode.Uri;
  storeDir: string;
  view?: vscode.TreeView<ExperimentsNode>;
  onStoreChanged(): void;
}

export interface RunDetails {
  disposables: vscode.Disposable[];
  /** Opens (or reveals) the detail tab of a run; undefined when the run does not exist. */
  open(runId: string): RunDetailPanel | undefined;
}

export function registerRunDetailCommands(deps: RunDetailCommandDeps): RunDetails {
  const panels = new Map<string, RunDetailPanel>();
  const open = (runId: string): RunDetailPanel | undefined => {
    const existing = panels.get(runId);
    if (existing) {
      existing.reveal();
      existing.sendState();
      return existing;
    }
    const run = deps.store.getRun(runId);
    if (!run) {
      void vscode.window.showErrorMessage(`No run ${runId} in this workspace's tracking store; refresh the Experiments view and try again.`);
      return undefined;
    }
    const panel = new RunDetailPanel(deps, runId, `Run: ${runLabel(run)}`);
    panels.set(runId, panel);
    panel.dashboard.panel.onDidDispose(() => panels.delete(runId));
    return panel;
  };
  const command = vscode.commands.registerCommand(RUN_DETAIL_COMMAND, async (first?: unknown, second?: unknown) => {
    const runId = runIdsFromArgs(deps.store, first, second)?.[0]
      ?? selectedRunIds(deps.view)[0]
      ?? await pickRun(deps.store, 'Open Run Details');
    return runId === undefined ? undefined : open(runId);
  });
  return {
    disposables: [command, { dispose: () => { for (const p of [...panels.values()]) p.dispose(); } }],
    open,
  };
}
