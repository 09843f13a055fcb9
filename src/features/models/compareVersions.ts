// "Compare Versions…": two or more versions of a model (selected together in the Models view, or
// picked from the model's context menu) open the Compare view with their source runs. Versions
// registered from a file have no run: the user is told which, never silently left out.
import * as vscode from 'vscode';
import type { RegistryStore } from '../../platform/registry/registryStore';
import { explainPlan, planVersionCompare } from '../../core/registry/compareVersions';
import { COMMAND } from '../commandIds';
import type { ModelsNode } from './tree';

export interface CompareVersionsDeps {
  registry: RegistryStore;
  runExists(runId: string): boolean;
}

export function registerCompareVersionsCommand(deps: CompareVersionsDeps): vscode.Disposable {
  return vscode.commands.registerCommand(COMMAND.modelCompareVersions, async (first?: unknown, selected?: unknown): Promise<unknown> => {
    const chosen = versionsFromArgs(first, selected) ?? await pickVersions(deps.registry, first);
    if (!chosen) return undefined;
    const model = deps.registry.getModel(chosen.name);
    const versions = model?.versions.filter((v) => chosen.versions.includes(v.version)) ?? [];
    if (versions.length < 2) {
      void vscode.window.showInformationMessage(`Choose two or more versions of ${chosen.name} to compare.`);
      return undefined;
    }
    const plan = planVersionCompare(versions, deps.runExists);
    const why = explainPlan(chosen.name, plan);
    if (plan.runIds.length === 0) {
      void vscode.window.showWarningMessage(`Nothing to compare: ${why ?? 'no version has a source run'}`);
      return undefined;
    }
    if (why) void vscode.window.showInformationMessage(`Comparing the source runs of ${chosen.name}. Not compared: ${why}`);
    return vscode.commands.executeCommand(COMMAND.compareRuns, plan.runIds);
  });
}

/** Versions named by the arguments: the view's multi-selection, or {name, versions} from scripts. */
function versionsFromArgs(first: unknown, selected: unknown): { name: string; versions: number[] } | undefined {
  if (Array.isArray(selected) && selected.length > 1) {
    const nodes = selected.filter((n): n is Extract<ModelsNode, { kind: 'version' }> => (n as ModelsNode)?.kind === 'version');
    const names = new Set(nodes.map((n) => n.model));
    if (nodes.length > 1 && names.size === 1) return { name: nodes[0].model, versions: nodes.map((n) => n.version.version) };
    if (names.size > 1) {
      void vscode.window.showInformationMessage('Select versions of one model to compare (the selection spans several models).');
    }
  }
  const arg = first as { name?: unknown; versions?: unknown } | undefined;
  if (arg && typeof arg.name === 'string' && Array.isArray(arg.versions) && arg.versions.every((v) => typeof v === 'number')) {
    return { name: arg.name, versions: arg.versions as number[] };
  }
  return undefined;
}

async function pickVersions(registry: RegistryStore, first: unknown): Promise<{ name: string; versions: number[] } | undefined> {
  const node = first as ModelsNode | undefined;
  let name = node?.kind === 'model' ? node.model.name : node?.kind === 'version' ? node.model : undefined;
  if (!name) {
    const models = registry.listModels().filter((m) => m.versions.length > 1);
    if (!models.length) {
      void vscode.window.showInformationMessage('No model has two versions to compare yet.');
      return undefined;
    }
    name = models.length === 1 ? models[0].name
      : (await vscode.window.showQuickPick(models.map((m) => ({ label: m.name, description: `${m.versions.length} versions` })), { title: 'Compare Versions: model' }))?.label;
    if (!name) return undefined;
  }
  const model = registry.getModel(name);
  if (!model) return undefined;
  const items = [...model.versions].reverse().map((v, i) => ({
    label: `v${v.version}`, version: v.version, picked: i < 2,
    description: [v.stage === 'None' ? '' : v.stage, v.aliases.map((a) => `@${a}`).join(' ')].filter(Boolean).join(' · '),
    detail: v.runId ? `run ${v.runId}` : 'no source run (registered from a file)',
  }));
  const picked = await vscode.window.showQuickPick(items, { title: `Compare versions of ${name}`, canPickMany: true, placeHolder: 'Pick two or more versions' });
  return picked && picked.length ? { name, versions: picked.map((p) => p.version) } : undefined;
}
