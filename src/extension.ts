// Composition root: wires the store, ingest, watcher, views and commands for the first
// workspace folder. No logic lives here; every disposable is registered where it is created.
import * as vscode from 'vscode';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { SqliteTrackingStore } from './platform/store/sqliteTrackingStore';
import { WorkspaceIngest, classifyIngestPath, type IngestReport } from './platform/ingest/workspaceIngest';
import { watchWorkspace } from './platform/watch/workspaceWatcher';
import type { ModelcloudApi } from './features/api';
import { COMMAND, PRIMARY_METRIC_SETTING, VIEW } from './features/commandIds';
import { ExperimentsTreeProvider } from './features/experiments/tree';
import type { ExperimentsNode } from './features/experiments/nodes';
import { registerExperimentCommands } from './features/experiments/register';
import { registerRunsDashboard } from './features/runsDashboard/register';
import { registerCompareCommands } from './features/compare/register';
import { registerRunDetailCommands } from './features/runDetail/register';
import { EmptyTreeProvider, ModelsTreeProvider } from './features/models/tree';
import { registerModelCommands } from './features/models/commands';
import { RegistryStore } from './platform/registry/registryStore';
import { RemoteCredentialStore } from './features/models/remoteCredentials';
import { RegistryWatch } from './features/models/registryWatch';
import { registerVersionDetail } from './features/versionDetail/register';
import { LiveIngest } from './features/ingest/liveIngest';
import { configureTerminalEnvironment } from './features/terminal/pythonEnvironment';
import { NEEDS_FOLDER, registerWithoutStore } from './features/noWorkspace';
import { registerModelServices } from './features/services/modelServices';
import { registerSyncCommands } from './features/sync/register';
import { registerNotebooks } from './features/notebooks/register';
import { revealRunInTree } from './features/notebooks/revealRun';
import { registerMonitoring } from './features/monitoring/register';
import { registerAbTesting } from './features/abtest/register';

export type { ModelcloudApi } from './features/api';

const STORE_DIR_NAME = '.modelcloud';
const PROBLEMS_CONTEXT_KEY = 'modelcloud.hasIngestProblems';

