// The "A/B Experiments" view: one item per experiment (store rows and router folders) with its
// status; clicking opens its dashboard. Re-read every few seconds while visible.
import * as vscode from 'vscode';
import { COMMAND } from '../commandIds';
import type { AbExperimentSummary, AbSources } from './abSources';

export const AB_TREE_POLL_MS = 5_000;

const ICONS: Record<AbExperimentSummary['status'], string> = {
  running: 'debug-start', paused: 'debug-pause', stopped: 'debug-stop', unknown: 'question',
};

export class AbExperimentsTree implements vscode.TreeDataProvider<AbExperimentSummary>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private items: AbExperimentSummary[] = [];

  constructor(private readonly sources: AbSources) {}

  refresh(): void {
    this.changed.fire(undefined);
  }

  async getChildren(element?: AbExperimentSummary): Promise<AbExperimentSummary[]> {
    if (element) return [];
    try {
      this.items = await this.sources.experiments();
    } catch {
      this.items = [];
    }
    return this.items;
  }

  getTreeItem(e: AbExperimentSummary): vscode.TreeItem {
    const item = new vscode.TreeItem(e.id, vscode.TreeItemCollapsibleState.None);
    item.description = `${e.status}${e.routerRunning ? '' : e.status === 'stopped' ? '' : ' · router not running'}${e.title ? ` · ${e.title}` : ''}`;
    item.iconPath = new vscode.ThemeIcon(ICONS[e.status]);
    item.contextValue = `abExperiment.${e.status}`;
    item.tooltip = `${e.title ?? e.id}\nStatus: ${e.status}${e.routerRunning ? ' (router running)' : ''}`;
    item.command = { command: COMMAND.abOpen, title: 'Open A/B Dashboard', arguments: [e.id] };
    return item;
  }

  /** What the view shows now (tests). */
  snapshot(): Array<{ id: string; status: string }> {
    return this.items.map((e) => ({ id: e.id, status: e.status }));
  }

  dispose(): void {
    this.changed.dispose();
  }
}
