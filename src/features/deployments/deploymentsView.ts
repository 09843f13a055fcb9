// Wires the Deployments view: the service list (polled fast while the view is visible, slowly
// otherwise for the status bar), the tree, the status bar item and the item commands.
import * as vscode from 'vscode';
import type { ServiceManager } from '../../platform/deploy/serviceManager.api';
import { COMMAND, VIEW } from '../commandIds';
import { EmptyTreeProvider } from '../models/tree';
import type { ReadOnlyDocuments } from '../services/readOnlyDocuments';
import { registerDeploymentCommands } from './register';
import { FAST_INTERVAL_MS, ServiceList, SLOW_INTERVAL_MS } from './serviceList';
import { createDeploymentsStatusBar, type DeploymentsStatusBar } from './statusBar';
import { DeploymentsTreeProvider, type DeploymentsNode, type DeploymentsSnapshot } from './tree';
import type { LogTails } from './logTail';

export interface Deployments {
  disposables: vscode.Disposable[];
  list: ServiceList;
  tree: DeploymentsTreeProvider;
  tails: LogTails;
  statusBar: DeploymentsStatusBar;
  /** Re-lists services and redraws the view (after a deploy, a rollback...). */
  refresh(): Promise<void>;
  snapshot(): Promise<DeploymentsSnapshot>;
}

export function registerDeploymentsView(manager: ServiceManager, docs: ReadOnlyDocuments, log: (line: string) => void): Deployments {
  const list = new ServiceList(manager, log);
  const tree = new DeploymentsTreeProvider(list, manager);
  const view = vscode.window.createTreeView<DeploymentsNode>(VIEW.deployments, { treeDataProvider: tree, showCollapseAll: true });
  const showError = (): void => {
    view.message = list.lastError ? `Could not list services: ${list.lastError}` : undefined;
  };
  const errorSubscription = list.onDidChange(showError);
  const poll = (): void => list.pollEvery(view.visible ? FAST_INTERVAL_MS : SLOW_INTERVAL_MS);
  poll();
  const visibility = view.onDidChangeVisibility((event) => {
    poll();
    if (event.visible) void list.refresh();
  });
  const commands = registerDeploymentCommands({ manager, list, tree, view, docs, log });
  const statusBar = createDeploymentsStatusBar(list, `${VIEW.deployments}.focus`);
  void list.refresh();
  const refresh = async (): Promise<void> => {
    await list.refresh();
    tree.redraw();
  };
  return {
    disposables: [list, tree, view, errorSubscription, visibility, statusBar, ...commands.disposables],
    list, tree, tails: commands.tails, statusBar, refresh, snapshot: () => tree.snapshot(),
  };
}

/** Item commands of the Deployments view while the deploy machinery is unavailable: each says why. */
const ITEM_COMMANDS = [
  COMMAND.deploymentsRefresh, COMMAND.serviceOpenDocs, COMMAND.serviceTailLogs, COMMAND.serviceStop, COMMAND.serviceRestart,
  COMMAND.serviceScale, COMMAND.serviceRollback, COMMAND.serviceCopyUrl, COMMAND.serviceHotUpdate, COMMAND.revisionRollbackTo,
] as const;

export function registerDeploymentsUnavailable(reason: string): vscode.Disposable[] {
  return [
    vscode.window.registerTreeDataProvider(VIEW.deployments, new EmptyTreeProvider()),
    ...ITEM_COMMANDS.map((id) => vscode.commands.registerCommand(id, () => {
      void vscode.window.showErrorMessage(`Deployments are unavailable: ${reason}`);
    })),
  ];
}
