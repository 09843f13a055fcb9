// Selects a run in the Experiments view (the tree resolves the path through getParent).
import type * as vscode from 'vscode';
import type { TrackingStore } from '../../platform/store/trackingStore.api';
import type { ExperimentsNode } from '../experiments/nodes';

export async function revealRunInTree(view: vscode.TreeView<ExperimentsNode>, store: TrackingStore, runId: string): Promise<void> {
  const run = store.getRun(runId);
  if (!run || run.deleted) return;
  await view.reveal({ kind: 'run', run }, { select: true, focus: false, expand: true });
}
