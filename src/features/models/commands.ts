// Commands of the Models view and of model registration. Each command takes its target either from
// the view (a version node), or as arguments ({name, version} or a "models:/NAME/N" string, plus
// the answers) so tests and other commands can call it without prompts. Registry edits run no
// code, so they are allowed in untrusted workspaces.
import * as vscode from 'vscode';
import { basename } from 'node:path';
import { COMMAND } from '../commandIds';
import { STAGES, isStage, type Stage } from '../../core/registry/stages';
import { parseModelUri, isValidModelName } from '../../core/registry/uri';
import type { ModelVersionDetail, RegistryStore } from '../../platform/registry/registryStore';
import type { ModelsNode, ModelsTreeProvider } from './tree';
import { storeFileBlob } from '../../platform/registry/storeFileBlob';
import { registerSelectBestCommand, type SelectBestDeps } from './selectBest';
import { registerFromRunCommand, flavorOfFiles } from './registerFromRun';
import { registerRemoteTransferCommands } from './remoteTransfer';
import type { ExperimentsNode } from '../experiments/nodes';
import { registerTrackDataCommand } from './trackData';
import { registerCompareVersionsCommand } from './compareVersions';
import { registerRemoteCredentialCommands, type RemoteCredentialStore } from './remoteCredentials';

export interface ModelCommandDeps extends SelectBestDeps {
  registry: RegistryStore;
  tree: ModelsTreeProvider;
  storeDir: string;
  experimentsView?: vscode.TreeView<ExperimentsNode>;
  /** S3 credentials per remote (SecretStorage); without it push/pull use the AWS default chain. */
  credentials?: RemoteCredentialStore;
}

export interface VersionTarget { name: string; version: number }

export function registerModelCommands(deps: ModelCommandDeps): vscode.Disposable[] {
  const { registry, tree } = deps;
  /** Runs a registry edit; its error (a RegistryError says what and how to fix) becomes a message, nothing else changes. */
  const edit = <T>(what: string, action: () => T): T | undefined => {
    try {
      const result = action();
      tree.refresh();
      return result;
    } catch (error) {
      if (!(error instanceof Error)) throw error;
      void vscode.window.showErrorMessage(`${what} failed: ${error.message}`);
      return undefined;
    }
  };
  const target = async (arg: unknown): Promise<VersionTarget | undefined> => versionTargetOf(arg) ?? pickVersion(registry);

  return [
    vscode.commands.registerCommand(COMMAND.modelTransitionStage, async (arg?: unknown, stageArg?: string, options?: { archiveExisting?: boolean; reason?: string }) => {
      const t = await target(arg);
      if (!t) return undefined;
      const current = versionOf(registry, t);
      let stage: Stage | undefined = stageArg !== undefined && isStage(stageArg) ? stageArg : undefined;
      if (stageArg !== undefined && !stage) {
        void vscode.window.showErrorMessage(`Unknown stage '${stageArg}': use one of ${STAGES.join(', ')}.`);
        return undefined;
      }
      let archiveExisting = options?.archiveExisting ?? false;
      let reason = options?.reason;
      if (!stage) {
        const items: Array<vscode.QuickPickItem & { stage: Stage; archive: boolean }> = [];
        for (const s of STAGES) {
          if (s === current?.stage) continue;
          items.push({ label: s, stage: s, archive: false });
          if (s === 'Production') items.push({ label: 'Production', description: 'and archive the current Production version(s)', stage: s, archive: true });
        }
        const picked = await vscode.window.showQuickPick(items, { title: `Transition ${t.name} v${t.version} (now ${current?.stage ?? '?'})` });
        if (!picked) return undefined;
        stage = picked.stage;
        archiveExisting = picked.archive;
        reason = await vscode.window.showInputBox({ title: 'Reason (optional)', prompt: 'Recorded in the stage transition history' });
        if (reason === undefined) return undefined;
      }
      const to = stage;
      return edit(`Moving ${t.name} v${t.version} to ${to}`, () =>
        registry.transitionStage(t.name, t.version, to, { archiveExisting, reason: reason || null, user: process.env.USER ?? null }));
    }),

    vscode.commands.registerCommand(COMMAND.modelSetAlias, async (arg?: unknown, aliasArg?: string) => {
      const t = await target(arg);
      if (!t) return undefined;
      const alias = aliasArg ?? await vscode.window.showInputBox({
        title: `Alias for ${t.name} v${t.version}`, placeHolder: 'champion',
        prompt: 'Moves the alias from any other version of the model',
        validateInput: aliasProblem,
      });
      if (!alias) return undefined;
      const problem = aliasProblem(alias);
      if (problem) {
        void vscode.window.showErrorMessage(problem);
        return undefined;
      }
      return edit(`Setting alias @${alias}`, () => { registry.setAlias(t.name, t.version, alias); return alias; });
    }),

    vscode.commands.registerCommand(COMMAND.modelOpenSourceRun, async (arg?: unknown) => {
      const t = await target(arg);
      if (!t) return undefined;
      const runId = versionOf(registry, t)?.runId;
      if (!runId) {
        void vscode.window.showInformationMessage(`${t.name} v${t.version} has no source run (it was registered from a file).`);
        return undefined;
      }
      return vscode.commands.executeCommand(COMMAND.runOpenDetail, runId);
    }),

    vscode.commands.registerCommand(COMMAND.modelCopyUri, async (arg?: unknown) => {
      const t = await target(arg);
      if (!t) return undefined;
      const uri = `models:/${t.name}/${t.version}`;
      await vscode.env.clipboard.writeText(uri);
      return uri;
    }),

    vscode.commands.registerCommand(COMMAND.modelDeleteVersion, async (arg?: unknown, options?: { confirmed?: boolean }) => {
      const t = await target(arg);
      if (!t) return false;
      if (!options?.confirmed) {
        const answer = await vscode.window.showWarningMessage(
          `Delete ${t.name} version ${t.version}?`,
          { modal: true, detail: 'Its aliases go with it and its number is not reused. The model files stay in the artifact store.' },
          'Delete Version',
        );
        if (answer !== 'Delete Version') return false;
      }
      return edit(`Deleting ${t.name} v${t.version}`, () => { registry.deleteVersion(t.name, t.version); return true; }) ?? false;
    }),

    vscode.commands.registerCommand(COMMAND.registerModelFile, async (uri?: vscode.Uri, nameArg?: string) => {
      const file = uri instanceof vscode.Uri ? uri : (await vscode.window.showOpenDialog({
        title: 'Register Model', canSelectMany: false, filters: { Models: ['pkl', 'joblib', 'onnx', 'pt'] },
      }))?.[0];
      if (!file) return undefined;
      const fileName = basename(file.fsPath);
      const suggested = fileName.replace(/\.[^.]+$/, '').replace(/[^A-Za-z0-9_.-]+/g, '-');
      const existing = registry.listModels().map((m) => m.name);
      const name = nameArg ?? await vscode.window.showInputBox({
        title: `Register ${fileName}`, prompt: `Model name (new or existing: ${existing.join(', ') || 'none yet'})`,
        value: suggested,
        validateInput: (value) => isValidModelName(value) ? undefined : "Use a name without '/', '@' or whitespace.",
      });
      if (!name) return undefined;
      try {
        const blob = await storeFileBlob(deps.storeDir, file.fsPath);
        const version = registry.createVersion(name, {
          runId: null, files: [{ path: fileName, ...blob }], flavor: flavorOfFiles([{ path: fileName, ...blob }]), source: file.fsPath,
        });
        tree.refresh();
        void vscode.window.showInformationMessage(`Registered ${fileName} as ${name} version ${version.version} (models:/${name}/${version.version}).`);
        return version;
      } catch (error) {
        void vscode.window.showErrorMessage(`Registering ${fileName} as '${name}' failed: ${error instanceof Error ? error.message : String(error)}`);
        return undefined;
      }
    }),

    registerSelectBestCommand(deps),
    registerFromRunCommand({ ...deps, onRegistered: () => tree.refresh() }),
    ...registerRemoteTransferCommands({
      registry, storeDir: deps.storeDir, target, onChanged: () => tree.refresh(),
      credentials: deps.credentials ? (remote) => deps.credentials!.get(remote) : undefined,
    }),
    registerTrackDataCommand({ registry, storeDir: deps.storeDir, workspaceRoot: deps.workspaceRoot, onChanged: () => tree.refresh() }),
    registerCompareVersionsCommand({ registry, runExists: (runId) => deps.store.getRun(runId) !== undefined }),
    ...(deps.credentials ? registerRemoteCredentialCommands({ credentials: deps.credentials, storeDir: deps.storeDir }) : []),
  ];
}

