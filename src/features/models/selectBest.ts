// "Modelcloud: Select Best Model Version…": pick an environment (modelcloud.yaml `environments:`,
// else the setting modelcloud.registry.environments), a model and a metric; shows the chosen version
// with every version's reason in a markdown document. With all answers passed as an argument it
// asks nothing (tests, other commands) and returns the selection.
import * as vscode from 'vscode';
import { parseEnvironments, type Environments } from '../../core/registry/environments';
import { selectBest, type Selection } from '../../core/registry/select';
import type { RegistryStore } from '../../platform/registry/registryStore';
import type { TrackingStore } from '../../platform/store/trackingStore.api';
import { readEnvironments } from '../../cli/commands/select';
import { COMMAND, REGISTRY_SETTINGS } from '../commandIds';

export interface SelectBestDeps {
  registry: RegistryStore;
  store: TrackingStore;
  workspaceRoot: string;
}

export interface SelectBestArgs { environment?: string; model?: string; metric?: string; direction?: 'max' | 'min' }

export interface SelectBestResult extends Selection {
  model: string; environment: string; range: string; metric: string; direction: 'max' | 'min';
}

/** The setting's environments, overridden by modelcloud.yaml's of the same name. */
export function workspaceEnvironments(workspaceRoot: string): Environments {
  const setting = vscode.workspace.getConfiguration(REGISTRY_SETTINGS.section).get<unknown>(REGISTRY_SETTINGS.environments, {});
  const merged = parseEnvironments(setting, `setting ${REGISTRY_SETTINGS.section}.${REGISTRY_SETTINGS.environments}`);
  for (const [name, range] of readEnvironments(workspaceRoot)) merged.set(name, range);
  return merged;
}

export function registerSelectBestCommand(deps: SelectBestDeps): vscode.Disposable {
  return vscode.commands.registerCommand(COMMAND.selectBestModelVersion, async (args: SelectBestArgs = {}): Promise<SelectBestResult | undefined> => {
    try {
      return await selectBestVersion(deps, args);
    } catch (error) {
      void vscode.window.showErrorMessage(`Select Best Model Version: ${error instanceof Error ? error.message : String(error)}`);
      return undefined;
    }
  });
}

async function selectBestVersion(deps: SelectBestDeps, args: SelectBestArgs): Promise<SelectBestResult | undefined> {
  const environments = workspaceEnvironments(deps.workspaceRoot);
  if (environments.size === 0) {
    throw new Error('no environments are declared: add `environments: {prod: "<=1"}` to modelcloud.yaml at the workspace root, or set modelcloud.registry.environments');
  }
  const environment = args.environment ?? await vscode.window.showQuickPick(
    [...environments].map(([name, range]) => ({ label: name, description: 'error' in range ? range.error : range.text })),
    { title: 'Select Best Model Version: environment' },
  ).then((p) => p?.label);
  if (!environment) return undefined;
  const range = environments.get(environment);
  if (!range) throw new Error(`no environment '${environment}' (declared: ${[...environments.keys()].join(', ')})`);
  if ('error' in range) throw new Error(range.error);

  const models = deps.registry.listModels().map((m) => m.name);
  if (models.length === 0) throw new Error('no registered models yet; register one first');
  const model = args.model ?? (models.length === 1 ? models[0] : await vscode.window.showQuickPick(models, { title: 'Select Best Model Version: model' }));
  if (!model) return undefined;

  const metricKeys = deps.store.listColumnKeys().metrics;
  const metric = args.metric ?? await vscode.window.showQuickPick(metricKeys, { title: 'Select Best Model Version: metric of the source run' });
  if (!metric) return undefined;
  const direction = args.direction ?? await vscode.window.showQuickPick(
    [{ label: 'max', description: 'higher is better' }, { label: 'min', description: 'lower is better' }],
    { title: `Select Best Model Version: best ${metric} is…` },
  ).then((p) => p?.label as 'max' | 'min' | undefined);
  if (!direction) return undefined;

  const selection = selectBest({ versions: deps.registry.versionsWithMetric(model, metric), range, metric, direction });
  const result: SelectBestResult = { ...selection, model, environment, range: range.text, metric, direction };
  const doc = await vscode.workspace.openTextDocument({ language: 'markdown', content: selectionMarkdown(result) });
  await vscode.window.showTextDocument(doc, { preview: true });
  return result;
}

export function selectionMarkdown(r: SelectBestResult): string {
  const lines = [
    `# Best version of ${r.model} for ${r.environment}`,
    '',
    r.best
      ? `**Selected: v${r.best.version}** (\`models:/${r.model}/${r.best.version}\`), ${r.metric} = ${r.best.metric}`
      : `**No version selected**: no version in range \`${r.range}\` has a value of ${r.metric}.`,
    '',
    `Range \`${r.range}\`, metric \`${r.metric}\` (${r.direction === 'max' ? 'highest' : 'lowest'} wins).`,
    '',
    '| version | status | why |',
    '| --- | --- | --- |',
    ...r.reasons.map((reason) => `| v${reason.version} | ${reason.status} | ${reason.detail.replace(/\|/g, '\\|')} |`),
    '',
  ];
  return lines.join('\n');
}
