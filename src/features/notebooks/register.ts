// Notebooks in VS Code: the run card renderer's "Open run" messages, the cell CodeLens, and the
// kernel bridge through the Jupyter extension (when it is installed).
import * as vscode from 'vscode';
import type { Jupyter } from '@vscode/jupyter-extension';
import type { TrackingStore } from '../../platform/store/trackingStore.api';
import { isOpenRunFromCardMessage, RUN_CARD_RENDERER_ID } from '../../protocol/notebookRenderer';
import { COMMAND, NOTEBOOK_SETTINGS, PRIMARY_METRIC_SETTING } from '../commandIds';
import { KernelBridge, type KernelSetupRecord } from './kernelBridge';
import { JupyterKernelSource, type JupyterKernelsLike } from './kernelSource';
import { openRunFromNotebook } from './openRun';
import { RunCardCodeLensProvider } from './runCardCodeLens';

export const JUPYTER_EXTENSION_ID = 'ms-toolsai.jupyter';
const JUPYTER_NOTEBOOK_TYPE = 'jupyter-notebook';

export interface NotebooksDeps {
  store: TrackingStore;
  storeDir: string;
  /** The extension's `src/python` (holds the bundled `modelcloud` package). */
  pythonDir: string;
  log: vscode.LogOutputChannel;
  ingestNow(): Promise<unknown>;
  openRunDetail(runId: string): unknown;
  revealRun(runId: string): Promise<void>;
  configuredPrimaryMetric(): string;
}

/** What the API exposes of the notebook feature (see ModelcloudApi.notebooks). */
export interface NotebooksApi {
  /**
   * Drives a kernel bridge from another `kernels` provider with the Jupyter extension's API shape
   * (tests use a stand-in over a real ipykernel). Same settings and trust rules; `isTrusted` can be
   * overridden to check the untrusted path in a window that is trusted.
   */
  attachKernels(kernels: JupyterKernelsLike, overrides?: { isTrusted?(): boolean }): vscode.Disposable & { setups(): readonly KernelSetupRecord[] };
}

export function registerNotebooks(deps: NotebooksDeps): { disposables: vscode.Disposable[]; api: NotebooksApi } {
  const disposables: vscode.Disposable[] = [];
  const open = (runId: string, cardStoreDir?: string): Promise<boolean> => openRunFromNotebook({ ...deps }, runId, cardStoreDir);

  // "Open run" in a rendered card.
  const messaging = vscode.notebooks.createRendererMessaging(RUN_CARD_RENDERER_ID);
  disposables.push(messaging.onDidReceiveMessage(({ message }) => {
    if (isOpenRunFromCardMessage(message)) void open(message.runId, message.storeDir);
  }));

  // CodeLens over cells with a run card.
  const lenses = new RunCardCodeLensProvider(deps.configuredPrimaryMetric);
  disposables.push(
    lenses,
    vscode.languages.registerCodeLensProvider({ scheme: 'vscode-notebook-cell' }, lenses),
    vscode.commands.registerCommand(COMMAND.notebookOpenRun, (runId: unknown, storeDir?: unknown) =>
      typeof runId === 'string' ? open(runId, typeof storeDir === 'string' ? storeDir : undefined) : false),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration(`${PRIMARY_METRIC_SETTING.section}.${PRIMARY_METRIC_SETTING.key}`)) lenses.refresh();
    }),
  );

  // Kernel bridge.
  const autoLoadEnabled = (): boolean => vscode.workspace.getConfiguration(NOTEBOOK_SETTINGS.section).get<boolean>(NOTEBOOK_SETTINGS.autoLoad, true);
  const bridgeOptions = (isTrusted: () => boolean) => ({ pythonDir: deps.pythonDir, storeDir: deps.storeDir, log: deps.log, isTrusted, autoLoadEnabled });
  let jupyterBridge: KernelBridge | undefined;
  let saidAbsent = false;
  let connecting = false;

  const connectJupyter = async (): Promise<void> => {
    const extension = vscode.extensions.getExtension<Jupyter>(JUPYTER_EXTENSION_ID);
    if (!extension) {
      if (!saidAbsent) {
        saidAbsent = true;
        deps.log.info('Notebook kernels: the Jupyter extension (ms-toolsai.jupyter) is not installed, so Modelcloud does not set up notebook kernels. ' +
          'Run cards still render; use `%load_ext modelcloud` in a notebook, or install the Jupyter extension.');
      }
      return;
    }
    if (jupyterBridge || connecting) return;
    // The Jupyter extension is heavy: activate it only once a Jupyter notebook is open.
    if (!vscode.workspace.notebookDocuments.some((doc) => doc.notebookType === JUPYTER_NOTEBOOK_TYPE)) return;
    connecting = true;
    try {
      const jupyter = await extension.activate();
      if (!jupyter?.kernels) throw new Error('its API has no `kernels` (a Jupyter extension older than 2023.9?)');
      const source = new JupyterKernelSource(jupyter.kernels as JupyterKernelsLike, (doc) => doc.notebookType === JUPYTER_NOTEBOOK_TYPE);
      jupyterBridge = new KernelBridge(source, bridgeOptions(() => vscode.workspace.isTrusted));
      disposables.push(jupyterBridge);
    } catch (error) {
      deps.log.warn(`Notebook kernels: could not use the Jupyter extension's API: ${error instanceof Error ? error.message : String(error)}. Use \`%load_ext modelcloud\` in notebooks.`);
    } finally {
      connecting = false;
    }
  };
  void connectJupyter();
  disposables.push(
    vscode.workspace.onDidOpenNotebookDocument((doc) => { if (doc.notebookType === JUPYTER_NOTEBOOK_TYPE) void connectJupyter(); }),
    // Installed (or enabled) while the window is open.
    vscode.extensions.onDidChange(() => { if (!jupyterBridge && vscode.extensions.getExtension(JUPYTER_EXTENSION_ID)) void connectJupyter(); }),
  );

  const api: NotebooksApi = {
    attachKernels: (kernels, overrides) => {
      const bridge = new KernelBridge(new JupyterKernelSource(kernels), bridgeOptions(overrides?.isTrusted ?? (() => vscode.workspace.isTrusted)));
      return { dispose: () => bridge.dispose(), setups: () => bridge.setups() };
    },
  };
  return { disposables, api };
}
