// The Models view: registered models read from MLflow registries (mlruns/models/) → their
// versions with stage and aliases. Empty (so the welcome text shows) until a registry exists.
import * as vscode from 'vscode';
import type { RegisteredModelSummary, TrackingStore } from '../../platform/store/trackingStore.api';

type ModelVersion = RegisteredModelSummary['versions'][number];

export type ModelsNode =
  | { kind: 'model'; model: RegisteredModelSummary }
  | { kind: 'version'; model: string; version: ModelVersion };

export class ModelsTreeProvider implements vscode.TreeDataProvider<ModelsNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<ModelsNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;

  constructor(private readonly store: TrackingStore | undefined) {}

  refresh(): void {
    this.changed.fire(undefined);
  }

  getChildren(node?: ModelsNode): ModelsNode[] {
    if (!this.store) return [];
    if (!node) return this.store.listRegisteredModels().map((model) => ({ kind: 'model', model }));
    if (node.kind !== 'model') return [];
    return [...node.model.versions]
      .sort((a, b) => b.version - a.version)
      .map((version) => ({ kind: 'version', model: node.model.name, version }));
  }

  getTreeItem(node: ModelsNode): vscode.TreeItem {
    if (node.kind === 'model') {
      const item = new vscode.TreeItem(node.model.name, vscode.TreeItemCollapsibleState.Collapsed);
      item.id = `model:${node.model.name}`;
      const count = node.model.versions.length;
      item.description = `${count} ${count === 1 ? 'version' : 'versions'}`;
      if (node.model.description) item.tooltip = node.model.description;
      item.iconPath = new vscode.ThemeIcon('package');
      item.contextValue = 'model';
      return item;
    }
    const { version } = node;
    const item = new vscode.TreeItem(`v${version.version}`, vscode.TreeItemCollapsibleState.None);
    item.id = `model:${node.model}:v${version.version}`;
    item.description = versionDescription(version);
    const lines = [`${node.model} v${version.version}`];
    if (version.runId) lines.push(`Run: ${version.runId}`);
    if (version.source) lines.push(`Source: ${version.source}`);
    item.tooltip = lines.join('\n');
    item.iconPath = new vscode.ThemeIcon('versions');
    item.contextValue = 'modelVersion';
    return item;
  }

  dispose(): void {
    this.changed.dispose();
  }
}

/** "Production · @champion @latest"; MLflow's "None" stage is left out. */
export function versionDescription(version: ModelVersion): string {
  const parts: string[] = [];
  if (version.stage && version.stage !== 'None') parts.push(version.stage);
  if (version.aliases.length > 0) parts.push(version.aliases.map((alias) => `@${alias}`).join(' '));
  return parts.join(' · ');
}

/** The Deployments view has no data yet: an empty provider makes its welcome text show. */
export class EmptyTreeProvider implements vscode.TreeDataProvider<never> {
  getChildren(): never[] {
    return [];
  }
  getTreeItem(element: never): vscode.TreeItem {
    return element;
  }
}
