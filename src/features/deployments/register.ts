// Commands on the Deployments view's items: Open API Docs, Tail Logs, Copy URL, Stop (allowed in
// Restricted Mode: they run no workspace code) and Restart, Scale Workers…, Roll Back, Roll Back to
// This Revision, Hot Update Model (they start or change what runs: trusted workspaces only). Each takes a tree node, a service
// name (scripts, tests) or nothing (the view's selection, else a quick pick). Value prompts
// (workers, model version) take an optional second argument so tests and scripts skip them.
import * as vscode from 'vscode';
import type { Revision, ServiceManager, ServiceStatus } from '../../platform/deploy/serviceManager.api';
import { COMMAND } from '../commandIds';
import type { ReadOnlyDocuments } from '../services/readOnlyDocuments';
import { requireTrust } from '../services/trust';
import { reportDeployFailure } from './deployErrors';
import { isRunning, MAX_WORKERS, workersInputError } from './format';
import { requestHotUpdate } from './hotUpdate';
import { LogTails } from './logTail';
import type { ServiceList } from './serviceList';
import type { DeploymentsNode, DeploymentsTreeProvider } from './tree';

export interface DeploymentCommandsDeps {
  manager: ServiceManager;
  list: ServiceList;
  tree: DeploymentsTreeProvider;
  view: vscode.TreeView<DeploymentsNode>;
  docs: ReadOnlyDocuments;
  log: (line: string) => void;
}

export interface DeploymentCommands {
  disposables: vscode.Disposable[];
  tails: LogTails;
}

