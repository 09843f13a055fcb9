// A/B experiments in VS Code (issue #7 item 3): "Modelcloud: A/B Experiments" opens an
// experiment's dashboard (argument: the experiment id, else a quick pick), "New A/B Experiment…"
// opens the create form (argument: a service name or Deployments view item to preselect), and the
// "A/B Experiments" view lists experiments with their status. One tab per experiment.
import * as vscode from 'vscode';
import type { ServiceManager } from '../../platform/deploy/serviceManager.api';
import type { RegistryStore } from '../../platform/registry/registryStore';
import type { AbDraft } from '../../protocol/abDashboard';
import { COMMAND, VIEW } from '../commandIds';
import { AbDashboardPanel } from './abDashboardPanel';
import { AbSources } from './abSources';
import { AB_TREE_POLL_MS, AbExperimentsTree } from './tree';

export interface AbTestDeps {
  storeDir: string;
  extensionUri: vscode.Uri;
  manager: ServiceManager | undefined;
  registry: RegistryStore | undefined;
  log: (line: string) => void;
}

export interface AbTestFeature {
  disposables: vscode.Disposable[];
  tree: AbExperimentsTree;
}

export function defaultDraft(services: string[] = []): AbDraft {
  return {
    experiment: `ab-${new Date().toISOString().slice(0, 10)}`,
    title: '',
    // Two rows even without services: the form shows what to choose.
    variants: [...services.slice(0, 2), '', ''].slice(0, 2).map((service) => ({ service, weight: 50 })),
    control: 0,
    userKey: { kind: 'header', name: 'x-user-id' },
    kpi: { name: 'converted', type: 'proportion' },
    mde: 0.02,
    baseline: 0.1,
    alpha: 0.05,
    power: 0.8,
    alias: 'champion',
  };
}

export function registerAbTesting(deps: AbTestDeps): AbTestFeature {
  const sources = new AbSources(deps.storeDir, deps.manager, deps.registry);
  const tree = new AbExperimentsTree(sources);
  const view = vscode.window.createTreeView(VIEW.abExperiments, { treeDataProvider: tree });
  let timer: NodeJS.Timeout | undefined;
  const poll = (): void => {
    if (timer) clearInterval(timer);
    timer = view.visible ? setInterval(() => tree.refresh(), AB_TREE_POLL_MS) : undefined;
  };
  poll();
  const visibility = view.onDidChangeVisibility(poll);

  const panels = new Map<string, AbDashboardPanel>();
  const panelDeps = {
    sources, registry: deps.registry, log: deps.log, extensionUri: deps.extensionUri,
    isTrusted: () => vscode.workspace.isTrusted,
    onChanged: () => tree.refresh(),
    confirm: async (message: string, detail: string, button: string) =>
      (await vscode.window.showWarningMessage(message, { modal: true, detail }, button)) === button,
    pickVariant: async (title: string, names: string[]) => vscode.window.showQuickPick(names, { title, placeHolder: 'Variant to promote' }),
  };
  const track = (panel: AbDashboardPanel, key: string): AbDashboardPanel => {
    panels.set(key, panel);
    panel.dashboard.panel.onDidDispose(() => { if (panels.get(key) === panel) panels.delete(key); });
    return panel;
  };

  const open = async (arg?: unknown): Promise<AbDashboardPanel | undefined> => {
    let experiment = typeof arg === 'string' ? arg : isSummary(arg) ? arg.id : undefined;
    if (!experiment) {
      const known = await sources.experiments();
      if (!known.length) {
        const create = 'New A/B Experiment…';
        if (await vscode.window.showInformationMessage('There is no A/B experiment in this workspace yet.', create) === create) {
          await vscode.commands.executeCommand(COMMAND.abCreate);
        }
        return undefined;
      }
      experiment = (await vscode.window.showQuickPick(
        known.map((e) => ({ label: e.id, description: `${e.status}${e.title ? ` · ${e.title}` : ''}` })),
        { title: 'Open A/B Experiment' },
      ))?.label;
      if (!experiment) return undefined;
    }
    const existing = [...panels.values()].find((p) => p.experiment === experiment);
    if (existing) {
      existing.reveal();
      await existing.sendState();
      return existing;
    }
    return track(new AbDashboardPanel(panelDeps, { experiment }), `live:${experiment}`);
  };

  const create = async (arg?: unknown): Promise<AbDashboardPanel | undefined> => {
    const preselected = typeof arg === 'string' ? arg : serviceNameOf(arg);
    let names: string[] = [];
    try { names = (await sources.services()).filter((s) => s.url).map((s) => s.name); } catch { /* shown as a problem in the form */ }
    const ordered = preselected ? [preselected, ...names.filter((n) => n !== preselected)] : names;
    const panel = new AbDashboardPanel(panelDeps, { draft: defaultDraft(ordered) });
    return track(panel, `create:${Date.now()}:${Math.random()}`);
  };

  return {
    tree,
    disposables: [
      tree, view, visibility,
      { dispose: () => { if (timer) clearInterval(timer); for (const p of [...panels.values()]) p.dispose(); sources.dispose(); } },
      vscode.commands.registerCommand(COMMAND.abOpen, open),
      vscode.commands.registerCommand(COMMAND.abCreate, create),
      vscode.commands.registerCommand(COMMAND.abRefresh, () => tree.refresh()),
    ],
  };
}

function isSummary(value: unknown): value is { id: string; status: string } {
  return typeof value === 'object' && value !== null && typeof (value as { id?: unknown }).id === 'string' && 'status' in value;
}

/** The service of a Deployments view item ({ kind, service: { name } }). */
function serviceNameOf(value: unknown): string | undefined {
  const service = (value as { service?: { name?: unknown } } | undefined)?.service;
  return typeof service?.name === 'string' ? service.name : undefined;
}
