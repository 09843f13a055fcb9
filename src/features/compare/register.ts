// Command "Compare Runs": from the Experiments view with several runs selected, on an
// experiment (its newest runs), from scripts with run ids, or from the Command Palette with a
// multi-select QuickPick. Returns the ComparePanel (tests call its handleMessage).
import * as vscode from 'vscode';
import type { TrackingStore } from '../../platform/store/trackingStore.api';
import { runLabel } from '../../core/experiments/format';
import type { ExperimentsNode } from '../experiments/nodes';
import { COMMAND } from '../commandIds';
import { ComparePanel } from './comparePanel';
import { pickRuns, runIdsFromArgs, selectedRunIds } from './runPicker';

export const COMPARE_COMMAND = COMMAND.compareRuns;

export interface CompareCommandDeps {
  store: TrackingStore;
  extensionUri: vscode.Uri;
  view?: vscode.TreeView<ExperimentsNode>;
  openRunDetail(runId: string): unknown;
}

export function registerCompareCommands(deps: CompareCommandDeps): vscode.Disposable[] {
  const panels = new Set<ComparePanel>();
  const command = vscode.commands.registerCommand(COMPARE_COMMAND, async (first?: unknown, second?: unknown) => {
    let runIds = runIdsFromArgs(deps.store, first, second);
    if (!runIds) {
      const selected = selectedRunIds(deps.view);
      // From the palette with runs selected in the tree, compare those; with one or none, ask.
      runIds = selected.length > 1 ? selected : await pickRuns(deps.store, 'Compare Runs');
    }
    if (!runIds || runIds.length === 0) return undefined;
    const panel = new ComparePanel(deps, runIds, titleOf(deps.store, runIds));
    panels.add(panel);
    panel.dashboard.panel.onDidDispose(() => panels.delete(panel));
    return panel;
  });
  return [command, { dispose: () => { for (const p of [...panels]) p.dispose(); } }];
}

function titleOf(store: TrackingStore, runIds: string[]): string {
  if (runIds.length > 3) return `Compare ${runIds.length} Runs`;
  const names = runIds.map((id) => { const run = store.getRun(id); return run ? runLabel(run) : id.slice(0, 8); });
  return `Compare: ${names.join(' · ')}`;
}