export function registerDeploymentCommands(deps: DeploymentCommandsDeps): DeploymentCommands {
  const { manager, list } = deps;
  const tails = new LogTails();

  const refreshSoon = async (): Promise<void> => {
    await list.refresh();
    deps.tree.redraw();
  };

  /** The service a command acts on: its argument, else the selection, else a quick pick. */
  const serviceOf = async (target: unknown, title: string, filter: (s: ServiceStatus) => boolean = () => true): Promise<ServiceStatus | undefined> => {
    const name = typeof target === 'string' ? target
      : isNode(target) ? target.service.name
        : deps.view.selection[0]?.service.name;
    if (name === undefined) {
      await list.refresh();
      const candidates = list.services.filter(filter);
      if (candidates.length === 0) {
        void vscode.window.showInformationMessage(`${title}: no deployed service to act on. Deploy one with "Modelcloud: Deploy Service…".`);
        return undefined;
      }
      const picked = await vscode.window.showQuickPick(
        candidates.map((s) => ({ label: s.name, description: `${s.state}${s.url ? ` · ${s.url}` : ''}`, service: s })),
        { title, placeHolder: 'Choose a service' },
      );
      return picked?.service;
    }
    const known = list.services.find((s) => s.name === name);
    if (known) return known;
    await list.refresh();
    const found = list.services.find((s) => s.name === name);
    if (!found) void vscode.window.showErrorMessage(`${title}: there is no service "${name}" in this workspace; refresh the Deployments view.`);
    return found;
  };

  const withUrl = (s: ServiceStatus, action: string): string | undefined => {
    if (s.url && isRunning(s.state)) return s.url;
    void vscode.window.showWarningMessage(`${action}: service "${s.name}" is ${s.state} and has no URL to open. Restart it or deploy it again.`);
    return undefined;
  };

  /** Runs a manager call under a notification, then refreshes; failures are reported, never thrown. */
  const act = async (title: string, what: string, fn: (report: (message: string) => void) => Promise<unknown>): Promise<boolean> => {
    try {
      await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title }, (progress) =>
        fn((message) => {
          progress.report({ message });
          deps.log(`${what}: ${message}`);
        }));
      return true;
    } catch (error) {
      reportDeployFailure(what, error, deps.docs, deps.log);
      return false;
    } finally {
      await refreshSoon();
    }
  };

  const disposables: vscode.Disposable[] = [
    tails,

    vscode.commands.registerCommand(COMMAND.deploymentsRefresh, refreshSoon),

    vscode.commands.registerCommand(COMMAND.serviceOpenDocs, async (target?: unknown) => {
      const service = await serviceOf(target, 'Open API Docs', (s) => isRunning(s.state));
      const url = service && withUrl(service, 'Open API Docs');
      if (!url) return undefined;
      const docsUrl = `${url.replace(/\/$/, '')}/redoc`;
      // The Simple Browser keeps the docs beside the code; where it is missing, the system browser.
      try {
        await vscode.commands.executeCommand('simpleBrowser.show', docsUrl);
      } catch {
        await vscode.env.openExternal(vscode.Uri.parse(docsUrl));
      }
      return docsUrl;
    }),

    vscode.commands.registerCommand(COMMAND.serviceTailLogs, async (target?: unknown) => {
      const service = await serviceOf(target, 'Tail Logs');
      if (!service) return undefined;
      const file = manager.logFile(service.name);
      if (!file) {
        void vscode.window.showWarningMessage(`Service "${service.name}" has no log file (it may run on a Kubernetes cluster: use kubectl logs).`);
        return undefined;
      }
      return tails.show(service.name, file);
    }),

    vscode.commands.registerCommand(COMMAND.serviceCopyUrl, async (target?: unknown) => {
      const service = await serviceOf(target, 'Copy URL');
      if (!service?.url) {
        if (service) void vscode.window.showWarningMessage(`Service "${service.name}" has no URL.`);
        return undefined;
      }
      await vscode.env.clipboard.writeText(service.url);
      vscode.window.setStatusBarMessage(`Copied ${service.url}`, 3000);
      return service.url;
    }),

    // Stopping runs no workspace code, so it stays available in Restricted Mode (a way out, not in).
    vscode.commands.registerCommand(COMMAND.serviceStop, async (target?: unknown) => {
      const service = await serviceOf(target, 'Stop Service', (s) => isRunning(s.state));
      if (!service) return false;
      return act(`Stopping ${service.name}`, `Stop of ${service.name}`, () => manager.stop(service.name));
    }),

    vscode.commands.registerCommand(COMMAND.serviceRestart, async (target?: unknown) => {
      if (!requireTrust('Restarting a service')) return false;
      const service = await serviceOf(target, 'Restart Service');
      if (!service) return false;
      return act(`Restarting ${service.name}`, `Restart of ${service.name}`, () => manager.restart(service.name));
    }),

    vscode.commands.registerCommand(COMMAND.serviceScale, async (target?: unknown, value?: unknown) => {
      if (!requireTrust('Scaling a service')) return false;
      const service = await serviceOf(target, 'Scale Workers');
      if (!service) return false;
      const input = typeof value === 'number' || typeof value === 'string' ? String(value) : await vscode.window.showInputBox({
        title: `Scale Workers of "${service.name}"`,
        prompt: `Number of worker processes (1–${MAX_WORKERS}). Workers are replaced one at a time, so the service keeps answering.`,
        value: String(service.workers ?? 2),
        validateInput: workersInputError,
      });
      if (input === undefined) return false;
      const error = workersInputError(input);
      if (error) {
        void vscode.window.showErrorMessage(`Not scaled: ${error}`);
        return false;
      }
      const workers = Number(input.trim());
      return act(`Scaling ${service.name} to ${workers} workers`, `Scale of ${service.name}`, () => manager.scale(service.name, workers));
    }),

    vscode.commands.registerCommand(COMMAND.serviceRollback, async (target?: unknown) => {
      if (!requireTrust('Rolling back')) return false;
      const service = await serviceOf(target, 'Roll Back');
      if (!service) return false;
      return rollback(service.name, undefined);
    }),

    vscode.commands.registerCommand(COMMAND.revisionRollbackTo, async (target?: unknown, revisionArg?: unknown) => {
      if (!requireTrust('Rolling back')) return false;
      let name: string | undefined;
      let revision: number | undefined;
      if (isNode(target) && target.kind === 'revision') {
        name = target.service.name;
        revision = target.revision.revision;
      } else {
        const service = await serviceOf(target, 'Roll Back to Revision');
        if (!service) return false;
        name = service.name;
        revision = typeof revisionArg === 'number' ? revisionArg : await pickRevision(manager, service.name);
      }
      if (revision === undefined) return false;
      return rollback(name, revision);
    }),

    vscode.commands.registerCommand(COMMAND.serviceHotUpdate, async (target?: unknown, versionArg?: unknown) => {
      if (!requireTrust('Hot Update Model')) return undefined;
      const service = await serviceOf(target, 'Hot Update Model', (s) => isRunning(s.state));
      const url = service && withUrl(service, 'Hot Update Model');
      if (!service || !url) return undefined;
      const token = await manager.adminToken(service.name);
      if (!token) {
        void vscode.window.showErrorMessage(`Hot Update Model: no admin token is recorded for "${service.name}". Redeploy it with Modelcloud so the supervisor sets MODELCLOUD_ADMIN_TOKEN.`);
        return undefined;
      }
      const version = typeof versionArg === 'string' ? versionArg : await vscode.window.showInputBox({
        title: `Hot Update Model of "${service.name}"`,
        prompt: 'Optional: a registry version (e.g. models:/wine/4: load_model() in setup() loads it) or a label to report. The workers reload the model one at a time; requests keep being answered.',
        placeHolder: service.modelVersion ?? 'leave blank to reload the current model files',
      });
      if (version === undefined) return undefined;
      try {
        const result = await requestHotUpdate(url, token, version.trim() || undefined);
        deps.log(`Hot update of ${service.name} requested${result.version ? ` (version ${result.version})` : ''}`);
        void vscode.window.showInformationMessage(`Reloading the model of "${service.name}" one worker at a time${result.version ? ` (version ${result.version})` : ''}. A failed reload keeps the old model and marks the service degraded.`);
        setTimeout(() => void refreshSoon(), 2000);
        return result;
      } catch (error) {
        void vscode.window.showErrorMessage(`Hot Update Model of "${service.name}" failed: ${error instanceof Error ? error.message : String(error)}`);
        return undefined;
      }
    }),
  ];

  async function rollback(service: string, to: number | undefined): Promise<boolean> {
    const title = to === undefined ? `Rolling back ${service} to the previous revision` : `Rolling back ${service} to revision ${to}`;
    return act(title, `Rollback of ${service}`, async (report) => {
      const result = await manager.rollback(service, to, report);
      void vscode.window.showInformationMessage(`"${service}" now serves revision ${result.revision}${result.url ? ` at ${result.url}` : ''}.`);
    });
  }

  return { disposables, tails };
}

function isNode(value: unknown): value is DeploymentsNode {
  return typeof value === 'object' && value !== null && 'kind' in value && 'service' in value;
}

async function pickRevision(manager: ServiceManager, service: string): Promise<number | undefined> {
  let revisions: Revision[];
  try {
    revisions = await manager.revisions(service);
  } catch (error) {
    void vscode.window.showErrorMessage(`Could not read the revisions of "${service}": ${error instanceof Error ? error.message : String(error)}`);
    return undefined;
  }
  const candidates = revisions.filter((r) => r.status !== 'active' && r.status !== 'failed').sort((a, b) => b.revision - a.revision);
  if (candidates.length === 0) {
    void vscode.window.showInformationMessage(`"${service}" has no earlier revision that could serve.`);
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(
    candidates.map((r) => ({ label: `r${r.revision}`, description: [r.status, r.target, r.modelVersion].filter(Boolean).join(' · '), revision: r.revision })),
    { title: `Roll Back "${service}" to…` },
  );
  return picked?.revision;
}
