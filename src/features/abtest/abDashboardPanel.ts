// Host side of the A/B dashboard. In `create` mode it answers the form's drafts with a plan
// preview (sample size, duration at the measured traffic) and starts the router on Start; in
// `live` mode it re-reads the store and the router about once a second while the tab is visible
// and sends the whole view model (small: one row per variant). Buttons run abActions.
import * as vscode from 'vscode';
import { DashboardPanel } from '../webview/dashboardPanel';
import {
  AB_DASHBOARD_BUNDLE, AB_DASHBOARD_VIEW_TYPE, type AbDashboardFromView, type AbDashboardToView, type AbDraft,
  type AbLiveMessage, type AbServiceOption,
} from '../../protocol/abDashboard';
import { liveState, planOfDraft, planPreview, routerConfigOfDraft } from '../../core/abtest/dashboardModel';
import { writeAbPlan } from '../../platform/abtest/abPlanFile';
import { ServiceTrafficMeter } from '../../platform/abtest/serviceTraffic';
import { runAbAction, type AbActionDeps } from './abActions';

export const LIVE_POLL_MS = 1_000;
/** The create form re-measures the chosen services' traffic this often (two scrapes give a rate). */
export const PREVIEW_POLL_MS = 2_000;

export interface AbDashboardPanelDeps extends AbActionDeps {
  extensionUri: vscode.Uri;
  isTrusted(): boolean;
  /** After a start or an action: refresh the A/B Experiments view. */
  onChanged(): void;
}

export class AbDashboardPanel implements vscode.Disposable {
  readonly dashboard: DashboardPanel<AbDashboardToView, AbDashboardFromView>;
  /** Every message posted to the view, newest last (tests read it; bounded). */
  readonly posted: AbDashboardToView[] = [];
  private mode: { kind: 'create'; draft: AbDraft; revision: number } | { kind: 'live'; experiment: string };
  private services: AbServiceOption[] = [];
  private readonly meter = new ServiceTrafficMeter();
  private traffic: number | null = null;
  private notice: string | null = null;
  private lastLive: AbLiveMessage | undefined;
  private timer: NodeJS.Timeout | undefined;
  private timerMs = 0;
  private polling = false;
  private disposed = false;

  constructor(readonly deps: AbDashboardPanelDeps, start: { draft: AbDraft } | { experiment: string }) {
    this.mode = 'draft' in start ? { kind: 'create', draft: start.draft, revision: 0 } : { kind: 'live', experiment: start.experiment };
    this.dashboard = new DashboardPanel<AbDashboardToView, AbDashboardFromView>({
      viewType: AB_DASHBOARD_VIEW_TYPE,
      title: this.title(),
      bundle: AB_DASHBOARD_BUNDLE,
      extensionUri: deps.extensionUri,
      onReady: () => void this.sendState(),
      onMessage: async (message) => { await this.handleMessage(message); },
      onDispose: () => { this.disposed = true; this.stopTimer(); },
    });
    this.dashboard.panel.onDidChangeViewState(() => this.schedule());
    this.schedule();
  }

  get experiment(): string | undefined {
    return this.mode.kind === 'live' ? this.mode.experiment : undefined;
  }

  /** Handles one message from the webview; returns what it posted back (the test hook). */
  async handleMessage(message: AbDashboardFromView): Promise<AbDashboardToView[]> {
    const before = this.posted.length;
    switch (message.type) {
      case 'draft':
        if (this.mode.kind === 'create') { this.mode.draft = message.draft; this.mode.revision = message.revision; }
        this.post({ type: 'preview', revision: message.revision, preview: await this.preview(message.draft) });
        break;
      case 'start':
        await this.start(message.draft);
        break;
      case 'action': {
        const experiment = this.experiment;
        if (!experiment) break;
        if ((message.action === 'resume' || message.action === 'promote') && !this.deps.isTrusted()) {
          this.notice = `${message.action === 'promote' ? 'Promote Winner (it redeploys services)' : 'Resume'} is disabled in Restricted Mode: trust the workspace to enable it.`;
        } else {
          try {
            const notice = await runAbAction(this.deps, experiment, message.action, this.lastLive);
            if (notice) { this.notice = notice; this.deps.log(`A/B ${experiment}: ${notice}`); }
          } catch (error) {
            this.notice = `${message.action} failed: ${error instanceof Error ? error.message : String(error)}`;
            void vscode.window.showErrorMessage(`A/B experiment "${experiment}": ${this.notice}`);
          }
        }
        this.deps.onChanged();
        await this.sendState();
        break;
      }
      case 'refresh':
        await this.sendState();
        break;
    }
    return this.posted.slice(before);
  }

  /** Sends the full state of the current mode. */
  async sendState(): Promise<void> {
    if (this.mode.kind === 'create') {
      this.services = await this.deps.sources.variantOptions().catch(() => []);
      this.post({ type: 'create', services: this.services, draft: this.mode.draft, preview: await this.preview(this.mode.draft), trusted: this.deps.isTrusted() });
      return;
    }
    const inputs = await this.deps.sources.liveInputs(this.mode.experiment);
    if (!inputs) {
      this.post({ type: 'error', message: `No A/B experiment "${this.mode.experiment}" in ${this.deps.sources.storeDir}: it has no router folder and no rows in the store. Create one with "Modelcloud: New A/B Experiment…".` });
      return;
    }
    const state = liveState({ ...inputs, trusted: this.deps.isTrusted(), notice: this.notice });
    this.lastLive = state;
    this.post(state);
  }