/** A version named by a view node, {name, version}, or a "models:/NAME/N" string. */
export function versionTargetOf(arg: unknown): VersionTarget | undefined {
  if (typeof arg === 'string') {
    try {
      const ref = parseModelUri(arg);
      return ref.kind === 'version' ? { name: ref.name, version: ref.version } : undefined;
    } catch {
      return undefined;
    }
  }
  if (!arg || typeof arg !== 'object') return undefined;
  const node = arg as Partial<ModelsNode> & Partial<VersionTarget>;
  if (node.kind === 'version') return { name: node.model!, version: node.version!.version };
  if (node.kind === 'file') return { name: node.model!, version: node.version! };
  if (typeof node.name === 'string' && typeof node.version === 'number') return { name: node.name, version: node.version };
  return undefined;
}

function versionOf(registry: RegistryStore, t: VersionTarget): ModelVersionDetail | undefined {
  return registry.getModel(t.name)?.versions.find((v) => v.version === t.version);
}

export async function pickVersion(registry: RegistryStore): Promise<VersionTarget | undefined> {
  const items = registry.listModels().flatMap((m) => [...m.versions].reverse().map((v) => ({
    label: `${m.name} v${v.version}`, description: v.stage === 'None' ? '' : v.stage, target: { name: m.name, version: v.version },
  })));
  if (!items.length) {
    void vscode.window.showInformationMessage('No registered model versions yet.');
    return undefined;
  }
  return (await vscode.window.showQuickPick(items, { title: 'Model version' }))?.target;
}

/** Why the alias is unusable, or undefined (the same rule RegistryStore enforces). */
export function aliasProblem(alias: string): string | undefined {
  if (!alias) return 'Enter an alias, e.g. champion.';
  if (!isValidModelName(alias)) return "An alias cannot contain '/', '@' or whitespace.";
  if (/^\d+$/.test(alias)) return 'An alias cannot be a number (it would read as a version).';
  return undefined;
}
