// Composition of the monitoring feature (issue #7 item 4): the samples store, the poller of every
// running deployment and A/B router, the alert rules with their notifications, and the
// "Modelcloud: Open Monitoring" dashboard (Command Palette and the Deployments view's services).
import * as vscode from 'vscode';
import { join } from 'node:path';
import { AlertEvaluator, describeRule, parseAlertRules, type AlertEvent, type AlertRule } from '../../core/monitoring/alerts';
import type { MonitoringSample } from '../../core/monitoring/sample';
import type { FiringAlert, MonitoredTarget, MonitoringState } from '../../protocol/monitoring';
import { RouterManager } from '../../platform/abtest/routerManager';
import type { ServiceManager } from '../../platform/deploy/serviceManager.api';
import { MetricsStore } from '../../platform/monitoring/metricsStore';
import { MonitoringPoller, type MonitorTarget } from '../../platform/monitoring/poller';
import { deploymentTargets } from '../../platform/monitoring/targets';
import { COMMAND, MONITORING_SETTINGS } from '../commandIds';
import { notifyAlert } from './alertNotifier';
import { MonitoringPanel } from './panel';

export interface MonitoringDeps {
  storeDir: string;
  extensionUri: vscode.Uri;
  manager: ServiceManager | undefined;
  routers?: RouterManager;
  log: (line: string) => void;
}

export interface MonitoringApi {
  /** Polls every target now; resolves with the samples written. */
  pollNow(): Promise<MonitoringSample[]>;
  /** Alerts open now. */
  firing(): FiringAlert[];
  /** Every alert event so far (fire and resolve), oldest first. */
  events(): AlertEvent[];
  /** What the open dashboard was last sent; undefined when it is closed. */
  dashboardState(): MonitoringState | undefined;
}

export function registerMonitoring(deps: MonitoringDeps): { disposables: vscode.Disposable[]; api: MonitoringApi } {
  const config = () => vscode.workspace.getConfiguration(MONITORING_SETTINGS.section);
  const intervalSeconds = () => {
    const v = config().get<number>(MONITORING_SETTINGS.intervalSeconds, 5);
    return typeof v === 'number' && v >= 1 ? v : 5;
  };
  const readRules = (): AlertRule[] => {
    const { rules, problems } = parseAlertRules(config().get<unknown>(MONITORING_SETTINGS.alerts));
    for (const p of problems) deps.log(`monitoring: ${p}`);
    return rules;
  };

  let store: MetricsStore;
  try {
    store = new MetricsStore(join(deps.storeDir, 'tracking.db'));
  } catch (error) {
    // Monitoring is optional: a store it cannot open must not take the other features down.
    const reason = `Monitoring is unavailable: the samples store in ${deps.storeDir} did not open (${error instanceof Error ? error.message : String(error)}). Reload the window once the database is writable.`;
    deps.log(reason);
    return {
      disposables: [vscode.commands.registerCommand(COMMAND.openMonitoring, () => void vscode.window.showErrorMessage(reason))],
      api: { pollNow: () => Promise.resolve([]), firing: () => [], events: () => [], dashboardState: () => undefined },
    };
  }
  const routers = deps.routers ?? new RouterManager({ storeDir: deps.storeDir });
  let rules = readRules();
  const evaluator = new AlertEvaluator(rules);
  const open = new Map<string, FiringAlert>();
  const events: AlertEvent[] = [];
  let panel: MonitoringPanel | undefined;
  let lastTargets: MonitorTarget[] = [];

  const onSamples = (samples: MonitoringSample[]) => {
    let changed = false;
    for (const s of samples) {
      for (const event of evaluator.observe(s)) {
        events.push(event);
        const key = `${event.service}\u0000${describeRule(event.rule)}`;
        if (event.kind === 'fire') open.set(key, { service: event.service, rule: describeRule(event.rule), message: event.message, sinceMs: event.ms });
        else open.delete(key);
        changed = true;
        notifyAlert(event, deps.log);
      }
    }
    panel?.samples(samples);
    if (changed) panel?.alertsChanged();
  };

  const poller = new MonitoringPoller({
    targets: async () => {
      lastTargets = await deploymentTargets(deps.manager, routers);
      return lastTargets;
    },
    store,
    intervalSeconds,
    onSamples,
    log: deps.log,
  });
  poller.start();

  const targetsForView = async (): Promise<MonitoredTarget[]> => {
    const live = lastTargets.length ? lastTargets : await deploymentTargets(deps.manager, routers).catch(() => []);
    const out: MonitoredTarget[] = live.map((t) => ({ key: t.key, kind: t.kind, live: true, url: t.url }));
    for (const { service } of store.services()) {
      if (!out.some((t) => t.key === service)) out.push({ key: service, kind: service.startsWith('router:') ? 'router' : 'service', live: false });
    }
    return out;
  };

  const openDashboard = (target?: string): MonitoringPanel => {
    if (!panel) {
      panel = new MonitoringPanel({
        extensionUri: deps.extensionUri, store, targets: targetsForView, alerts: () => [...open.values()],
        rules: () => rules.map(describeRule), intervalSeconds, onDispose: () => { panel = undefined; },
      }, target);
    }
    panel.show(target);
    return panel;
  };

  const disposables: vscode.Disposable[] = [
    { dispose: () => { poller.dispose(); panel?.dispose(); store.close(); } },
    vscode.commands.registerCommand(COMMAND.openMonitoring, (target?: unknown) => {
      // From the Deployments view: a service node ({ service: { name } }); from scripts: a name.
      const name = typeof target === 'string' ? target
        : (target as { service?: { name?: unknown } } | undefined)?.service?.name;
      openDashboard(typeof name === 'string' ? name : undefined);
    }),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration(`${MONITORING_SETTINGS.section}.${MONITORING_SETTINGS.alerts}`)) {
        rules = readRules();
        evaluator.setRules(rules);
        open.clear();
        panel?.alertsChanged();
      }
    }),
  ];

  return {
    disposables,
    api: {
      pollNow: () => poller.pollOnce(),
      firing: () => [...open.values()],
      events: () => [...events],
      dashboardState: () => panel?.state,
    },
  };
}
