// "Track Data File…" on any file in the explorer (or from the Command Palette): records the
// file's sha256 and size as the next version of a dataset (a registered model tagged
// modelcloud.kind=dataset), bytes in the content-addressed cache. No code runs, so it is allowed
// in untrusted workspaces. Arguments (uri, name) let tests and scripts skip the prompts.
import * as vscode from 'vscode';
import { basename, relative } from 'node:path';
import { isValidModelName } from '../../core/registry/uri';
import { isDatasetModel } from '../../core/registry/lineage';
import type { RegistryStore } from '../../platform/registry/registryStore';
import { defaultDatasetName, trackDataFile, type TrackDataResult } from '../../platform/registry/trackDataFile';
import { COMMAND } from '../commandIds';

export interface TrackDataDeps {
  registry: RegistryStore;
  storeDir: string;
  workspaceRoot?: string;
  onChanged(): void;
}

export function registerTrackDataCommand(deps: TrackDataDeps): vscode.Disposable {
  return vscode.commands.registerCommand(COMMAND.trackDataFile, async (uri?: unknown, nameArg?: string): Promise<TrackDataResult | undefined> => {
    const file = uri instanceof vscode.Uri ? uri : (await vscode.window.showOpenDialog({ title: 'Track Data File', canSelectMany: false }))?.[0];
    if (!file) return undefined;
    const fileName = basename(file.fsPath);
    const name = nameArg ?? await vscode.window.showInputBox({
      title: `Track ${fileName}`,
      prompt: 'Dataset name (a new version is added when the bytes changed)',
      value: defaultDatasetName(file.fsPath),
      validateInput: (value) => datasetNameProblem(deps.registry, value),
    });
    if (!name) return undefined;
    const source = deps.workspaceRoot && !relative(deps.workspaceRoot, file.fsPath).startsWith('..')
      ? relative(deps.workspaceRoot, file.fsPath) : file.fsPath;
    try {
      const result = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Window, title: `Hashing ${fileName}` },
        () => trackDataFile(deps.registry, deps.storeDir, file.fsPath, name, { source }),
      );
      if (result.unchanged) {
        void vscode.window.showInformationMessage(`${fileName} is unchanged, still ${name} v${result.version.version}.`);
      } else {
        deps.onChanged();
        void vscode.window.showInformationMessage(
          `Tracked ${fileName} as ${name} v${result.version.version} (${result.version.files[0].size} bytes, sha256 ${result.version.files[0].sha256.slice(0, 12)}…).`);
      }
      return result;
    } catch (error) {
      void vscode.window.showErrorMessage(`Tracking ${fileName} as '${name}' failed: ${error instanceof Error ? error.message : String(error)}`);
      return undefined;
    }
  });
}

/** Why the name cannot take the data file, or undefined (shown while typing). */
export function datasetNameProblem(registry: Pick<RegistryStore, 'getModel'>, name: string): string | undefined {
  if (!name) return 'Enter a dataset name, e.g. wine-quality.csv.';
  if (!isValidModelName(name)) return "Use a name without '/', '@' or whitespace.";
  const model = registry.getModel(name);
  if (model && model.versions.length > 0 && !isDatasetModel(model.tags)) return `'${name}' is a registered model, not a dataset; pick another name.`;
  return undefined;
}
