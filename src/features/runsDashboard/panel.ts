// Host side of one Runs dashboard: answers the webview's requests from the store, persists the
// column layout per workspace, runs Compare and Export, and tells the webview when the store
// changed (polling the store's change counter while the panel is visible: a counter read is a
// single SQLite query, far cheaper than any event plumbing between ingest and every panel).
import * as vscode from 'vscode';
import { DashboardPanel } from '../webview/dashboardPanel';
import { initialColumns, sanitizeColumns } from '../../core/runsTable/columns';
import {
  COMPARE_RUNS_COMMAND, RUNS_DASHBOARD_BUNDLE, RUNS_DASHBOARD_VIEW_TYPE,
  type ColumnKeys, type ColumnState, type InitMessage, type RunsDashboardReply, type RunsDashboardToHost,
  type RunsDashboardToView, type RunsQuery,
} from '../../protocol/runsDashboard';
import type { RunsSource } from './runsSource';
import { exportRuns } from './exportRuns';

export const COLUMNS_STATE_KEY = 'modelcloud.runsDashboard.columns';
const POLL_MS = 300;

export interface RunsDashboardDeps {
  source: RunsSource;
  title: string;
  extensionUri: vscode.Uri;
  workspaceState: vscode.Memento;
  /** Where Export's save dialog starts. */
  defaultExportFolder: vscode.Uri | undefined;
  onDispose(): void;
}

export class RunsDashboardController implements vscode.Disposable {
  readonly dashboard: DashboardPanel<RunsDashboardToView, RunsDashboardToHost>;
  private lastQuery: RunsQuery = { filter: '' };
  private seenCounter: number;
  private seenKeys: string;
  private readonly timer: ReturnType<typeof setInterval>;

  constructor(private readonly deps: RunsDashboardDeps) {
    this.seenCounter = deps.source.changeCounter();
    this.seenKeys = JSON.stringify(deps.source.keys());
    this.dashboard = new DashboardPanel<RunsDashboardToView, RunsDashboardToHost>({
      viewType: RUNS_DASHBOARD_VIEW_TYPE,
      title: deps.title,
      bundle: RUNS_DASHBOARD_BUNDLE,
      extensionUri: deps.extensionUri,
      onReady: (post) => void this.initMessage().then(post),
      onMessage: async (message, post) => {
        const reply = await this.handleMessage(message);
        if (reply) post(reply);
      },
      onDispose: () => {
        clearInterval(this.timer);
        deps.onDispose();
      },
    });
    this.timer = setInterval(() => this.pollStore(), POLL_MS);
  }

  get panel(): vscode.WebviewPanel {
    return this.dashboard.panel;
  }

  reveal(): void {
    this.dashboard.reveal();
  }

  /** The full state sent after `ready` (exposed so tests can read it without a browser). */
  async initMessage(): Promise<InitMessage> {
    const { source } = this.deps;
    const keys = source.keys();
    const saved = this.deps.workspaceState.get<unknown>(COLUMNS_STATE_KEY);
    return {
      type: 'init',
      title: this.deps.title,
      experiments: source.experiments(),
      keys,
      columns: saved === undefined ? initialColumns(keys) : sanitizeColumns(saved),
      compareAvailable: await isCompareAvailable(),
    };
  }

  /**
   * Answers one webview message: request messages get their reply (also returned, so tests can
   * drive the round trip without a browser), the others act and return undefined.
   */
  async handleMessage(message: RunsDashboardToHost): Promise<RunsDashboardReply | undefined> {
    const { source } = this.deps;
    switch (message.type) {
      case 'fetchRows': {
        this.lastQuery = message.query;
        const result = source.rows(message.query, message.offset, message.limit, message.columns);
        if (!result.ok) return { type: 'queryError', requestId: message.requestId, error: result.error };
        return { type: 'rows', requestId: message.requestId, offset: message.offset, ...result.value };
      }
      case 'resolveRange': {
        const result = source.idsInRange(message.query, message.from, message.to);
        if (!result.ok) return { type: 'queryError', requestId: message.requestId, error: result.error };
        return { type: 'range', requestId: message.requestId, from: message.from, to: message.to, ids: result.value };
      }
      case 'fetchGroups': {
        const result = source.groups(message.query, message.groupBy, message.metrics);
        if (!result.ok) return { type: 'queryError', requestId: message.requestId, error: result.error };
        return { type: 'groups', requestId: message.requestId, groups: result.value };
      }
      case 'saveColumns':
        await this.deps.workspaceState.update(COLUMNS_STATE_KEY, sanitizeColumns(message.columns) satisfies ColumnState[]);
        return undefined;
      case 'compare':
        await this.compare(message.runIds);
        return undefined;
      case 'export': {
        const notice = await exportRuns(source, message, this.deps.defaultExportFolder);
        if (notice) this.dashboard.post(notice);
        return undefined;
      }
    }
  }

  dispose(): void {
    this.dashboard.dispose();
  }

  private async compare(runIds: string[]): Promise<void> {
    if (runIds.length === 0) {
      this.dashboard.post({ type: 'notice', level: 'error', message: 'Select two or more runs to compare (click, Shift+click, Ctrl+click or Space).' });
      return;
    }
    if (!(await isCompareAvailable())) {
      this.dashboard.post({
        type: 'notice', level: 'error',
        message: `Compare is not available: no command ${COMPARE_RUNS_COMMAND} is registered in this build. Export the selected runs instead.`,
      });
      return;
    }
    await vscode.commands.executeCommand(COMPARE_RUNS_COMMAND, runIds);
  }

  /** Sends `invalidate` with the new total when the store changed since the last look. */
  private pollStore(): void {
    if (!this.dashboard.panel.visible || !this.dashboard.isReady) return;
    const { source } = this.deps;
    const counter = source.changeCounter();
    if (counter === this.seenCounter) return;
    this.seenCounter = counter;
    const total = source.total(this.lastQuery);
    // A query error here means the webview already shows that error: nothing to refresh.
    if (!total.ok) return;
    const keys: ColumnKeys = source.keys();
    const keysText = JSON.stringify(keys);
    const keysChanged = keysText !== this.seenKeys;
    this.seenKeys = keysText;
    this.dashboard.post({ type: 'invalidate', total: total.value, ...(keysChanged ? { keys } : {}) });
  }
}

async function isCompareAvailable(): Promise<boolean> {
  return (await vscode.commands.getCommands(true)).includes(COMPARE_RUNS_COMMAND);
}
