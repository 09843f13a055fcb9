// Host side of one dashboard: a WebviewPanel with the strict HTML shell, resources limited to
// dist/webview and media/, and typed messaging. Nothing is posted before the webview says
// `ready`; then the owner sends full state (onReady) and deltas after.
import * as vscode from 'vscode';
import { randomBytes } from 'node:crypto';
import { makeNonce, webviewHtml } from '../../core/webview/html';
import type { ReadyMessage } from '../../protocol/common';

export interface DashboardPanelOptions<ToView, FromView> {
  /** viewType, e.g. 'modelcloud.runsDashboard'. */
  viewType: string;
  title: string;
  /** Bundle name under dist/webview/ (NAME.js, plus NAME.css when the bundle has styles). */
  bundle: string;
  extensionUri: vscode.Uri;
  column?: vscode.ViewColumn;
  /** Called each time the webview (re)loads and says ready: send the full state. */
  onReady(post: (message: ToView) => void): void;
  onMessage(message: FromView, post: (message: ToView) => void): void | Promise<void>;
  onDispose?(): void;
}

export class DashboardPanel<ToView, FromView extends { type: string }> implements vscode.Disposable {
  readonly panel: vscode.WebviewPanel;
  private ready = false;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly options: DashboardPanelOptions<ToView, FromView>) {
    const webviewRoot = vscode.Uri.joinPath(options.extensionUri, 'dist', 'webview');
    this.panel = vscode.window.createWebviewPanel(options.viewType, options.title, options.column ?? vscode.ViewColumn.Active, {
      enableScripts: true,
      retainContextWhenHidden: false,
      localResourceRoots: [webviewRoot, vscode.Uri.joinPath(options.extensionUri, 'media')],
    });
    const webview = this.panel.webview;
    webview.html = webviewHtml({
      title: options.title,
      cspSource: webview.cspSource,
      nonce: makeNonce((n) => randomBytes(n)),
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(webviewRoot, `${options.bundle}.js`)).toString(),
      styleUris: [webview.asWebviewUri(vscode.Uri.joinPath(webviewRoot, `${options.bundle}.css`)).toString()],
    });
    this.disposables.push(
      webview.onDidReceiveMessage((message: FromView | ReadyMessage) => {
        if (message.type === 'ready') {
          this.ready = true;
          options.onReady((m) => this.post(m));
          return;
        }
        void Promise.resolve(options.onMessage(message as FromView, (m) => this.post(m))).catch((error: unknown) => {
          void vscode.window.showErrorMessage(`${options.title}: ${error instanceof Error ? error.message : String(error)}`);
        });
      }),
      this.panel.onDidDispose(() => this.dispose()),
    );
  }

  /** Posts when the webview is ready; earlier messages are dropped (onReady sends full state). */
  post(message: ToView): void {
    if (this.ready) void this.panel.webview.postMessage(message);
  }

  get isReady(): boolean {
    return this.ready;
  }

  reveal(): void {
    this.panel.reveal();
  }

  dispose(): void {
    const pending = this.disposables.splice(0);
    if (pending.length === 0) return;
    for (const d of pending) d.dispose();
    this.options.onDispose?.();
    this.panel.dispose();
  }
}
