// Composition of the model-services feature (issue #4): the ServiceManager (deploy machinery),
// the Deployments view with its status bar, the Package / Deploy / Inspect commands and the
// modelcloud.yaml diagnostics. extension.ts calls this once a workspace folder is open.
import * as vscode from 'vscode';
import { createServiceManager } from '../../platform/deploy/createServiceManager';
import type { ServiceManager } from '../../platform/deploy/serviceManager.api';
import { CliContainerEngine } from '../../platform/containers/engine';
import type { DeploymentsViewApi } from '../api';
import { SERVICES_SETTINGS } from '../commandIds';
import { registerDeploymentsUnavailable, registerDeploymentsView } from '../deployments/deploymentsView';
import { registerManifestDiagnostics } from './manifestDiagnostics';
import { servicePython } from './pythonInterpreter';
import { ReadOnlyDocuments } from './readOnlyDocuments';
import { registerServiceCommands } from './register';

export interface ModelServicesOptions {
  /** <workspace>/.modelcloud: services live in its services/ folder, revisions in its tracking store. */
  storeDir: string;
  /** The extension's src/python (the bundled `modelcloud` package). */
  bundledPythonDir: string;
  log: vscode.LogOutputChannel;
}

export function registerModelServices(opts: ModelServicesOptions): { disposables: vscode.Disposable[]; api: DeploymentsViewApi; manager: ServiceManager | undefined } {
  const { log } = opts;
  const info = (line: string): void => log.info(line);
  const docs = new ReadOnlyDocuments();
  const disposables: vscode.Disposable[] = [docs, registerManifestDiagnostics()];

  let manager: ServiceManager | undefined;
  let unavailableReason: string | undefined;
  try {
    // An explicit engine setting is honoured; 'auto' lets the manager detect one when a container deploy needs it.
    const preference = vscode.workspace.getConfiguration(SERVICES_SETTINGS.section).get<string>(SERVICES_SETTINGS.containerEngine, 'auto');
    const engine = preference === 'docker' || preference === 'podman' ? new CliContainerEngine(preference, preference, process.env) : undefined;
    manager = createServiceManager({ storeDir: opts.storeDir, python: servicePython(), engine, log: info });
    const created = manager;
    disposables.push({ dispose: () => created.dispose() });
  } catch (error) {
    // Deploying is then impossible, but everything else (tracking, packaging, inspect) still works.
    unavailableReason = `the deploy machinery did not start (${error instanceof Error ? error.message : String(error)})`;
    log.error(`Deployments: ${unavailableReason}`);
  }

  const deployments = manager ? registerDeploymentsView(manager, docs, info) : undefined;
  if (deployments) disposables.push(...deployments.disposables);
  else disposables.push(...registerDeploymentsUnavailable(unavailableReason ?? 'unknown reason'));

  disposables.push(...registerServiceCommands({
    manager,
    managerProblem: unavailableReason,
    docs,
    bundledPythonDir: opts.bundledPythonDir,
    log: info,
    onDeployed: () => deployments?.refresh() ?? Promise.resolve(),
  }));

  return {
    disposables,
    // The A/B dashboard lists services and redeploys on Promote Winner through the same manager.
    manager,
    api: {
      refresh: () => deployments?.refresh() ?? Promise.resolve(),
      snapshot: () => deployments?.snapshot() ?? Promise.resolve({ services: [] }),
      statusBarText: () => deployments?.statusBar.text(),
      tailedBytes: (service) => deployments?.tails.get(service)?.bytesShown,
      unavailableReason,
    },
  };
}
