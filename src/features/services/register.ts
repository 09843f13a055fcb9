// Commands on service folders (a folder with a cloud_model.py): Package Service, Deploy Service…
// and Inspect Service, from the explorer, the editor, the Deployments view and the palette.
// All three run code from the workspace, so they need a trusted workspace. Prompts can be
// skipped by arguments (scripts, tests): deploy takes `{ target, port }` as its second argument.
import * as vscode from 'vscode';
import { join } from 'node:path';
import type { DeployResult, DeployTarget, ServiceManager } from '../../platform/deploy/serviceManager.api';
import type { DeployRequestWithPolicy } from '../../platform/deploy/createServiceManager';
import { detectEngineWithReasons, noEngineMessage, type EngineName } from '../../platform/containers/engine';
import { packageService, type PackageResult } from '../../platform/packaging/packageService';
import { COMMAND, SERVICES_SETTINGS } from '../commandIds';
import { reportDeployFailure } from '../deployments/deployErrors';
import { portInputError } from '../deployments/format';
import { InspectError, renderInspectMarkdown, runInspect, type InspectResult } from './inspect';
import { pythonEnvironment, servicePython } from './pythonInterpreter';
import type { ReadOnlyDocuments } from './readOnlyDocuments';
import { ENTRY_FILE, resolveServiceFolder } from './serviceFolders';
import { requireTrust } from './trust';

export interface ServiceCommandsDeps {
  /** Undefined when the deploy machinery could not start (the reason is in `managerProblem`). */
  manager: ServiceManager | undefined;
  managerProblem?: string;
  docs: ReadOnlyDocuments;
  /** The extension's src/python (the bundled `modelcloud` package). */
  bundledPythonDir: string;
  log: (line: string) => void;
  /** Called after a deploy (successful or not) so the Deployments view shows the outcome. */
  onDeployed(): Promise<void>;
}

export interface DeployOptions {
  target?: DeployTarget;
  /** undefined or 0: a free port. */
  port?: number;
  workers?: number;
}

const TARGETS: Array<{ target: DeployTarget; label: string; detail: string }> = [
  { target: 'local', label: '$(vm) Local process', detail: 'A Python process on this machine (a venv from requirements.txt), behind a local proxy on a stable port. Fastest to start.' },
  { target: 'container', label: '$(package) Local container', detail: 'Builds the image with podman or docker and runs it, published on 127.0.0.1. Closest to production.' },
  { target: 'kubernetes', label: '$(cloud) Kubernetes', detail: 'Deployment + Service manifests (replicas, probes, rolling update), applied with kubectl to the current context, or written out when there is none.' },
];

