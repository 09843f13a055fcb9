// "Modelcloud: Open Runs Dashboard": from the Command Palette (all experiments), from an
// experiment in the Experiments view (that experiment) or several selected ones (all of them).
// One panel per set of experiments: opening the same set again reveals it. The command returns
// the panel's controller so tests can drive its message handling.
import * as vscode from 'vscode';
import { RunsDashboardController } from './panel';
import { RunsSource, type RunsDashboardStore } from './runsSource';

export const OPEN_RUNS_DASHBOARD_COMMAND = 'modelcloud.openRunsDashboard';

export interface RunsDashboardFeatureDeps {
  store: RunsDashboardStore;
  extensionUri: vscode.Uri;
  workspaceState: vscode.Memento;
  workspaceRoot: vscode.Uri | undefined;
}

export function registerRunsDashboard(deps: RunsDashboardFeatureDeps): vscode.Disposable[] {
  const open = new Map<string, RunsDashboardController>();
  return [
    vscode.commands.registerCommand(OPEN_RUNS_DASHBOARD_COMMAND, (target?: unknown, selected?: unknown) => {
      const experimentIds = experimentIdsOf(target, selected, deps.store);
      const key = experimentIds ? experimentIds.join(',') : '*';
      const existing = open.get(key);
      if (existing) {
        existing.reveal();
        return existing;
      }
      const source = new RunsSource(deps.store, experimentIds);
      const controller = new RunsDashboardController({
        source,
        title: titleFor(source),
        extensionUri: deps.extensionUri,
        workspaceState: deps.workspaceState,
        defaultExportFolder: deps.workspaceRoot,
        onDispose: () => open.delete(key),
      });
      open.set(key, controller);
      return controller;
    }),
    { dispose: () => [...open.values()].forEach((c) => c.dispose()) },
  ];
}

/**
 * The experiments a command invocation means, sorted; undefined = all. Tree menus pass the
 * clicked node and the whole selection; scripts may pass experiment ids or names.
 */
export function experimentIdsOf(target: unknown, selected: unknown, store: RunsDashboardStore): number[] | undefined {
  const items = Array.isArray(selected) && selected.length > 0 ? selected : Array.isArray(target) ? target : target === undefined ? [] : [target];
  const ids = new Set<number>();
  let names: Map<string, number> | undefined;
  for (const item of items) {
    if (typeof item === 'number') ids.add(item);
    else if (typeof item === 'string') {
      names ??= new Map(store.listExperiments().map((e) => [e.name, e.id]));
      const id = names.get(item);
      if (id === undefined) throw new Error(`No experiment named "${item}" in this workspace's tracking store.`);
      ids.add(id);
    } else if (isExperimentNode(item)) ids.add(item.experiment.id);
    else if (isRunNode(item)) ids.add(item.run.experimentId);
  }
  return ids.size > 0 ? [...ids].sort((a, b) => a - b) : undefined;
}

function titleFor(source: RunsSource): string {
  if (!source.experimentIds) return 'Runs: all experiments';
  const names = source.experiments().map((e) => e.name);
  if (names.length <= 2) return `Runs: ${names.join(', ')}`;
  return `Runs: ${names[0]} + ${names.length - 1} more`;
}

function isExperimentNode(value: unknown): value is { kind: 'experiment'; experiment: { id: number } } {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'experiment';
}

function isRunNode(value: unknown): value is { kind: 'run'; run: { experimentId: number } } {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'run';
}