export function activate(context: vscode.ExtensionContext): ModelcloudApi {
  const log = vscode.window.createOutputChannel('Modelcloud', { log: true });
  context.subscriptions.push(log);
  context.subscriptions.push(vscode.commands.registerCommand(COMMAND.showOutput, () => log.show(true)));

  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder || folder.uri.scheme !== 'file') {
    log.info('No local workspace folder is open: Modelcloud views show how to get started.');
    configureTerminalEnvironment(context.environmentVariableCollection, '', undefined);
    context.subscriptions.push(vscode.window.registerTreeDataProvider(VIEW.deployments, new EmptyTreeProvider()));
    context.subscriptions.push(vscode.window.registerTreeDataProvider(VIEW.abExperiments, new EmptyTreeProvider()));
    return registerWithoutStore(context, NEEDS_FOLDER);
  }

  const root = folder.uri.fsPath;
  const storeDir = join(root, STORE_DIR_NAME);
  let store: SqliteTrackingStore;
  try {
    mkdirSync(storeDir, { recursive: true });
    store = new SqliteTrackingStore(join(storeDir, 'tracking.db'));
  } catch (error) {
    // A broken or locked database must not take the whole extension down: say what and where.
    const reason = `Modelcloud could not open its tracking store in ${storeDir}: ${error instanceof Error ? error.message : String(error)}. ` +
      'Check that the folder is writable; if tracking.db is damaged, move it away and reload the window (run logs in .modelcloud/runs are re-ingested).';
    log.error(reason);
    void vscode.window.showErrorMessage(reason);
    context.subscriptions.push(vscode.window.registerTreeDataProvider(VIEW.deployments, new EmptyTreeProvider()));
    context.subscriptions.push(vscode.window.registerTreeDataProvider(VIEW.abExperiments, new EmptyTreeProvider()));
    return registerWithoutStore(context, reason);
  }
  // Subscriptions are disposed in order, so this runs before the ingest below is stopped:
  // let an ingest in progress finish before the database closes under it.
  let live: LiveIngest | undefined;
  context.subscriptions.push({ dispose: () => void (live?.whenIdle() ?? Promise.resolve()).finally(() => store.close()) });
  log.info(`Tracking store ${store.path} (SQLite driver: ${store.driverName})`);

  configureTerminalEnvironment(context.environmentVariableCollection, context.asAbsolutePath(join('src', 'python')), storeDir);

  // Experiments view.
  const readPrimaryMetric = (): string =>
    vscode.workspace.getConfiguration(PRIMARY_METRIC_SETTING.section).get<string>(PRIMARY_METRIC_SETTING.key, '');
  const experiments = new ExperimentsTreeProvider(store, { configuredPrimaryMetric: readPrimaryMetric });
  context.subscriptions.push(experiments);
  const experimentsView = vscode.window.createTreeView<ExperimentsNode>(VIEW.experiments, {
    treeDataProvider: experiments, showCollapseAll: true, canSelectMany: true,
  });
  context.subscriptions.push(experimentsView);
  context.subscriptions.push(vscode.workspace.onDidChangeConfiguration((event) => {
    if (event.affectsConfiguration(`${PRIMARY_METRIC_SETTING.section}.${PRIMARY_METRIC_SETTING.key}`)) {
      experiments.refresh();
      models.refresh();
    }
  }));

  // Remote credentials (SecretStorage): model pushes/pulls and team sync use the same ones.
  const credentials = new RemoteCredentialStore(context.secrets, (message) => {
    log.warn(message);
    void vscode.window.showWarningMessage(message);
  });

  // Models view: the registry on its own connection to the same database.
  let registry: RegistryStore | undefined;
  try {
    registry = new RegistryStore(store.path);
    const opened = registry;
    context.subscriptions.push({ dispose: () => opened.close() });
  } catch (error) {
    log.error(`Model registry unavailable in ${store.path}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const models = new ModelsTreeProvider(registry, { keyMetric: readPrimaryMetric });
  context.subscriptions.push(models);
  // A tree view (not just a provider) so versions can be multi-selected for Compare Versions.
  context.subscriptions.push(vscode.window.createTreeView(VIEW.models, { treeDataProvider: models, showCollapseAll: true, canSelectMany: true }));
  if (registry) {
    context.subscriptions.push(...registerModelCommands({ registry, store, tree: models, storeDir, workspaceRoot: root, experimentsView, credentials }));
    // Version detail tabs follow every refresh of the Models view, and deploys (service revisions).
    const versionDetails = registerVersionDetail({ registry, store, extensionUri: context.extensionUri, storeDir });
    context.subscriptions.push(...versionDetails.disposables, models.onDidChangeTreeData(() => versionDetails.refresh()));
    context.subscriptions.push(new RegistryWatch({
      registry, onRegistryChanged: () => models.refresh(), onDatabaseChanged: () => versionDetails.refresh(),
    }));
  }

  // Ingest: full at startup and on demand, incremental on file changes.
  const showProblemCount = (count: number): void => {
    experimentsView.message = count > 0 ? `${count} ingest ${count === 1 ? 'warning' : 'warnings'} — see Output` : undefined;
    void vscode.commands.executeCommand('setContext', PROBLEMS_CONTEXT_KEY, count > 0);
  };
  const liveIngest = new LiveIngest({
    store,
    ingest: new WorkspaceIngest(store, root, storeDir, (line) => log.info(line)),
    log,
    onStoreChanged: () => {
      experiments.refresh();
      models.refresh();
    },
    onProblemCount: showProblemCount,
  });
  live = liveIngest;
  context.subscriptions.push(liveIngest);
  const ingestNow = (): Promise<IngestReport> =>
    Promise.resolve(vscode.window.withProgress(
      { location: { viewId: VIEW.experiments }, title: 'Ingesting tracking data' },
      () => liveIngest.ingestNow(),
    ));

  const watcher = watchWorkspace({
    root,
    isTriggerFile: (path) => classifyIngestPath(path) !== undefined,
    onTrigger: (path) => liveIngest.fileChanged(path),
    onError: (error) => log.warn(`File watcher: ${error instanceof Error ? error.message : String(error)}`),
  });
  context.subscriptions.push({ dispose: () => void watcher.dispose() });

  // Team sync through a remote: run logs come down into .modelcloud/runs, registry changes into the store.
  context.subscriptions.push(...registerSyncCommands({
    storeDir, log, credentials: (remote) => credentials.get(remote),
    afterSync: async () => {
      await liveIngest.ingestNow();
      experiments.refresh();
      models.refresh();
    },
  }));

  // Commands.
  context.subscriptions.push(
    vscode.commands.registerCommand(COMMAND.refresh, () => {
      experiments.refresh();
      models.refresh();
    }),
    vscode.commands.registerCommand(COMMAND.ingestNow, () => ingestNow().then(
      (report) => report,
      (error: unknown) => {
        void vscode.window.showErrorMessage(`Modelcloud ingest failed: ${error instanceof Error ? error.message : String(error)}. See the Modelcloud output for details.`);
      },
    )),
    ...registerExperimentCommands({ store, tree: experiments, view: experimentsView, workspaceRoot: root, storeDir }),
    ...registerRunsDashboard({ store, extensionUri: context.extensionUri, workspaceState: context.workspaceState, workspaceRoot: folder.uri }),
  );

  // Compare and Run detail dashboards.
  const runDetails = registerRunDetailCommands({
    store, extensionUri: context.extensionUri, storeDir, view: experimentsView, onStoreChanged: () => experiments.refresh(),
  });
  context.subscriptions.push(
    ...runDetails.disposables,
    ...registerCompareCommands({ store, extensionUri: context.extensionUri, view: experimentsView, openRunDetail: runDetails.open }),
  );

  // Notebooks: run card renderer messages, cell CodeLens, kernel bridge (Jupyter extension).
  const notebooks = registerNotebooks({
    store, storeDir, pythonDir: context.asAbsolutePath(join('src', 'python')), log, ingestNow,
    openRunDetail: (runId) => runDetails.open(runId),
    revealRun: (runId) => revealRunInTree(experimentsView, store, runId),
    configuredPrimaryMetric: readPrimaryMetric,
  });
  context.subscriptions.push(...notebooks.disposables);

  // Model services: Deployments view, status bar, package / deploy / inspect, modelcloud.yaml diagnostics.
  const services = registerModelServices({ storeDir, bundledPythonDir: context.asAbsolutePath(join('src', 'python')), log });
  context.subscriptions.push(...services.disposables);

  // Monitoring: polls every running deployment's /metrics into the store; dashboard and alert rules.
  const monitoring = registerMonitoring({ storeDir, extensionUri: context.extensionUri, manager: services.manager, log: (line) => log.info(line) });
  context.subscriptions.push(...monitoring.disposables);

  // A/B experiments (issue #7): the A/B Experiments view and the dashboard (create, live, promote).
  context.subscriptions.push(...registerAbTesting({
    storeDir, extensionUri: context.extensionUri, manager: services.manager, registry, log: (line) => log.info(line),
  }).disposables);

  showProblemCount(store.problemCount());
  // After activate returns: the initial ingest must not delay activation.
  const initial = setTimeout(() => {
    ingestNow().catch((error: unknown) => log.error(`Initial ingest failed: ${error instanceof Error ? error.message : String(error)}`));
  }, 0);
  context.subscriptions.push({ dispose: () => clearTimeout(initial) });

  return {
    apiVersion: 1,
    store,
    ingestNow: () => liveIngest.ingestNow(),
    experimentsView: {
      refreshCount: () => experiments.refreshCount(),
      snapshot: () => experiments.snapshot(),
    },
    modelsView: { snapshot: () => models.snapshot() },
    deploymentsView: services.api,
    notebooks: notebooks.api,
    monitoring: monitoring.api,
  };
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
