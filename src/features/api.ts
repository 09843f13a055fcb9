// The object `activate` returns: what the integration tests and other extensions may use.
// Kept small on purpose; additions are fine, changes to what is here are breaking.
//   const api = await vscode.extensions.getExtension<ModelcloudApi>('modelcloud.modelcloud')!.activate();
import type { RunStatus } from '../core/tracking/types';
import type { TrackingStore } from '../platform/store/trackingStore.api';
import type { IngestReport } from '../platform/ingest/workspaceIngest';
import type { DeploymentsSnapshot } from './deployments/tree';
import type { ModelsTreeSnapshot } from './models/tree';
import type { NotebooksApi } from './notebooks/register';
import type { MonitoringApi } from './monitoring/register';

/** What the Experiments tree shows right now (first page of runs of every experiment). */
export interface ExperimentsTreeSnapshot {
  experiments: Array<{
    id: number;
    label: string;
    description: string;
    runs: Array<{ id: string; label: string; description: string; status: RunStatus }>;
    /** True when a "Show more…" node follows the runs. */
    hasMore: boolean;
  }>;
}

export interface ModelcloudApi {
  /** Bumped when something here changes incompatibly. */
  readonly apiVersion: 1;
  /** The workspace's tracking store (`<root>/.modelcloud/tracking.db`); undefined without an open folder. */
  readonly store: TrackingStore | undefined;
  /**
   * Ingests every source in the workspace now. Waits for an ingest in progress instead of
   * overlapping it; rejects when no folder is open.
   */
  ingestNow(): Promise<IngestReport>;
  readonly experimentsView: {
    /** How many times the tree has been told to refresh (lets tests see refreshes, and their absence). */
    refreshCount(): number;
    snapshot(): ExperimentsTreeSnapshot;
  };
  /** The Models view (model registry); undefined without an open folder. */
  readonly modelsView?: { snapshot(): ModelsTreeSnapshot };
  /** The Deployments view (model services); undefined without an open folder. */
  readonly deploymentsView?: DeploymentsViewApi;
  /** Notebooks: the kernel bridge (issue #6); undefined without an open folder. */
  readonly notebooks?: NotebooksApi;
  /** Monitoring of deployments (issue #7): poll now, alerts, the dashboard's state; undefined without an open folder. */
  readonly monitoring?: MonitoringApi;
}

export interface DeploymentsViewApi {
  /** Re-lists the services now (the view also polls while visible). */
  refresh(): Promise<void>;
  /** Services as the view shows them, each with its revisions (read now). */
  snapshot(): Promise<DeploymentsSnapshot>;
  /** The status bar item's text, undefined while it is hidden (no services). */
  statusBarText(): string | undefined;
  /** Bytes of the service's log shown in its Tail Logs channel; undefined when not tailed. */
  tailedBytes(service: string): number | undefined;
  /** Why deploy commands are unavailable (the deploy machinery did not start); undefined when they work. */
  readonly unavailableReason: string | undefined;
}
