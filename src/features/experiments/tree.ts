// The Experiments view: experiment → runs (newest first, paged), read straight from the
// store on every refresh. Refreshes are coalesced so a burst of ingests repaints once.
import * as vscode from 'vscode';
import type { TrackingStore } from '../../platform/store/trackingStore.api';
import { experimentDescription, runDescription, runLabel, statusText } from '../../core/experiments/format';
import { runTooltipMarkdown } from '../../core/experiments/runTooltip';
import type { ExperimentsTreeSnapshot } from '../api';
import { COMMAND } from '../commandIds';
import type { ExperimentsNode, RunNode } from './nodes';
import { runStatusIcon } from './statusIcon';

/** Runs per page: enough to browse, small enough that a 100,000-run experiment expands instantly. */
export const RUNS_PAGE_SIZE = 200;
/** Refresh requests within this window become one repaint. */
const REFRESH_COALESCE_MS = 50;

export interface ExperimentsTreeOptions {
  /** The `modelcloud.experiments.primaryMetric` setting, read on every refresh. */
  configuredPrimaryMetric(): string;
  now?(): number;
}

export class ExperimentsTreeProvider implements vscode.TreeDataProvider<ExperimentsNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<ExperimentsNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  /** Runs shown per experiment id, grown by "Show more…". */
  private readonly shownRuns = new Map<number, number>();
  private refreshes = 0;
  private refreshTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly now: () => number;

  constructor(private readonly store: TrackingStore, private readonly options: ExperimentsTreeOptions) {
    this.now = options.now ?? Date.now;
  }

  /** Schedules one repaint for all refresh requests of the next few milliseconds. */
  refresh(): void {
    if (this.refreshTimer !== undefined) return;
    this.refreshTimer = setTimeout(() => {
      this.refreshTimer = undefined;
      this.refreshes++;
      this.changed.fire(undefined);
    }, REFRESH_COALESCE_MS);
  }

  refreshCount(): number {
    return this.refreshes;
  }

  showMore(experimentId: number): void {
    this.shownRuns.set(experimentId, this.pageLimit(experimentId) + RUNS_PAGE_SIZE);
    this.refresh();
  }

  getChildren(node?: ExperimentsNode): ExperimentsNode[] {
    if (!node) {
      const roots: ExperimentsNode[] = this.store.listExperiments().map((experiment) => ({ kind: 'experiment', experiment }));
      const deleted = this.store.listDeletedRuns().length;
      if (deleted > 0) roots.push({ kind: 'trash', count: deleted });
      return roots;
    }
    if (node.kind === 'trash') return this.store.listDeletedRuns().map((run) => ({ kind: 'deletedRun', run }));
    if (node.kind !== 'experiment') return [];
    const limit = this.pageLimit(node.experiment.id);
    // One extra row tells whether a "Show more…" node is needed without counting all runs.
    const runs = this.store.listRuns(node.experiment.id, { limit: limit + 1, primaryMetric: this.options.configuredPrimaryMetric() });
    const children: ExperimentsNode[] = runs.slice(0, limit).map((run) => ({ kind: 'run', run }));
    if (runs.length > limit) {
      children.push({ kind: 'more', experimentId: node.experiment.id, shown: limit, total: Math.max(node.experiment.runCount, limit + 1) });
    }
    return children;
  }

  /** Lets TreeView.reveal find a run's experiment (notebook run cards reveal their run). */
  getParent(node: ExperimentsNode): ExperimentsNode | undefined {
    if (node.kind !== 'run' && node.kind !== 'more') return undefined;
    const experimentId = node.kind === 'run' ? node.run.experimentId : node.experimentId;
    const experiment = this.store.listExperiments().find((e) => e.id === experimentId);
    return experiment ? { kind: 'experiment', experiment } : undefined;
  }

  getTreeItem(node: ExperimentsNode): vscode.TreeItem {
    switch (node.kind) {
      case 'experiment': {
        const { experiment } = node;
        const item = new vscode.TreeItem(
          experiment.name,
          experiment.runningCount > 0 ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed,
        );
        item.id = `experiment:${experiment.id}`;
        item.description = experimentDescription(experiment);
        item.iconPath = new vscode.ThemeIcon('beaker');
        item.contextValue = 'experiment';
        return item;
      }
      case 'run': {
        const { run } = node;
        const item = new vscode.TreeItem(runLabel(run), vscode.TreeItemCollapsibleState.None);
        item.id = `run:${run.id}`;
        item.description = runDescription(run.primaryMetric);
        item.iconPath = runStatusIcon(run.status);
        // "run.withSource" enables Open Source; every run command matches /^run/.
        item.contextValue = run.source.path ? 'run.withSource' : 'run';
        item.accessibilityInformation = {
          label: [runLabel(run), statusText(run.status), item.description].filter(Boolean).join(', '),
        };
        return item;
      }
      case 'trash': {
        const item = new vscode.TreeItem('Trash', vscode.TreeItemCollapsibleState.Collapsed);
        item.id = 'trash';
        item.description = `${node.count.toLocaleString('en-US')} deleted ${node.count === 1 ? 'run' : 'runs'}`;
        item.iconPath = new vscode.ThemeIcon('trash');
        item.contextValue = 'trash';
        return item;
      }
      case 'deletedRun': {
        const { run } = node;
        const item = new vscode.TreeItem(runLabel(run), vscode.TreeItemCollapsibleState.None);
        item.id = `deletedRun:${run.id}`;
        item.description = run.experiment;
        item.iconPath = new vscode.ThemeIcon('circle-slash');
        item.contextValue = 'deletedRun';
        item.tooltip = `Deleted run ${run.id} of experiment "${run.experiment}". Restore it, or delete it permanently.`;
        return item;
      }
      case 'more': {
        const item = new vscode.TreeItem('Show more…', vscode.TreeItemCollapsibleState.None);
        item.id = `more:${node.experimentId}`;
        item.description = `${node.shown.toLocaleString('en-US')} of ${node.total.toLocaleString('en-US')} shown`;
        item.iconPath = new vscode.ThemeIcon('ellipsis');
        item.contextValue = 'more';
        item.command = { command: COMMAND.experimentsShowMore, title: 'Show More Runs', arguments: [node.experimentId] };
        return item;
      }
    }
  }

  /** Tooltips need params and all metrics: built only when the user hovers. */
  resolveTreeItem(item: vscode.TreeItem, node: ExperimentsNode): vscode.TreeItem {
    if (node.kind === 'run') {
      const detail = this.store.getRun(node.run.id);
      if (detail) item.tooltip = new vscode.MarkdownString(runTooltipMarkdown(detail, this.now())); // untrusted by default
    }
    return item;
  }

  snapshot(): ExperimentsTreeSnapshot {
    return {
      experiments: this.getChildren().filter((n) => n.kind === 'experiment').map((experimentNode) => {
        const item = this.getTreeItem(experimentNode);
        const children = this.getChildren(experimentNode);
        const runs = children.filter((child): child is RunNode => child.kind === 'run').map((runNode) => ({
          id: runNode.run.id,
          label: String(this.getTreeItem(runNode).label),
          description: String(this.getTreeItem(runNode).description ?? ''),
          status: runNode.run.status,
        }));
        return {
          id: experimentNode.kind === 'experiment' ? experimentNode.experiment.id : -1,
          label: String(item.label),
          description: String(item.description ?? ''),
          runs,
          hasMore: children.some((child) => child.kind === 'more'),
        };
      }),
    };
  }

  dispose(): void {
    if (this.refreshTimer !== undefined) clearTimeout(this.refreshTimer);
    this.changed.dispose();
  }

  private pageLimit(experimentId: number): number {
    return this.shownRuns.get(experimentId) ?? RUNS_PAGE_SIZE;
  }
}
