// "Register Model from Run Artifact…" on a run of the Experiments tree: a logged artifact file, or
// a folder of them (e.g. "model"), becomes the next version of a model, linked to the run. The
// blobs are already in the artifact store (logging put them there), so nothing is copied.
import * as vscode from 'vscode';
import type { TrackingStore } from '../../platform/store/trackingStore.api';
import type { ModelFile, ModelVersionDetail, RegistryStore } from '../../platform/registry/registryStore';
import { isValidModelName } from '../../core/registry/uri';
import { filesUnder } from '../../cli/commands/register';
import { runIdsFromArgs, selectedRunIds, pickRun } from '../compare/runPicker';
import type { ExperimentsNode } from '../experiments/nodes';
import { COMMAND } from '../commandIds';

export interface RegisterFromRunDeps {
  registry: RegistryStore;
  store: TrackingStore;
  experimentsView?: vscode.TreeView<ExperimentsNode>;
  onRegistered(): void;
}

export function registerFromRunCommand(deps: RegisterFromRunDeps): vscode.Disposable {
  return vscode.commands.registerCommand(COMMAND.registerModelFromRun,
    async (first?: unknown, artifactArg?: string, nameArg?: string): Promise<ModelVersionDetail | undefined> => {
      const runId = (typeof first === 'object' && first !== null ? runIdsFromArgs(deps.store, first, undefined)?.[0] : typeof first === 'string' ? first : undefined)
        ?? selectedRunIds(deps.experimentsView)[0]
        ?? await pickRun(deps.store, 'Register Model from Run Artifact');
      if (!runId) return undefined;
      const run = deps.store.getRun(runId);
      if (!run) {
        void vscode.window.showErrorMessage(`No run ${runId} in this workspace's tracking store; refresh the Experiments view and try again.`);
        return undefined;
      }
      if (run.artifacts.length === 0) {
        void vscode.window.showInformationMessage(`Run ${run.name ?? runId} logged no artifacts; log the model with modelcloud.log_model() or log_artifact() first.`);
        return undefined;
      }
      const artifact = artifactArg ?? await vscode.window.showQuickPick(artifactChoices(run.artifacts.map((a) => a.path)), {
        title: 'Register Model: artifact file or folder of the run',
      });
      if (!artifact) return undefined;
      const files = filesUnder(run.artifacts, artifact.replace(/^\/+|\/+$/g, ''));
      if (files.length === 0) {
        void vscode.window.showErrorMessage(`Run ${runId} has no artifact '${artifact}' (it has: ${run.artifacts.map((a) => a.path).join(', ')}).`);
        return undefined;
      }
      const name = nameArg ?? await vscode.window.showInputBox({
        title: `Register ${artifact} of run ${run.name ?? runId}`,
        prompt: `Model name (registered: ${deps.registry.listModels().map((m) => m.name).join(', ') || 'none yet'})`,
        validateInput: (value) => isValidModelName(value) ? undefined : "Use a name without '/', '@' or whitespace.",
      });
      if (!name) return undefined;
      try {
        const version = deps.registry.createVersion(name, { runId, files, flavor: flavorOfFiles(files), source: `runs:/${runId}/${artifact}` });
        deps.onRegistered();
        void vscode.window.showInformationMessage(`Registered ${artifact} of run ${run.name ?? runId} as ${name} version ${version.version}.`);
        return version;
      } catch (error) {
        void vscode.window.showErrorMessage(`Registering ${artifact} as '${name}' failed: ${error instanceof Error ? error.message : String(error)}`);
        return undefined;
      }
    });
}

/** Folders first (each registers everything under it), then single files. */
export function artifactChoices(paths: readonly string[]): string[] {
  const folders = new Set<string>();
  for (const p of paths) {
    const parts = p.split('/');
    for (let i = 1; i < parts.length; i++) folders.add(parts.slice(0, i).join('/'));
  }
  return [...[...folders].sort(), ...[...paths].sort()];
}

export function flavorOfFiles(files: readonly ModelFile[]): 'pickle' | 'joblib' | 'file' {
  if (files.some((f) => /\.joblib$/i.test(f.path))) return 'joblib';
  if (files.some((f) => /\.(pkl|pickle)$/i.test(f.path))) return 'pickle';
  return 'file';
}
