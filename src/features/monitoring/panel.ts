// The Monitoring dashboard's host side: one panel per window showing one target at a time. On
// ready (also after a reload) it sends the history of the chosen range from the store, then
// forwards the poller's samples for that target as deltas.
import * as vscode from 'vscode';
import type { MonitoringSample } from '../../core/monitoring/sample';
import type {
  FiringAlert, MonitoredTarget, MonitoringFromView, MonitoringState, MonitoringToView, RangeMinutes,
} from '../../protocol/monitoring';
import { RANGES } from '../../protocol/monitoring';
import type { MetricsStore } from '../../platform/monitoring/metricsStore';
import { ROUTER_KEY_PREFIX } from '../../platform/monitoring/targets';
import { COMMAND } from '../commandIds';
import { DashboardPanel } from '../webview/dashboardPanel';
import { historyPoints, toChartPoint } from './model';

export interface MonitoringPanelDeps {
  extensionUri: vscode.Uri;
  store: MetricsStore;
  targets(): Promise<MonitoredTarget[]>;
  alerts(): FiringAlert[];
  rules(): string[];
  intervalSeconds(): number;
  onDispose(): void;
}

export class MonitoringPanel implements vscode.Disposable {
  private readonly dashboard: DashboardPanel<MonitoringToView, MonitoringFromView>;
  private selected: string | undefined;
  private rangeMinutes: RangeMinutes = 15;
  private lastState: MonitoringState | undefined;

  constructor(private readonly deps: MonitoringPanelDeps, selected?: string) {
    this.selected = selected;
    this.dashboard = new DashboardPanel<MonitoringToView, MonitoringFromView>({
      viewType: 'modelcloud.monitoring',
      title: this.title(),
      bundle: 'monitoring',
      extensionUri: deps.extensionUri,
      onReady: () => void this.sendState(),
      onMessage: (message) => this.onMessage(message),
      onDispose: () => deps.onDispose(),
    });
  }

  /** Shows `target` (if given) and brings the panel forward. */
  show(target?: string): void {
    if (target && target !== this.selected) {
      this.selected = target;
      void this.sendState();
    }
    this.dashboard.reveal();
  }

  /** Live samples from the poller: the shown target's become a delta. */
  samples(samples: readonly MonitoringSample[]): void {
    const mine = samples.filter((s) => s.service === this.selected);
    if (mine.length && this.lastState) this.dashboard.post({ type: 'samples', service: this.selected!, points: mine.map(toChartPoint) });
    // A target seen for the first time (a new deploy) joins the picker.
    if (samples.some((s) => !this.lastState?.targets.some((t) => t.key === s.service))) void this.sendState();
  }

  alertsChanged(): void {
    this.dashboard.post({ type: 'alerts', alerts: this.deps.alerts() });
  }

  /** What the webview was last sent (integration tests). */
  get state(): MonitoringState | undefined {
    return this.lastState;
  }

  dispose(): void {
    this.dashboard.dispose();
  }

  private title(): string {
    return this.selected ? `Monitoring: ${this.selected}` : 'Monitoring';
  }

  private async onMessage(message: MonitoringFromView): Promise<void> {
    if (message.type === 'select') {
      this.selected = message.target;
      await this.sendState();
    } else if (message.type === 'range') {
      if (RANGES.includes(message.minutes)) this.rangeMinutes = message.minutes;
      await this.sendState();
    } else if (message.type === 'rollback') {
      await vscode.commands.executeCommand(COMMAND.serviceRollback, message.target);
    }
  }

  private async sendState(): Promise<void> {
    const targets = await this.deps.targets();
    if (!this.selected || !targets.some((t) => t.key === this.selected)) this.selected = targets.find((t) => t.live)?.key ?? targets[0]?.key;
    this.dashboard.panel.title = this.title();
    const history = this.selected ? historyPoints(this.deps.store, this.selected, this.rangeMinutes, Date.now()) : { points: [], bucketMs: 0 };
    const state: MonitoringState = {
      type: 'state',
      targets,
      selected: this.selected,
      rangeMinutes: this.rangeMinutes,
      points: history.points,
      bucketMs: history.bucketMs,
      intervalSeconds: this.deps.intervalSeconds(),
      rules: this.deps.rules(),
      alerts: this.deps.alerts(),
      canRollBack: Boolean(this.selected && !this.selected.startsWith(ROUTER_KEY_PREFIX)) && vscode.workspace.isTrusted,
    };
    this.lastState = state;
    this.dashboard.post(state);
  }
}
