// Which runs a compare or detail command is about: the tree's selection, explicit ids from a
// script, an experiment's runs, or — from the Command Palette — a QuickPick of recent runs.
import * as vscode from 'vscode';
import type { TrackingStore } from '../../platform/store/trackingStore.api';
import type { RunSummary } from '../../core/tracking/types';
import { runDescription, runLabel } from '../../core/experiments/format';
import type { ExperimentsNode } from '../experiments/nodes';

/** Runs offered by the QuickPick: the newest of every experiment, newest first. */
const RECENT_RUNS_PER_EXPERIMENT = 200;
const RECENT_RUNS_SHOWN = 1000;
/** Runs of one experiment compared when the command is run on the experiment itself. */
const EXPERIMENT_RUNS_COMPARED = 50;

/**
 * Run ids from a command's arguments: (clicked node, selected nodes) from a view menu, a string or
 * string[] from scripts, an experiment node (its newest runs). Undefined when the arguments name none.
 */
export function runIdsFromArgs(store: TrackingStore, first: unknown, second: unknown): string[] | undefined {
  if (Array.isArray(second) && second.length > 1) {
    const ids = second.flatMap((node) => idsOfNode(store, node));
    if (ids.length) return unique(ids);
  }
  if (typeof first === 'string') return [first];
  if (Array.isArray(first) && first.every((id) => typeof id === 'string')) return unique(first as string[]);
  const ids = idsOfNode(store, first);
  return ids.length ? ids : undefined;
}

function idsOfNode(store: TrackingStore, node: unknown): string[] {
  if (typeof node !== 'object' || node === null || !('kind' in node)) return [];
  const n = node as ExperimentsNode | { kind: 'deletedRun'; run: RunSummary };
  if (n.kind === 'run' || n.kind === 'deletedRun') return [n.run.id];
  if (n.kind === 'experiment') return store.listRuns(n.experiment.id, { limit: EXPERIMENT_RUNS_COMPARED }).map((r) => r.id);
  return [];
}

/** The view's selected runs, if any. */
export function selectedRunIds(view: vscode.TreeView<ExperimentsNode> | undefined): string[] {
  return (view?.selection ?? []).flatMap((node) => (node.kind === 'run' ? [node.run.id] : []));
}

export function recentRuns(store: TrackingStore): RunSummary[] {
  return store.listExperiments()
    .flatMap((e) => store.listRuns(e.id, { limit: RECENT_RUNS_PER_EXPERIMENT }))
    .sort((a, b) => (b.startMs ?? 0) - (a.startMs ?? 0))
    .slice(0, RECENT_RUNS_SHOWN);
}

interface RunItem extends vscode.QuickPickItem {
  runId: string;
}

function itemOf(run: RunSummary): RunItem {
  return {
    runId: run.id,
    label: runLabel(run),
    description: [run.experiment, runDescription(run.primaryMetric)].filter(Boolean).join(' · '),
    detail: `${run.status.toLowerCase()} · ${run.id}`,
  };
}

export async function pickRuns(store: TrackingStore, title: string): Promise<string[] | undefined> {
  const items = recentRuns(store).map(itemOf);
  if (items.length === 0) {
    void vscode.window.showInformationMessage('There are no runs to compare yet: log a run with modelcloud (or open a folder with mlruns) first.');
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(items, {
    title, canPickMany: true, matchOnDescription: true, matchOnDetail: true,
    placeHolder: 'Choose the runs to compare (type to filter by name, experiment or id)',
  });
  return picked && picked.length ? picked.map((item) => item.runId) : undefined;
}

export async function pickRun(store: TrackingStore, title: string): Promise<string | undefined> {
  const items = recentRuns(store).map(itemOf);
  if (items.length === 0) {
    void vscode.window.showInformationMessage('There are no runs yet: log a run with modelcloud (or open a folder with mlruns) first.');
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(items, { title, matchOnDescription: true, matchOnDetail: true });
  return picked?.runId;
}

function unique(ids: string[]): string[] {
  return [...new Set(ids)];
}
