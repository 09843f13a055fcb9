// The Models view: every registered model of the workspace registry (MLflow registries and models
// registered through Modelcloud alike, read through RegistryStore) → its versions, newest first,
// with stage badge, aliases and the source run's key metric → the version's files.
import * as vscode from 'vscode';
import { formatBytes } from '../../protocol/format';
import type { ModelFile, ModelVersionDetail, RegisteredModel, RegistryStore } from '../../platform/registry/registryStore';
import { isDatasetModel } from '../../core/registry/lineage';

export type ModelsNode =
  | { kind: 'model'; model: RegisteredModel }
  | { kind: 'version'; model: string; version: ModelVersionDetail; metric?: { key: string; value: number } }
  | { kind: 'file'; model: string; version: number; file: ModelFile };

/** What the view shows, for tests: labels and descriptions of every model, version and file. */
export interface ModelsTreeSnapshot {
  models: Array<{
    label: string; description: string;
    versions: Array<{ label: string; description: string; contextValue: string; files: Array<{ label: string; description: string }> }>;
  }>;
}

export interface ModelsTreeOptions {
  /** The metric shown beside each version (the Experiments primary metric setting); '' for none. */
  keyMetric(): string;
}

export class ModelsTreeProvider implements vscode.TreeDataProvider<ModelsNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<ModelsNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;

  constructor(private readonly registry: RegistryStore | undefined, private readonly options: ModelsTreeOptions = { keyMetric: () => '' }) {}

  refresh(): void {
    this.changed.fire(undefined);
  }

  getChildren(node?: ModelsNode): ModelsNode[] {
    if (!this.registry) return [];
    if (!node) return this.registry.listModels().map((model) => ({ kind: 'model', model }));
    if (node.kind === 'model') return this.versionNodes(node.model);
    if (node.kind === 'version') {
      return node.version.files.map((file) => ({ kind: 'file', model: node.model, version: node.version.version, file }));
    }
    return [];
  }

  getTreeItem(node: ModelsNode): vscode.TreeItem {
    if (node.kind === 'model') {
      const item = new vscode.TreeItem(node.model.name, vscode.TreeItemCollapsibleState.Collapsed);
      item.id = `model:${node.model.name}`;
      const count = node.model.versions.length;
      item.description = `${count} ${count === 1 ? 'version' : 'versions'}`;
      if (node.model.description) item.tooltip = node.model.description;
      // Tracked datasets (Track Data File…) look different; their versions push and pull like models'.
      const dataset = isDatasetModel(node.model.tags);
      if (dataset) item.description += ' · dataset';
      item.iconPath = new vscode.ThemeIcon(dataset ? 'database' : 'package');
      item.contextValue = dataset ? 'model.dataset' : 'model';
      return item;
    }
    if (node.kind === 'file') {
      const item = new vscode.TreeItem(node.file.path, vscode.TreeItemCollapsibleState.None);
      item.id = `model:${node.model}:v${node.version}:${node.file.path}`;
      item.description = fileDescription(node.file);
      item.tooltip = `${node.file.path}\n${node.file.size} bytes\nsha256 ${node.file.sha256}`;
      item.iconPath = new vscode.ThemeIcon('file-binary');
      item.contextValue = 'modelFile';
      return item;
    }
    const { version } = node;
    const item = new vscode.TreeItem(`v${version.version}`,
      version.files.length ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
    item.id = `model:${node.model}:v${version.version}`;
    item.description = versionDescription(version, node.metric);
    const lines = [`models:/${node.model}/${version.version}`, `Stage: ${version.stage}`];
    if (version.aliases.length) lines.push(`Aliases: ${version.aliases.map((a) => `@${a}`).join(' ')}`);
    if (version.runId) lines.push(`Run: ${version.runId}`);
    if (version.source) lines.push(`Source: ${version.source}`);
    if (version.description) lines.push(version.description);
    item.tooltip = lines.join('\n');
    item.iconPath = new vscode.ThemeIcon('versions');
    // "modelVersion" plus ".run" when there is a source run to open (menus match with a regex).
    item.contextValue = version.runId ? 'modelVersion.run' : 'modelVersion';
    return item;
  }

  snapshot(): ModelsTreeSnapshot {
    const text = (value: string | vscode.TreeItemLabel | boolean | undefined): string =>
      typeof value === 'string' ? value : typeof value === 'object' ? value.label : '';
    return {
      models: this.getChildren().map((m) => ({
        label: text(this.getTreeItem(m).label), description: text(this.getTreeItem(m).description),
        versions: this.getChildren(m).map((v) => {
          const item = this.getTreeItem(v);
          return {
            label: text(item.label), description: text(item.description), contextValue: item.contextValue ?? '',
            files: this.getChildren(v).map((f) => ({ label: text(this.getTreeItem(f).label), description: text(this.getTreeItem(f).description) })),
          };
        }),
      })),
    };
  }

  dispose(): void {
    this.changed.dispose();
  }

  private versionNodes(model: RegisteredModel): ModelsNode[] {
    const key = this.options.keyMetric().replace(/^metrics\./, '');
    const metrics = new Map<number, number>();
    if (key) {
      for (const v of this.registry!.versionsWithMetric(model.name, key)) {
        if (typeof v.metric === 'number') metrics.set(v.version, v.metric);
      }
    }
    return [...model.versions]
      .sort((a, b) => b.version - a.version)
      .map((version) => {
        const value = metrics.get(version.version);
        return { kind: 'version', model: model.name, version, metric: value === undefined ? undefined : { key, value } };
      });
  }
}

/** "Production · @champion @latest · acc 0.93"; the "None" stage is left out. */
export function versionDescription(version: Pick<ModelVersionDetail, 'stage' | 'aliases'>, metric?: { key: string; value: number }): string {
  const parts: string[] = [];
  if (version.stage && version.stage !== 'None') parts.push(version.stage);
  if (version.aliases.length > 0) parts.push(version.aliases.map((alias) => `@${alias}`).join(' '));
  if (metric) parts.push(`${metric.key} ${formatMetric(metric.value)}`);
  return parts.join(' · ');
}

/** "12.3 KB · 3f2a9c0e". */
export function fileDescription(file: ModelFile): string {
  return `${formatBytes(file.size)} · ${file.sha256.slice(0, 8)}`;
}


function formatMetric(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toPrecision(4).replace(/\.?0+$/, '');
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