  /** The last live state sent (tests). */
  get lastLiveState(): AbLiveMessage | undefined {
    return this.lastLive;
  }

  reveal(): void {
    this.dashboard.reveal();
  }

  dispose(): void {
    this.stopTimer();
    this.dashboard.dispose();
  }

  private async start(draft: AbDraft): Promise<void> {
    if (!this.deps.isTrusted()) {
      this.post({ type: 'error', message: 'Starting an A/B router is disabled in Restricted Mode: trust the workspace to enable it.' });
      return;
    }
    this.services = await this.deps.sources.variantOptions();
    const preview = await this.preview(draft);
    if (preview.problems.length) {
      this.post({ type: 'error', message: `Not started:\n${preview.problems.join('\n')}` });
      return;
    }
    try {
      await this.deployVersionVariants(draft);
    } catch (error) {
      this.post({ type: 'error', message: `Not started: ${error instanceof Error ? error.message : String(error)}` });
      return;
    }
    try {
      const plan = planOfDraft(draft, this.services, Date.now());
      const client = await this.deps.sources.routers.start(routerConfigOfDraft(draft, this.services));
      writeAbPlan(this.deps.sources.storeDir, plan);
      this.deps.log(`A/B ${draft.experiment}: router started at ${client.url} (pid ${client.info.pid}); ${plan.requiredPerGroup} KPI values planned per variant`);
      this.notice = `Router started at ${client.url}: send requests there with the ${draft.userKey.kind === 'header' ? `header ${draft.userKey.name}` : `JSON field ${draft.userKey.name}`}, and KPI values to ${client.url}/feedback.`;
    } catch (error) {
      this.post({ type: 'error', message: `The A/B router did not start: ${error instanceof Error ? error.message : String(error)}` });
      return;
    }
    this.mode = { kind: 'live', experiment: draft.experiment };
    this.dashboard.panel.title = this.title();
    this.deps.onChanged();
    await this.sendState();
    this.schedule();
  }

  /**
   * Variants that are registry versions not served yet: deploy each from its template service's
   * folder under the option's name, serving that version, then re-read the services (their URLs).
   */
  private async deployVersionVariants(draft: AbDraft): Promise<void> {
    const pending = draft.variants
      .map((v) => this.services.find((s) => s.name === v.service))
      .filter((s): s is AbServiceOption & { deployFrom: { service: string; model: string } } => Boolean(s?.deployFrom));
    if (!pending.length) return;
    const manager = this.deps.sources.manager;
    if (!manager) throw new Error('the deploy machinery is unavailable (see the Modelcloud output), so versions cannot be deployed as variants');
    const statuses = await manager.list();
    await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `A/B ${draft.experiment}: deploying variants` }, async (progress) => {
      for (const option of pending) {
        const template = statuses.find((s) => s.name === option.deployFrom.service);
        if (!template) throw new Error(`${option.name} was to be deployed from ${option.deployFrom.service}, which is no longer deployed`);
        progress.report({ message: `${option.name} (${option.deployFrom.model})` });
        try {
          await manager.deploy(
            { dir: template.dir, target: template.target, workers: template.workers, name: option.name, model: option.deployFrom.model },
            (m) => this.deps.log(`A/B ${draft.experiment}, deploying ${option.name}: ${m}`),
          );
        } catch (error) {
          throw new Error(`deploying ${option.name} (${option.deployFrom.model} from ${template.dir}) failed: ${error instanceof Error ? error.message : String(error)}`);
        }
        this.deps.log(`A/B ${draft.experiment}: deployed ${option.name} serving ${option.deployFrom.model}`);
      }
    });
    this.services = await this.deps.sources.variantOptions();
  }

  private async preview(draft: AbDraft) {
    const urls = draft.variants.map((v) => this.services.find((s) => s.name === v.service)?.url).filter((u): u is string => !!u);
    this.traffic = urls.length ? await this.meter.sample(urls) : null;
    return planPreview(draft, this.services, this.traffic);
  }

  private title(): string {
    return this.mode.kind === 'live' ? `A/B: ${this.mode.experiment}` : 'New A/B Experiment';
  }

  /** Polls only while a live tab is visible; a hidden tab catches up when shown (it reloads). */
  private schedule(): void {
    const want = !this.disposed && this.dashboard.panel.visible;
    const ms = this.mode.kind === 'live' ? LIVE_POLL_MS : PREVIEW_POLL_MS;
    if (want && this.timer && this.timerMs !== ms) this.stopTimer();
    if (want && !this.timer) {
      this.timerMs = ms;
      this.timer = setInterval(() => {
        if (this.polling || !this.dashboard.isReady) return;
        this.polling = true;
        void this.tick().catch((error: unknown) => this.deps.log(`A/B dashboard refresh failed: ${String(error)}`)).finally(() => { this.polling = false; });
      }, ms);
    } else if (!want) {
      this.stopTimer();
    }
  }

  /** Live: the whole state again; create: a fresh preview (the traffic rate needs repeated scrapes). */
  private async tick(): Promise<void> {
    if (this.mode.kind === 'live') return this.sendState();
    const { draft, revision } = this.mode;
    this.post({ type: 'preview', revision, preview: await this.preview(draft) });
  }

  private stopTimer(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private post(message: AbDashboardToView): void {
    if (this.disposed) return;
    this.posted.push(message);
    if (this.posted.length > 50) this.posted.splice(0, this.posted.length - 50);
    this.dashboard.post(message);
  }
}
