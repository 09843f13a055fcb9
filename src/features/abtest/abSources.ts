// Where the A/B dashboard reads from: the deployed services (the ServiceManager, with the model
// version each active revision resolved to), the router (RouterManager: live status while it
// runs) and the store (AbStore: per-variant sums logged by the router), plus the plan file.
import { join } from 'node:path';
import type { ServiceManager } from '../../platform/deploy/serviceManager.api';
import { AbStore } from '../../platform/abtest/abStore';
import { RouterManager, TRACKING_DB_NAME, type RouterState } from '../../platform/abtest/routerManager';
import { readAbPlan } from '../../platform/abtest/abPlanFile';
import { RESOLVED_MODEL_CONFIG_KEY } from '../../core/registry/lineage';
import type { AbServiceOption } from '../../protocol/abDashboard';
import type { RegistryStore } from '../../platform/registry/registryStore';
import { versionVariantOptions, type ModelVersions } from '../../core/abtest/versionVariants';
import type { AbPlan, LiveInputs } from '../../core/abtest/dashboardModel';

const P95_REFRESH_MS = 10_000;

export interface AbExperimentSummary {
  id: string;
  title: string | null;
  status: 'running' | 'paused' | 'stopped' | 'unknown';
  routerRunning: boolean;
}

export class AbSources {
  readonly routers: RouterManager;
  private abStore: AbStore | undefined;
  private readonly p95Cache = new Map<string, { ms: number; values: Map<string, number | null> }>();

  constructor(readonly storeDir: string, readonly manager: ServiceManager | undefined, private readonly registry?: RegistryStore) {
    this.routers = new RouterManager({ storeDir });
  }

  /** The store, opened on first use (the A/B tables exist once the store is migrated to 8). */
  store(): AbStore {
    this.abStore ??= new AbStore(join(this.storeDir, TRACKING_DB_NAME));
    return this.abStore;
  }

  /** What the create form offers: deployed services, then registry versions no service serves yet (deployed on Start, see versionVariants). */
  async variantOptions(): Promise<AbServiceOption[]> {
    const deployed = await this.services();
    return [...deployed, ...versionVariantOptions(deployed, this.registryVersions())];
  }

  private registryVersions(): ModelVersions[] {
    try {
      return (this.registry?.listModels() ?? []).map((m) => ({ name: m.name, versions: m.versions.map((v) => v.version) }));
    } catch {
      return []; // the registry is unreadable right now: only deployed services can be variants
    }
  }

  /** The deployed services, with the registry version each active revision serves. */
  async services(): Promise<AbServiceOption[]> {
    if (!this.manager) return [];
    const manager = this.manager;
    const list = await manager.list();
    return Promise.all(list.map(async (s) => {
      let model: string | null = null;
      try {
        const active = (await manager.revisions(s.name)).find((r) => r.status === 'active');
        const resolved = active?.config[RESOLVED_MODEL_CONFIG_KEY];
        if (typeof resolved === 'string') model = resolved;
      } catch { /* no revisions readable: the variant is a plain service */ }
      const ref = s.modelVersion?.startsWith('models:/') ? s.modelVersion : null;
      if (!model && ref && /^models:\/[^/@]+\/\d+$/.test(ref)) model = ref;
      return { name: s.name, state: s.state, url: s.url ?? null, model, modelRef: ref };
    }));
  }

  /** Every experiment the store or the routers folder knows, newest first. */
  async experiments(): Promise<AbExperimentSummary[]> {
    const out = new Map<string, AbExperimentSummary>();
    let records: ReturnType<AbStore['experiments']> = [];
    try { records = this.store().experiments(); } catch { /* store without the A/B tables yet */ }
    for (const r of records) out.set(r.id, { id: r.id, title: r.title, status: statusOf(r.status), routerRunning: false });
    for (const id of this.routers.list()) {
      if (!out.has(id)) out.set(id, { id, title: this.routers.launchConfig(id)?.title ?? null, status: 'unknown', routerRunning: false });
    }
    await Promise.all([...out.values()].map(async (e) => {
      const state = await this.routerState(e.id);
      if (state) { e.routerRunning = true; e.status = state.status; }
    }));
    return [...out.values()];
  }

  async routerState(experiment: string): Promise<RouterState | undefined> {
    try {
      return await this.routers.connect(experiment)?.state();
    } catch {
      return undefined;
    }
  }

  plan(experiment: string): AbPlan | null {
    return readAbPlan(this.storeDir, experiment);
  }

  /** Everything liveState needs except trust and the notice. */
  async liveInputs(experiment: string, nowMs = Date.now()): Promise<Omit<LiveInputs, 'trusted' | 'notice'> | undefined> {
    const plan = this.plan(experiment);
    const state = await this.routerState(experiment);
    let record: ReturnType<AbStore['experiment']>;
    try { record = this.store().experiment(experiment); } catch { record = undefined; }
    const launch = this.routers.launchConfig(experiment);
    const configVariants = (record?.config as { variants?: Array<{ name: string; weight: number }> } | undefined)?.variants;
    const variants = state?.variants.map((v) => ({ name: v.name, weight: v.weight }))
      ?? launch?.variants.map((v) => ({ name: v.name, weight: v.weight }))
      ?? configVariants?.map((v) => ({ name: String(v.name), weight: Number(v.weight) }))
      ?? plan?.variants.map((v) => ({ name: v.name, weight: v.weight }));
    if (!variants) return undefined;
    const control = state?.control ?? launch?.control ?? String((record?.config as { control?: string } | undefined)?.control ?? plan?.control ?? variants[0]?.name);
    let traffic: LiveInputs['traffic'] = [];
    let kpi: LiveInputs['kpi'] = [];
    const p95 = new Map<string, number | null>();
    try {
      const store = this.store();
      traffic = store.traffic(experiment);
      const metric = plan?.kpi.name ?? store.kpiNames(experiment)[0];
      if (metric) kpi = store.kpi(experiment, metric);
      for (const [k, v] of this.p95Of(experiment, variants.map((x) => x.name), nowMs)) p95.set(k, v);
    } catch { /* the router has not written yet: zero counts */ }
    return {
      experiment, title: state?.title ?? record?.title ?? plan?.title ?? null,
      status: state?.status ?? (record ? statusOf(record.status) : 'unknown'),
      routerRunning: state !== undefined, routerUrl: state ? this.routers.connect(experiment)?.url ?? null : null,
      variants, control, plan, traffic, kpi, latencyP95Ms: p95,
      startedMs: state?.startedMs ?? record?.startedMs ?? null, nowMs,
    };
  }

  /**
   * p95 latency per variant, re-read at most every P95_REFRESH_MS: it sorts the variant's requests,
   * which the 1 s poll should not do on every tick of a long experiment.
   */
  private p95Of(experiment: string, variants: string[], nowMs: number): Map<string, number | null> {
    const cached = this.p95Cache.get(experiment);
    if (cached && nowMs - cached.ms < P95_REFRESH_MS && variants.every((v) => cached.values.has(v))) return cached.values;
    const values = new Map(variants.map((v) => [v, this.store().latencyPercentiles(experiment, v, [0.95]).p95 ?? null] as const));
    this.p95Cache.set(experiment, { ms: nowMs, values });
    return values;
  }

  dispose(): void {
    this.abStore?.close();
    this.abStore = undefined;
  }
}

function statusOf(s: string): AbExperimentSummary['status'] {
  return s === 'running' || s === 'paused' || s === 'stopped' ? s : 'unknown';
}
