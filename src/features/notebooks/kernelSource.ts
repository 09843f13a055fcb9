// Where the kernel bridge learns that a notebook's kernel started. NotebookKernelSource is our own
// small mirror of the @vscode/jupyter-extension types the bridge uses, so tests can drive the
// bridge with a stand-in; JupyterKernelSource adapts the Jupyter extension's `kernels` API to it.
import * as vscode from 'vscode';
import type { Kernels } from '@vscode/jupyter-extension';

/** One output of Kernel.executeCode (mirrors the jupyter-extension `Output`). */
export interface BridgeKernelOutput {
  items: Array<{ mime: string; data: Uint8Array }>;
}

/** The part of a Jupyter `Kernel` the bridge uses. */
export interface BridgeKernel {
  readonly status: string;
  readonly language: string;
  readonly onDidChangeStatus: vscode.Event<string>;
  executeCode(code: string, token: vscode.CancellationToken): AsyncIterable<BridgeKernelOutput>;
}

export interface KernelStartEvent {
  /** The notebook the kernel belongs to. */
  uri: vscode.Uri;
  kernel: BridgeKernel;
  /** When the provider can hold the user's first cell until setup ran (proposed kernel start hooks). */
  waitUntil?(thenable: Thenable<unknown>): void;
}

export interface NotebookKernelSource extends vscode.Disposable {
  /** A kernel started, or restarted, for a notebook. */
  readonly onDidStartKernel: vscode.Event<KernelStartEvent>;
  /** The provider refused this extension access to kernels (fired at most once; the source then stops). */
  readonly onDidRefuseAccess: vscode.Event<string>;
}

/** The `kernels` API of the Jupyter extension, plus the start event of its proposed API when offered. */
export type JupyterKernelsLike = Kernels & {
  onDidStart?: vscode.Event<{ uri: vscode.Uri; kernel: BridgeKernel; waitUntil?(thenable: Thenable<unknown>): void }>;
};

/** How the Jupyter extension says the user refused (or revoked) our access to its kernels. */
export function isKernelAccessRefused(error: unknown): boolean {
  return error instanceof Error && (/apiAccessRevoked/i.test(error.name) || /access to jupyter kernel/i.test(error.message) || /access.*(denied|revoked|refused)/i.test(error.message));
}

/** The proposed start event, when this provider offers it to us (its getter throws for extensions not allowed to use it). */
function proposedStartEvent(kernels: JupyterKernelsLike): JupyterKernelsLike['onDidStart'] {
  try {
    return typeof kernels.onDidStart === 'function' ? kernels.onDidStart : undefined;
  } catch {
    return undefined;
  }
}

/** How often open notebooks are asked for a kernel when the provider has no start event. */
const POLL_MS = 1000;

/**
 * The stable Jupyter API only answers "which kernel does this notebook have now" (getKernel) and
 * reports status changes; kernel starts are derived from that: a kernel object not seen before for
 * an open notebook is a start, and `restarting`/`autorestarting` followed by `idle` is a restart.
 * When the provider offers the proposed `onDidStart` event, that is used instead (it can also hold
 * the first cell until setup ran).
 */
export class JupyterKernelSource implements NotebookKernelSource {
  private readonly started = new vscode.EventEmitter<KernelStartEvent>();
  private readonly refused = new vscode.EventEmitter<string>();
  readonly onDidStartKernel = this.started.event;
  readonly onDidRefuseAccess = this.refused.event;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly known = new Map<string, { kernel: BridgeKernel; watch: vscode.Disposable }>();
  private readonly polling = new Set<string>();
  private timer: ReturnType<typeof setInterval> | undefined;
  private stopped = false;

  constructor(private readonly kernels: JupyterKernelsLike, private readonly notebookFilter: (doc: vscode.NotebookDocument) => boolean = () => true) {
    const onDidStart = proposedStartEvent(kernels);
    if (onDidStart) {
      this.disposables.push(onDidStart((event) => this.started.fire({
        uri: event.uri, kernel: event.kernel, waitUntil: event.waitUntil ? (t) => event.waitUntil!(t) : undefined,
      })));
      return;
    }
    const check = (doc: vscode.NotebookDocument): void => { if (this.notebookFilter(doc)) void this.checkNotebook(doc); };
    this.disposables.push(
      vscode.workspace.onDidOpenNotebookDocument(check),
      vscode.workspace.onDidChangeNotebookDocument((event) => check(event.notebook)),
      vscode.window.onDidChangeActiveNotebookEditor((editor) => { if (editor) check(editor.notebook); }),
      vscode.workspace.onDidCloseNotebookDocument((doc) => this.forget(doc.uri.toString())),
    );
    this.timer = setInterval(() => { for (const doc of vscode.workspace.notebookDocuments) check(doc); }, POLL_MS);
    for (const doc of vscode.workspace.notebookDocuments) check(doc);
  }

  dispose(): void {
    this.stop();
    this.started.dispose();
    this.refused.dispose();
  }

  private stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    for (const d of this.disposables.splice(0)) d.dispose();
    for (const key of [...this.known.keys()]) this.forget(key);
  }

  private forget(key: string): void {
    this.known.get(key)?.watch.dispose();
    this.known.delete(key);
  }

  private async checkNotebook(doc: vscode.NotebookDocument): Promise<void> {
    const key = doc.uri.toString();
    if (this.stopped || this.polling.has(key)) return;
    this.polling.add(key);
    try {
      const kernel = await this.kernels.getKernel(doc.uri) as BridgeKernel | undefined;
      if (this.stopped || !kernel || this.known.get(key)?.kernel === kernel) return;
      this.forget(key);
      let restarting = false;
      const watch = kernel.onDidChangeStatus((status) => {
        if (status === 'restarting' || status === 'autorestarting') restarting = true;
        else if (status === 'idle' && restarting) {
          restarting = false;
          this.started.fire({ uri: doc.uri, kernel });
        }
      });
      this.known.set(key, { kernel, watch });
      this.started.fire({ uri: doc.uri, kernel });
    } catch (error) {
      if (isKernelAccessRefused(error)) {
        this.stop();
        this.refused.fire(error instanceof Error ? error.message : String(error));
      }
      // Anything else (the notebook closed mid-call, the kernel went away) is retried on the next poll.
    } finally {
      this.polling.delete(key);
    }
  }
}
