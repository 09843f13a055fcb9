// Host side of the Run detail view: sends the run's state after `ready` and after every edit
// (tags, note), then `live` updates while the run changes in the store (a script logging); opens
// the run's source and its artifact blobs.
import * as vscode from 'vscode';
import { existsSync } from 'node:fs';
import type { TrackingStore } from '../../platform/store/trackingStore.api';
import { DashboardPanel } from '../webview/dashboardPanel';
import { parseTagInput } from '../../core/experiments/tagInput';
import {
  NOTE_TAG, RUN_DETAIL_BUNDLE, RUN_DETAIL_POLL_MS, RUN_DETAIL_VIEW_TYPE, type RunDetailFromView, type RunDetailToView,
} from '../../protocol/runDetail';
import { COMMAND } from '../commandIds';
import { localBlobPath } from '../../platform/remote/localBlobs';
import { runDetailState, runFingerprint } from './runDetailModel';

export interface RunDetailPanelDeps {
  store: TrackingStore;
  extensionUri: vscode.Uri;
  /** <workspace>/.modelcloud */
  storeDir: string;
  /** Called after the view changed the store (the tree shows tags in tooltips). */
  onStoreChanged(): void;
}

export class RunDetailPanel implements vscode.Disposable {
  readonly dashboard: DashboardPanel<RunDetailToView, RunDetailFromView>;
  /** Every message posted to the view, newest last (tests read it; bounded). */
  readonly posted: RunDetailToView[] = [];
  private seenCounter: number;
  /** What the view shows of the run (runFingerprint): live updates go out only when it changes. */
  private seenFingerprint: string | undefined;
  private readonly timer: ReturnType<typeof setInterval>;

  constructor(private readonly deps: RunDetailPanelDeps, readonly runId: string, title: string) {
    this.seenCounter = deps.store.changeCounter();
    this.dashboard = new DashboardPanel<RunDetailToView, RunDetailFromView>({
      viewType: RUN_DETAIL_VIEW_TYPE,
      title,
      bundle: RUN_DETAIL_BUNDLE,
      extensionUri: deps.extensionUri,
      onReady: () => this.sendState(),
      onMessage: async (message) => { await this.handleMessage(message); },
      onDispose: () => clearInterval(this.timer),
    });
    this.timer = setInterval(() => this.pollStore(), RUN_DETAIL_POLL_MS);
  }

  /** Handles one message from the webview; returns what it posted back (the test hook). */
  async handleMessage(message: RunDetailFromView): Promise<RunDetailToView[]> {
    const { store } = this.deps;
    const before = this.posted.length;
    switch (message.type) {
      case 'setTag': {
        const parsed = parseTagInput(`${message.key}=${message.value}`);
        if (!parsed.ok || parsed.key !== message.key.trim()) {
          this.post({ type: 'error', message: `Tag not saved: ${parsed.ok ? 'a tag key cannot contain "="' : parsed.error}` });
          break;
        }
        store.setTag(this.runId, parsed.key, parsed.value);
        this.changed();
        break;
      }
      case 'deleteTag':
        store.deleteTag(this.runId, message.key);
        this.changed();
        break;
      case 'saveNote':
        if (message.text.trim() === '') store.deleteTag(this.runId, NOTE_TAG);
        else store.setTag(this.runId, NOTE_TAG, message.text);
        this.changed();
        break;
      case 'openSource': {
        const run = store.getRun(this.runId);
        if (run) await vscode.commands.executeCommand(COMMAND.runOpenSource, { kind: 'run', run });
        break;
      }
      case 'openArtifact':
      case 'revealArtifact':
        await this.showArtifact(message.sha256, message.type === 'revealArtifact');
        break;
      case 'refresh':
        this.sendState();
        break;
    }
    return this.posted.slice(before);
  }

  sendState(): void {
    const state = runDetailState(this.deps.store, this.runId, (sha) => this.blobExists(sha), Date.now());
    this.seenFingerprint = runFingerprint(this.deps.store, this.runId);
    this.post(state ?? { type: 'error', message: `Run ${this.runId} is no longer in the tracking store (it was deleted permanently). Close this tab.` });
  }

  /**
   * Sends `live` when the store changed this run since the view last got it. The change counter
   * moves on every write anywhere; the run's fingerprint tells whether this view cares. Hidden
   * views wait: they catch up when shown, from the counter they last saw.
   */
  pollStore(): void {
    if (!this.dashboard.panel.visible || !this.dashboard.isReady) return;
    const counter = this.deps.store.changeCounter();
    if (counter === this.seenCounter) return;
    this.seenCounter = counter;
    const fingerprint = runFingerprint(this.deps.store, this.runId);
    if (fingerprint === this.seenFingerprint) return;
    if (fingerprint === undefined) { this.sendState(); return; } // deleted for good: say so once
    const state = runDetailState(this.deps.store, this.runId, (sha) => this.blobExists(sha), Date.now());
    if (!state) return;
    this.seenFingerprint = fingerprint;
    const { type: _state, ...content } = state;
    this.post({ type: 'live', ...content });
  }

  reveal(): void {
    this.dashboard.reveal();
  }

  dispose(): void {
    this.dashboard.dispose();
  }

  private changed(): void {
    this.sendState();
    this.deps.onStoreChanged();
  }

  private blobExists(sha256: string): boolean {
    try {
      return existsSync(localBlobPath(this.deps.storeDir, sha256));
    } catch {
      return false;
    }
  }

  private async showArtifact(sha256: string, reveal: boolean): Promise<void> {
    const record = this.deps.store.getRun(this.runId)?.artifacts.find((a) => a.sha256 === sha256);
    if (!record) {
      this.post({ type: 'error', message: `This run has no artifact with sha256 ${sha256.slice(0, 12)}…; refresh the view.` });
      return;
    }
    const path = localBlobPath(this.deps.storeDir, sha256);
    if (!existsSync(path)) {
      this.post({ type: 'error', message: `The bytes of artifact "${record.path}" are not in ${path}. They were logged elsewhere (an MLflow artifact store) or deleted.` });
      return;
    }
    const uri = vscode.Uri.file(path);
    if (!reveal) {
      await vscode.commands.executeCommand('vscode.open', uri);
      return;
    }
    // Desktop reveals in the OS file manager; in a browser workbench (code-server) that command
    // does not exist, so fall back to the Explorer.
    const commands = await vscode.commands.getCommands(true);
    if (vscode.env.uiKind === vscode.UIKind.Desktop && commands.includes('revealFileInOS')) {
      await vscode.commands.executeCommand('revealFileInOS', uri);
    } else {
      await vscode.commands.executeCommand('revealInExplorer', uri);
    }
  }

  private post(message: RunDetailToView): void {
    this.posted.push(message);
    if (this.posted.length > 50) this.posted.splice(0, this.posted.length - 50);
    this.dashboard.post(message);
  }
}
