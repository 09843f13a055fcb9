// Keeps the store in step with the workspace: the initial full ingest, file-watcher driven
// incremental ingests (debounced, one at a time, see IngestQueue), "Ingest Now", logging of
// every report and problem, and telling the views when the store changed.
import type * as vscode from 'vscode';
import type { TrackingStore } from '../../platform/store/trackingStore.api';
import type { IngestReport, WorkspaceIngest } from '../../platform/ingest/workspaceIngest';
import { IngestQueue, type IngestWork } from '../../core/watch/ingestQueue';

/**
 * 100 ms of quiet, at most 300 ms of waiting: the Python client flushes every 200 ms and a
 * logged event should be in the tree within a second.
 */
const DEBOUNCE_MS = 100;
const MAX_WAIT_MS = 300;
/** Problems logged per ingest; the rest are counted (a garbage file can have millions of lines). */
const MAX_PROBLEMS_LOGGED = 50;

export interface LiveIngestDeps {
  store: TrackingStore;
  ingest: Pick<WorkspaceIngest, 'ingestAll' | 'ingestPaths'>;
  log: vscode.LogOutputChannel;
  /** Called after an ingest that changed the store. */
  onStoreChanged(): void;
  /** Called after every ingest with the store's problem count. */
  onProblemCount(count: number): void;
}

export class LiveIngest implements vscode.Disposable {
  private readonly queue: IngestQueue<IngestReport>;

  constructor(private readonly deps: LiveIngestDeps) {
    this.queue = new IngestQueue<IngestReport>(
      (work) => this.run(work),
      { setTimeout: (callback, ms) => setTimeout(callback, ms), clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>) },
      Date.now,
      {
        debounceMs: DEBOUNCE_MS,
        maxWaitMs: MAX_WAIT_MS,
        onError: (error) => deps.log.error(`Ingest failed: ${messageOf(error)}`),
      },
    );
  }

  /** A trigger file changed (from the watcher). */
  fileChanged(path: string): void {
    this.queue.notify(path);
  }

  /** Full ingest, after any ingest in progress. */
  ingestNow(): Promise<IngestReport> {
    return this.queue.requestAll();
  }

  whenIdle(): Promise<void> {
    return this.queue.whenIdle();
  }

  dispose(): void {
    this.queue.dispose();
  }

  private async run(work: IngestWork): Promise<IngestReport> {
    const { store } = this.deps;
    const before = store.changeCounter();
    const report = work.all ? await this.deps.ingest.ingestAll() : await this.deps.ingest.ingestPaths(work.paths);
    this.logReport(work, report);
    if (store.changeCounter() !== before) this.deps.onStoreChanged();
    this.deps.onProblemCount(store.problemCount());
    return report;
  }

  private logReport(work: IngestWork, report: IngestReport): void {
    const { log } = this.deps;
    const summary = `${work.all ? 'Full ingest' : `Ingest of ${work.paths.length} changed file(s)`}: ` +
      `${report.runsTouched} run(s) updated, ${report.metricPoints} metric point(s), ` +
      `${report.problems.length} problem(s), ${Math.round(report.durationMs)} ms`;
    // Incremental ingests happen every few hundred ms while a run trains: keep them at debug.
    if (work.all || report.problems.length > 0) log.info(summary);
    else log.debug(summary);
    for (const problem of report.problems.slice(0, MAX_PROBLEMS_LOGGED)) {
      log.warn(`${problem.source}${problem.line !== undefined ? `:${problem.line}` : ''}: ${problem.message}`);
    }
    if (report.problems.length > MAX_PROBLEMS_LOGGED) {
      log.warn(`… and ${report.problems.length - MAX_PROBLEMS_LOGGED} more problem(s) in this ingest.`);
    }
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}
