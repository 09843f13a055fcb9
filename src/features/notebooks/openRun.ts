// "Open" on a run card (renderer link or cell CodeLens): the run's dashboard, and the run revealed
// in the Experiments view. A card can be newer than the store (the kernel wrote the run a moment
// ago), so a missing run is ingested first.
import * as vscode from 'vscode';
import type { TrackingStore } from '../../platform/store/trackingStore.api';

export interface OpenRunDeps {
  store: TrackingStore;
  storeDir: string;
  ingestNow(): Promise<unknown>;
  openRunDetail(runId: string): unknown;
  revealRun(runId: string): Promise<void>;
  log: Pick<vscode.LogOutputChannel, 'warn'>;
}

export async function openRunFromNotebook(deps: OpenRunDeps, runId: string, cardStoreDir?: string): Promise<boolean> {
  if (!deps.store.getRun(runId)) await deps.ingestNow();
  if (!deps.store.getRun(runId)) {
    const elsewhere = cardStoreDir && cardStoreDir !== deps.storeDir ? ` The card says the run was logged to ${cardStoreDir}; open that folder's workspace to see it.` : ' Run "Modelcloud: Ingest Now" and try again.';
    void vscode.window.showWarningMessage(`Run ${runId} is not in this workspace's tracking store (${deps.storeDir}).${elsewhere}`);
    return false;
  }
  deps.openRunDetail(runId);
  try {
    await deps.revealRun(runId);
  } catch (error) {
    // Revealing is a courtesy (the run can be beyond the loaded page of its experiment); the dashboard opened.
    deps.log.warn(`Could not reveal run ${runId} in the Experiments view: ${error instanceof Error ? error.message : String(error)}`);
  }
  return true;
}
