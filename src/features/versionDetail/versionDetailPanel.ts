// Host side of the Version detail view: sends the version's state after `ready`, again whenever
// what it shows changed (refreshIfChanged, called on every registry or store change), and runs
// the panel's buttons through the Models view's own commands so both behave the same.
import * as vscode from 'vscode';
import { DashboardPanel } from '../webview/dashboardPanel';
import {
  VERSION_DETAIL_BUNDLE, VERSION_DETAIL_VIEW_TYPE, type VersionDetailFromView, type VersionDetailToView,
} from '../../protocol/versionDetail';
import { COMMAND, VIEW } from '../commandIds';
import { versionDetailState, type VersionDetailSources } from './versionDetailModel';

export interface VersionDetailPanelDeps {
  sources: VersionDetailSources;
  extensionUri: vscode.Uri;
}

export class VersionDetailPanel implements vscode.Disposable {
  readonly dashboard: DashboardPanel<VersionDetailToView, VersionDetailFromView>;
  /** Every message posted to the view, newest last (tests read it; bounded). */
  readonly posted: VersionDetailToView[] = [];
  /** JSON of the last state sent: a refresh posts only when it differs. */
  private lastSent: string | undefined;

  constructor(private readonly deps: VersionDetailPanelDeps, readonly name: string, readonly version: number) {
    this.dashboard = new DashboardPanel<VersionDetailToView, VersionDetailFromView>({
      viewType: VERSION_DETAIL_VIEW_TYPE,
      title: `${name} v${version}`,
      bundle: VERSION_DETAIL_BUNDLE,
      extensionUri: deps.extensionUri,
      onReady: () => this.sendState(),
      onMessage: async (message) => { await this.handleMessage(message); },
    });
  }

  /** Handles one message from the webview; returns what it posted back (the test hook). */
  async handleMessage(message: VersionDetailFromView): Promise<VersionDetailToView[]> {
    const before = this.posted.length;
    const target = { name: this.name, version: this.version };
    switch (message.type) {
      case 'transitionStage':
        await vscode.commands.executeCommand(COMMAND.modelTransitionStage, target);
        break;
      case 'setAlias':
        await vscode.commands.executeCommand(COMMAND.modelSetAlias, target);
        break;
      case 'copyUri': {
        const uri = await vscode.commands.executeCommand<string>(COMMAND.modelCopyUri, target);
        if (uri) void vscode.window.showInformationMessage(`Copied ${uri}`);
        break;
      }
      case 'openSourceRun':
        await vscode.commands.executeCommand(COMMAND.modelOpenSourceRun, target);
        break;
      case 'openDataset':
        await vscode.commands.executeCommand(COMMAND.modelOpenVersion, { name: message.name, version: message.version });
        break;
      case 'showDeployments':
        await vscode.commands.executeCommand(`${VIEW.deployments}.focus`);
        break;
      case 'refresh':
        this.sendState();
        break;
    }
    // The commands refresh the Models view, which refreshes this panel; a cancelled prompt changes nothing.
    this.refreshIfChanged();
    return this.posted.slice(before);
  }

  sendState(): void {
    const state = versionDetailState(this.deps.sources, this.name, this.version);
    if (!state) {
      this.lastSent = undefined;
      this.post({ type: 'error', message: `${this.name} version ${this.version} is no longer in the registry (it was deleted). Close this tab.` });
      return;
    }
    this.lastSent = JSON.stringify(state);
    this.post(state);
  }

  /** Re-sends the state when anything shown changed; hidden views catch up when shown (they reload). */
  refreshIfChanged(): void {
    if (!this.dashboard.isReady || !this.dashboard.panel.visible) return;
    const state = versionDetailState(this.deps.sources, this.name, this.version);
    const json = state ? JSON.stringify(state) : undefined;
    if (json === this.lastSent && state) return;
    if (!state && this.lastSent === undefined) return; // the "deleted" message was already shown
    this.sendState();
  }

  reveal(): void {
    this.dashboard.reveal();
  }

  dispose(): void {
    this.dashboard.dispose();
  }

  private post(message: VersionDetailToView): void {
    this.posted.push(message);
    if (this.posted.length > 50) this.posted.splice(0, this.posted.length - 50);
    this.dashboard.post(message);
  }
}