export function registerServiceCommands(deps: ServiceCommandsDeps): vscode.Disposable[] {
  let buildChannel: vscode.OutputChannel | undefined;
  const buildOutput = (): vscode.OutputChannel => (buildChannel ??= vscode.window.createOutputChannel('Modelcloud Build'));
  const settings = (): vscode.WorkspaceConfiguration => vscode.workspace.getConfiguration(SERVICES_SETTINGS.section);

  return [
    { dispose: () => buildChannel?.dispose() },

    vscode.commands.registerCommand(COMMAND.packageService, async (target?: unknown): Promise<PackageResult | undefined> => {
      if (!requireTrust('Package Service')) return undefined;
      const dir = await resolveServiceFolder(target, 'Package Service');
      if (!dir) return undefined;
      const channel = buildOutput();
      channel.appendLine(`── Package ${dir} ──`);
      try {
        const { result, noEngine } = await vscode.window.withProgress(
          { location: vscode.ProgressLocation.Notification, title: 'Packaging service', cancellable: true },
          async (progress, token) => {
            const controller = new AbortController();
            token.onCancellationRequested(() => controller.abort());
            progress.report({ message: 'looking for a container engine…' });
            const preference = settings().get<'auto' | EngineName>(SERVICES_SETTINGS.containerEngine, 'auto');
            const detection = await detectEngineWithReasons(preference);
            const noEngine = detection.engine ? undefined : noEngineMessage(detection.tried);
            if (noEngine) channel.appendLine(`No container engine: ${noEngine}`);
            const baseImage = settings().get<string>(SERVICES_SETTINGS.baseImage, '').trim() || undefined;
            progress.report({ message: detection.engine ? `building with ${detection.engine.name}…` : 'writing the build context…' });
            const packaged = await packageService(dir, {
              engine: detection.engine,
              build: detection.engine !== undefined,
              baseImage,
              signal: controller.signal,
              onLine: (line) => {
                channel.appendLine(line);
                if (line.trim()) progress.report({ message: line.length > 80 ? `${line.slice(0, 77)}…` : line });
              },
            });
            return { result: packaged, noEngine };
          },
        );
        for (const warning of result.warnings) channel.appendLine(`warning: ${warning}`);
        reportPackaged(result, noEngine, channel);
        return result;
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        channel.appendLine(`Package failed: ${message}`);
        void vscode.window.showErrorMessage(`Package Service failed: ${message}`, 'Show Build Log').then((choice) => {
          if (choice) channel.show(true);
        });
        return undefined;
      }
    }),

    vscode.commands.registerCommand(COMMAND.deployService, async (target?: unknown, options?: DeployOptions): Promise<DeployResult | undefined> => {
      if (!requireTrust('Deploy Service')) return undefined;
      const manager = deps.manager;
      if (!manager) {
        void vscode.window.showErrorMessage(`Deploy Service is unavailable: ${deps.managerProblem ?? 'the deploy machinery did not start'}. See the Modelcloud output.`);
        return undefined;
      }
      const dir = await resolveServiceFolder(target, 'Deploy Service');
      if (!dir) return undefined;
      const deployTarget = options?.target ?? await pickTarget(settings().get<DeployTarget>(SERVICES_SETTINGS.defaultTarget, 'local'));
      if (!deployTarget) return undefined;
      let port = options?.port;
      if (options === undefined && deployTarget !== 'kubernetes') {
        const input = await vscode.window.showInputBox({
          title: `Deploy to ${deployTarget === 'local' ? 'a local process' : 'a local container'}: port`,
          prompt: 'The stable port the service answers on (127.0.0.1). Leave blank for a free port.',
          placeHolder: 'blank = a free port',
          validateInput: portInputError,
        });
        if (input === undefined) return undefined;
        port = input.trim() === '' ? undefined : Number(input.trim());
      }
      const folderName = dir.split(/[\\/]/).pop() ?? dir;
      try {
        const result = await vscode.window.withProgress(
          { location: vscode.ProgressLocation.Notification, title: `Deploying ${folderName} (${deployTarget})`, cancellable: true },
          (progress, token) => {
            const controller = new AbortController();
            token.onCancellationRequested(() => controller.abort());
            const request: DeployRequestWithPolicy = { dir, target: deployTarget, port: port || undefined, workers: options?.workers };
            // 0 (the default) leaves automatic rollback off; the supervisor watches the error rate.
            const rate = settings().get<number>(SERVICES_SETTINGS.autoRollbackErrorRate, 0);
            if (rate > 0 && rate <= 1) request.autoRollback = { threshold: rate };
            return manager.deploy(
              request,
              (message) => {
                progress.report({ message });
                deps.log(`Deploy ${folderName}: ${message}`);
              },
              controller.signal,
            );
          },
        );
        deps.log(`Deployed ${result.service} revision ${result.revision}${result.url ? ` at ${result.url}` : ''}${result.manifestsDir ? ` (manifests in ${result.manifestsDir})` : ''}`);
        void reportDeployed(result);
        return result;
      } catch (error) {
        reportDeployFailure(`Deploy of ${folderName}`, error, deps.docs, deps.log);
        return undefined;
      } finally {
        await deps.onDeployed();
      }
    }),

    vscode.commands.registerCommand(COMMAND.inspectService, async (target?: unknown): Promise<{ result: InspectResult; uri: vscode.Uri } | undefined> => {
      if (!requireTrust('Inspect Service')) return undefined;
      const dir = await resolveServiceFolder(target, 'Inspect Service');
      if (!dir) return undefined;
      const entry = join(dir, ENTRY_FILE);
      const python = servicePython();
      try {
        const result = await vscode.window.withProgress(
          { location: vscode.ProgressLocation.Window, title: `Inspecting ${ENTRY_FILE}` },
          () => runInspect(python, entry, pythonEnvironment(deps.bundledPythonDir)),
        );
        const doc = await deps.docs.show(`${result.service} (inspect).md`, renderInspectMarkdown(result, vscode.workspace.asRelativePath(entry)), 'markdown');
        return { result, uri: doc.uri };
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        deps.log(`Inspect ${entry} failed: ${message}${error instanceof InspectError && error.output ? `\n${error.output}` : ''}`);
        void vscode.window.showErrorMessage(`Inspect Service failed: ${message}`);
        return undefined;
      }
    }),
  ];
}

async function pickTarget(preferred: DeployTarget): Promise<DeployTarget | undefined> {
  const items = TARGETS.map((t) => ({ label: t.label, description: t.target === preferred ? 'default' : undefined, detail: t.detail, target: t.target }));
  items.sort((a, b) => Number(b.target === preferred) - Number(a.target === preferred));
  const picked = await vscode.window.showQuickPick(items, { title: 'Deploy Service: where?', placeHolder: 'Choose the deploy target', matchOnDetail: true });
  return picked?.target;
}

function reportPackaged(result: PackageResult, noEngine: string | undefined, channel: vscode.OutputChannel): void {
  const open = 'Open Dockerfile';
  const seconds = result.buildSeconds !== undefined ? ` in ${result.buildSeconds.toFixed(1)} s` : '';
  const message = result.built
    ? `Built image ${result.imageTag}${result.engine ? ` with ${result.engine}` : ''}${seconds}.`
    : `The build context is ready in ${result.contextDir}, but the image was not built: ${noEngine ?? result.reason ?? 'no container engine'}. ` +
      `Build it later with \`${result.engine ?? 'podman'} build -t ${result.imageTag} ${result.contextDir}\`.`;
  channel.appendLine(message);
  const show = result.built ? vscode.window.showInformationMessage : vscode.window.showWarningMessage;
  void show(message, open, 'Show Build Log').then(async (choice) => {
    // PackageResult.dockerfile is the file's text; the file itself is <contextDir>/Dockerfile.
    if (choice === open) await vscode.window.showTextDocument(vscode.Uri.file(join(result.contextDir, 'Dockerfile')));
    else if (choice) channel.show(true);
  });
}

async function reportDeployed(result: DeployResult): Promise<void> {
  if (result.manifestsDir) {
    const reveal = 'Open Manifests Folder';
    const choice = await vscode.window.showInformationMessage(
      `No Kubernetes cluster is configured: the manifests for "${result.service}" revision ${result.revision} are in ${result.manifestsDir}. Apply them with kubectl apply -f.`, reveal);
    if (choice === reveal) await vscode.commands.executeCommand('revealFileInOS', vscode.Uri.file(result.manifestsDir));
    return;
  }
  const docs = 'Open API Docs';
  const choice = await vscode.window.showInformationMessage(
    `"${result.service}" revision ${result.revision} is live${result.url ? ` at ${result.url}` : ''}.`, ...(result.url ? [docs] : []));
  if (choice === docs) await vscode.commands.executeCommand(COMMAND.serviceOpenDocs, result.service);
}
