// The Deployments view: services (state icon, revision, model version, URL) → their revisions
// (newest first; the active one marked). Services come from the shared ServiceList; revisions
// are read when a service is expanded.
import * as vscode from 'vscode';
import type { Revision, ServiceManager, ServiceState, ServiceStatus } from '../../platform/deploy/serviceManager.api';
import {
  isRunning, revisionDescription, revisionTooltip, serviceDescription, serviceTooltip,
} from './format';
import type { ServiceList } from './serviceList';

export type DeploymentsNode =
  | { kind: 'service'; service: ServiceStatus }
  | { kind: 'revision'; service: ServiceStatus; revision: Revision }
  | { kind: 'message'; service: ServiceStatus; text: string };

/** What the view shows right now: for tests (through the extension API) and diagnostics. */
export interface DeploymentsSnapshot {
  services: Array<{ name: string; label: string; description: string; state: ServiceState; contextValue: string; revisions: Array<{ revision: number; description: string; contextValue: string }> }>;
}

export class DeploymentsTreeProvider implements vscode.TreeDataProvider<DeploymentsNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<DeploymentsNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly subscription: vscode.Disposable;

  constructor(private readonly list: ServiceList, private readonly manager: ServiceManager) {
    this.subscription = list.onDidChange(() => this.changed.fire(undefined));
  }

  /** Redraws (revisions are re-read for expanded services) without re-listing services. */
  redraw(): void {
    this.changed.fire(undefined);
  }

  async getChildren(node?: DeploymentsNode): Promise<DeploymentsNode[]> {
    if (!node) return this.list.services.map((service) => ({ kind: 'service', service }));
    if (node.kind !== 'service') return [];
    try {
      const revisions = await this.manager.revisions(node.service.name);
      if (revisions.length === 0) return [{ kind: 'message', service: node.service, text: 'No revisions recorded' }];
      return [...revisions].sort((a, b) => b.revision - a.revision)
        .map((revision) => ({ kind: 'revision', service: node.service, revision }));
    } catch (error) {
      return [{ kind: 'message', service: node.service, text: `Could not read revisions: ${error instanceof Error ? error.message : String(error)}` }];
    }
  }

  getTreeItem(node: DeploymentsNode): vscode.TreeItem {
    if (node.kind === 'service') return serviceItem(node.service);
    if (node.kind === 'revision') return revisionItem(node.service, node.revision, Date.now());
    const item = new vscode.TreeItem(node.text, vscode.TreeItemCollapsibleState.None);
    item.id = `service:${node.service.name}:message`;
    item.iconPath = new vscode.ThemeIcon('info');
    return item;
  }

  getParent(node: DeploymentsNode): DeploymentsNode | undefined {
    return node.kind === 'service' ? undefined : { kind: 'service', service: node.service };
  }

  async snapshot(): Promise<DeploymentsSnapshot> {
    const services: DeploymentsSnapshot['services'] = [];
    for (const service of this.list.services) {
      const item = serviceItem(service);
      const revisions = (await this.getChildren({ kind: 'service', service }))
        .filter((n): n is Extract<DeploymentsNode, { kind: 'revision' }> => n.kind === 'revision')
        .map((n) => {
          const r = revisionItem(service, n.revision, Date.now());
          return { revision: n.revision.revision, description: String(r.description ?? ''), contextValue: r.contextValue ?? '' };
        });
      services.push({
        name: service.name, label: String(item.label), description: String(item.description ?? ''),
        state: service.state, contextValue: item.contextValue ?? '', revisions,
      });
    }
    return { services };
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}

/** contextValue `service.<state>` (+ `.url` when it answers HTTP): menus key on both. */
function serviceItem(s: ServiceStatus): vscode.TreeItem {
  const item = new vscode.TreeItem(s.name, vscode.TreeItemCollapsibleState.Collapsed);
  item.id = `service:${s.name}`;
  item.description = serviceDescription(s);
  item.tooltip = new vscode.MarkdownString(serviceTooltip(s));
  item.iconPath = stateIcon(s.state);
  item.contextValue = `service.${s.state}${s.url && isRunning(s.state) ? '.url' : ''}`;
  return item;
}

function revisionItem(service: ServiceStatus, r: Revision, now: number): vscode.TreeItem {
  const item = new vscode.TreeItem(`r${r.revision}`, vscode.TreeItemCollapsibleState.None);
  item.id = `service:${service.name}:r${r.revision}`;
  item.description = revisionDescription(r, now);
  item.tooltip = new vscode.MarkdownString(revisionTooltip(r));
  item.iconPath = revisionIcon(r.status);
  item.contextValue = `revision.${r.status}`;
  return item;
}

export function stateIcon(state: ServiceState): vscode.ThemeIcon {
  switch (state) {
    case 'healthy': return new vscode.ThemeIcon('pass-filled', new vscode.ThemeColor('testing.iconPassed'));
    case 'degraded': return new vscode.ThemeIcon('warning', new vscode.ThemeColor('list.warningForeground'));
    case 'starting': return new vscode.ThemeIcon('loading~spin');
    case 'stopped': return new vscode.ThemeIcon('debug-stop', new vscode.ThemeColor('disabledForeground'));
    case 'failed': return new vscode.ThemeIcon('error', new vscode.ThemeColor('testing.iconFailed'));
  }
}

function revisionIcon(status: Revision['status']): vscode.ThemeIcon {
  switch (status) {
    case 'active': return new vscode.ThemeIcon('circle-filled', new vscode.ThemeColor('testing.iconPassed'));
    case 'previous': return new vscode.ThemeIcon('history');
    case 'failed': return new vscode.ThemeIcon('error', new vscode.ThemeColor('testing.iconFailed'));
    case 'retired': return new vscode.ThemeIcon('circle-outline', new vscode.ThemeColor('disabledForeground'));
  }
}
