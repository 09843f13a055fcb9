// The kernel bridge: when a Python kernel of a notebook starts (or restarts), runs the setup code
// that puts the bundled `modelcloud` package on sys.path, points it at the workspace store and
// loads its IPython extension, so `%%mc_run` works without `%load_ext`. Never runs in an untrusted
// workspace or with `modelcloud.notebooks.autoLoad` off. Failures are one warning line in the
// Modelcloud output, never a popup: a kernel that cannot load us still works as before.
import * as vscode from 'vscode';
import { buildKernelSetupCode, describeKernelError, parseBridgeSetupOutput, type BridgeInfo } from '../../core/notebooks/kernelSetup';
import { isKernelAccessRefused, type BridgeKernel, type KernelStartEvent, type NotebookKernelSource } from './kernelSource';

/** A kernel that does not answer the setup within this time is reported and left alone. */
const SETUP_TIMEOUT_MS = 60_000;
const STDOUT_MIMES = new Set(['application/vnd.code.notebook.stdout', 'application/x.notebook.stream.stdout', 'text/plain']);
const STDERR_MIMES = new Set(['application/vnd.code.notebook.stderr', 'application/x.notebook.stream.stderr']);
const ERROR_MIME = 'application/vnd.code.notebook.error';

export type KernelSetupOutcome = 'loaded' | 'failed' | 'skipped';

/** What happened on one kernel start (kept for the API and tests). */
export interface KernelSetupRecord {
  notebook: string;
  outcome: KernelSetupOutcome;
  /** Why it was skipped or failed. */
  reason?: string;
  info?: BridgeInfo;
  ms: number;
}

export interface KernelBridgeOptions {
  pythonDir: string;
  storeDir: string;
  log: Pick<vscode.LogOutputChannel, 'info' | 'warn'>;
  isTrusted(): boolean;
  autoLoadEnabled(): boolean;
}

export class KernelBridge implements vscode.Disposable {
  private readonly records: KernelSetupRecord[] = [];
  private readonly subscriptions: vscode.Disposable[] = [];
  private refused = false;
  private saidUntrusted = false;

  constructor(private readonly source: NotebookKernelSource, private readonly options: KernelBridgeOptions) {
    this.subscriptions.push(
      source.onDidStartKernel((event) => this.kernelStarted(event)),
      source.onDidRefuseAccess((message) => this.accessRefused(message)),
    );
  }

  /** Every kernel start seen so far, oldest first. */
  setups(): readonly KernelSetupRecord[] {
    return this.records;
  }

  dispose(): void {
    for (const d of this.subscriptions.splice(0)) d.dispose();
    this.source.dispose();
  }

  private kernelStarted(event: KernelStartEvent): void {
    const setup = this.setUp(event.uri, event.kernel).then((record) => { this.records.push(record); });
    // With the proposed start hook, the user's first cell waits for the setup.
    event.waitUntil?.(setup);
  }

  private async setUp(uri: vscode.Uri, kernel: BridgeKernel): Promise<KernelSetupRecord> {
    const notebook = uri.toString(true);
    const started = Date.now();
    const skipped = (reason: string): KernelSetupRecord => ({ notebook, outcome: 'skipped', reason, ms: 0 });
    if (this.refused) return skipped('access to Jupyter kernels was refused');
    if (kernel.language.toLowerCase() !== 'python') return skipped(`not a Python kernel (${kernel.language})`);
    if (!this.options.isTrusted()) {
      if (!this.saidUntrusted) {
        this.saidUntrusted = true;
        this.options.log.info('Notebook kernels: this workspace is not trusted, so Modelcloud does not run its setup code in kernels. Trust the workspace, or run `%load_ext modelcloud` yourself.');
      }
      return skipped('workspace not trusted');
    }
    if (!this.options.autoLoadEnabled()) return skipped('modelcloud.notebooks.autoLoad is off');

    const cancel = new vscode.CancellationTokenSource();
    const timer = setTimeout(() => cancel.cancel(), SETUP_TIMEOUT_MS);
    let stdout = '';
    const errors: string[] = [];
    const decoder = new TextDecoder();
    try {
      for await (const output of kernel.executeCode(buildKernelSetupCode(this.options), cancel.token)) {
        for (const item of output.items) {
          if (STDOUT_MIMES.has(item.mime)) stdout += decoder.decode(item.data);
          else if (item.mime === ERROR_MIME) errors.push(describeKernelError(decoder.decode(item.data)));
          else if (STDERR_MIMES.has(item.mime)) errors.push(decoder.decode(item.data).trim());
        }
      }
    } catch (error) {
      if (isKernelAccessRefused(error)) {
        this.accessRefused(error instanceof Error ? error.message : String(error));
        return skipped('access to Jupyter kernels was refused');
      }
      const reason = cancel.token.isCancellationRequested
        ? `the kernel did not finish the setup within ${SETUP_TIMEOUT_MS / 1000} s`
        : `running the setup failed: ${error instanceof Error ? error.message : String(error)}`;
      return this.failed(notebook, reason, started);
    } finally {
      clearTimeout(timer);
      cancel.dispose();
    }
    const result = parseBridgeSetupOutput(stdout);
    if (!result.ok) return this.failed(notebook, [result.error, ...errors.filter(Boolean)].join('; '), started);
    this.options.log.info(`Notebook kernels: loaded modelcloud ${result.info.version} into the kernel of ${notebook} (store ${result.info.storeDir}, ${Date.now() - started} ms).`);
    return { notebook, outcome: 'loaded', info: result.info, ms: Date.now() - started };
  }

  private failed(notebook: string, reason: string, started: number): KernelSetupRecord {
    this.options.log.warn(`Notebook kernels: could not load modelcloud into the kernel of ${notebook}: ${reason}. ` +
      'The notebook works as before; run `%load_ext modelcloud` in a cell to see the full error, or turn the setting modelcloud.notebooks.autoLoad off.');
    return { notebook, outcome: 'failed', reason, ms: Date.now() - started };
  }

  private accessRefused(message: string): void {
    if (this.refused) return;
    this.refused = true;
    this.options.log.info(`Notebook kernels: the Jupyter extension refused Modelcloud access to kernels (${message}), so kernels are not set up automatically. ` +
      'Run `%load_ext modelcloud` in a notebook instead, or allow access in the Jupyter extension (command "Jupyter: Manage Access To Jupyter Kernels") and reload the window.');
  }
}
