// Host side of the Compare view: a DashboardPanel that sends the CompareModel's state after
// `ready`, then the default charts one at a time (yielding in between, so a compare of big
// histories shows its table first and never blocks the extension host for long).
import * as vscode from 'vscode';
import { DashboardPanel } from '../webview/dashboardPanel';
import type { TrackingStore } from '../../platform/store/trackingStore.api';
import { COMPARE_BUNDLE, COMPARE_VIEW_TYPE, type CompareFromView, type CompareToView } from '../../protocol/compare';
import { CompareModel } from './compareModel';

export interface ComparePanelDeps {
  store: TrackingStore;
  extensionUri: vscode.Uri;
  openRunDetail(runId: string): unknown;
}

export class ComparePanel implements vscode.Disposable {
  readonly model: CompareModel;
  readonly dashboard: DashboardPanel<CompareToView, CompareFromView>;
  /** Every message posted to the view, newest last (tests read it; bounded). */
  readonly posted: CompareToView[] = [];
  private generation = 0;

  constructor(private readonly deps: ComparePanelDeps, runIds: readonly string[], title: string) {
    this.model = new CompareModel(deps.store, runIds);
    this.dashboard = new DashboardPanel<CompareToView, CompareFromView>({
      viewType: COMPARE_VIEW_TYPE,
      title,
      bundle: COMPARE_BUNDLE,
      extensionUri: deps.extensionUri,
      onReady: () => void this.sendInitial(),
      onMessage: async (message) => { await this.handleMessage(message); },
    });
  }

  /** Handles one message from the webview and returns the replies it posted (the test hook). */
  async handleMessage(message: CompareFromView): Promise<CompareToView[]> {
    if (message.type === 'openRunDetail') {
      await this.deps.openRunDetail(message.runId);
      return [];
    }
    const replies: CompareToView[] = [];
    if (message.type === 'loadMetrics' && Array.isArray(message.keys)) {
      for (const key of message.keys) {
        const [reply] = this.model.reply({ type: 'loadMetrics', keys: [key] });
        if (reply) { this.post(reply); replies.push(reply); }
        await yieldToEventLoop();
      }
    }
    return replies;
  }

  dispose(): void {
    this.dashboard.dispose();
  }

  private async sendInitial(): Promise<void> {
    const generation = ++this.generation;
    const state = this.model.state();
    this.post(state);
    for (const key of state.defaultMetrics) {
      await yieldToEventLoop();
      // A reload of the webview meanwhile started a fresh send: stop this one.
      if (generation !== this.generation) return;
      this.post(this.model.metric(key));
    }
  }

  private post(message: CompareToView): void {
    this.posted.push(message);
    if (this.posted.length > 50) this.posted.splice(0, this.posted.length - 50);
    this.dashboard.post(message);
  }
}

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
