// Status bar: "$(server) 2 healthy" (warning colours when a service is degraded, error colours
// when one failed); hidden while there are no services. A click focuses the Deployments view.
import * as vscode from 'vscode';
import type { ServiceStatus } from '../../platform/deploy/serviceManager.api';
import { statusBarSummary, worstState } from './format';
import type { ServiceList } from './serviceList';

export interface DeploymentsStatusBar extends vscode.Disposable {
  /** The item's text, undefined while hidden. */
  text(): string | undefined;
}

export function createDeploymentsStatusBar(list: ServiceList, focusCommand: string): DeploymentsStatusBar {
  const item = vscode.window.createStatusBarItem('modelcloud.deployments', vscode.StatusBarAlignment.Left, 10);
  item.name = 'Modelcloud Deployments';
  item.command = focusCommand;
  let visible = false;
  const update = (services: readonly ServiceStatus[]): void => {
    visible = services.length > 0;
    if (!visible) {
      item.hide();
      return;
    }
    const worst = worstState(services);
    item.text = `$(server) ${statusBarSummary(services)}`;
    item.tooltip = new vscode.MarkdownString(['**Modelcloud services** (click to show the Deployments view)', '',
      ...services.map((s) => `- ${s.name}: ${s.state}${s.url ? ` — ${s.url}` : ''}`)].join('\n'));
    item.backgroundColor = worst === 'failed' ? new vscode.ThemeColor('statusBarItem.errorBackground')
      : worst === 'degraded' ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    item.show();
  };
  update(list.services);
  const subscription = list.onDidChange(update);
  return {
    text: () => (visible ? item.text : undefined),
    dispose: () => {
      subscription.dispose();
      item.dispose();
    },
  };
}
