// The A/B dashboard's pure logic: the plan of a new experiment (required users per variant from
// the power analysis, expected duration at the measured traffic, the router config to start) and
// the live view model (store sums -> per-variant rows with confidence intervals, comparisons with
// p-values, progress and a fixed-horizon verdict). No vscode, fs or network: the host feeds it.
//
// Conventions, documented in the README "A/B dashboard":
// - A higher KPI is better (revenue, conversion, clicks). Model a cost as its negative.
// - Every non-control variant is compared with the control. With more than one comparison the
//   alpha of each is divided by their number (Bonferroni), so the experiment's false-positive rate
//   stays at alpha.
// - Fixed horizon: p-values are shown live, but the verdict is "collecting" until every variant
//   has the planned number of KPI observations; only then is p compared with alpha, once.
import type {
  AbComparison, AbDraft, AbKpiType, AbLiveMessage, AbPlanPreview, AbServiceOption, AbVariantRow, AbVerdict,
} from '../../protocol/abDashboard';
import { EXPERIMENT_ID_PATTERN } from './routerConfig';
import { VARIANT_NAME_PATTERN } from './assignment';
import {
  expectedDuration, formatP, normalIsf, proportionsZTest, sampleSizeProportions, sampleSizeTTest, studentTIsf,
  summaryFromSums, welchTTest,
} from './statistics';

/** What the dashboard keeps beside the router: the statistical plan and the variants' services. */
export interface AbPlan {
  experiment: string;
  title: string;
  kpi: { name: string; type: AbKpiType };
  mde: number;
  baseline: number;
  alpha: number;
  power: number;
  requiredPerGroup: number;
  alias: string;
  control: string;
  variants: Array<{ name: string; service: string; weight: number; url: string; model: string | null; modelRef: string | null }>;
  createdMs: number;
}

/** Every problem of a draft, each naming the field and a fix; empty when it can start. */
export function draftProblems(draft: AbDraft, services: readonly AbServiceOption[]): string[] {
  const problems: string[] = [];
  if (!EXPERIMENT_ID_PATTERN.test(draft.experiment)) problems.push("Experiment id: use 1-63 letters, digits, '.', '_' or '-' (e.g. wine-v2-vs-v1)");
  if (draft.variants.length < 2) problems.push('Variants: choose at least two deployed services (the control and a challenger)');
  const seen = new Set<string>();
  draft.variants.forEach((v, i) => {
    const label = `Variant ${i + 1}`;
    const service = services.find((s) => s.name === v.service);
    if (!v.service) problems.push(`${label}: choose a deployed service or a model version`);
    else if (!service) problems.push(`${label}: service '${v.service}' is not deployed in this workspace; refresh the Deployments view`);
    else if (!service.url && !service.deployFrom) problems.push(`${label}: service '${v.service}' is ${service.state} and has no URL; restart it first`);
    if (v.service && seen.has(v.service)) problems.push(`${label}: '${v.service}' is chosen twice; each variant needs its own service`);
    seen.add(v.service);
    if (v.service && !VARIANT_NAME_PATTERN.test(v.service)) problems.push(`${label}: the service name '${v.service}' cannot name a variant (letters, digits, '.', '_', '-')`);
    if (!(Number.isFinite(v.weight) && v.weight > 0)) problems.push(`${label}: weight must be a positive number (e.g. 50)`);
  });
  if (!(draft.control >= 0 && draft.control < draft.variants.length)) problems.push('Control: choose which variant is the control');
  if (!/^[A-Za-z0-9_.-]{1,64}$/.test(draft.userKey.name)) {
    problems.push(`User key: a ${draft.userKey.kind === 'header' ? 'header name (e.g. x-user-id)' : 'JSON field (e.g. user_id)'} of letters, digits, '_', '.', '-'`);
  }
  if (!/^[A-Za-z0-9_.:-]{1,128}$/.test(draft.kpi.name)) problems.push('KPI: name the metric clients send to POST /feedback (e.g. revenue or converted)');
  if (!(draft.alpha > 0 && draft.alpha < 0.5)) problems.push('Alpha: the false-positive rate, between 0 and 0.5 (usually 0.05)');
  if (!(draft.power > draft.alpha && draft.power < 1)) problems.push('Power: the chance to detect a real effect, above alpha and below 1 (usually 0.8)');
  if (!(Number.isFinite(draft.mde) && draft.mde > 0)) problems.push('Minimum detectable effect: a positive difference in KPI units (e.g. 0.5) or rate points (e.g. 0.02)');
  if (draft.kpi.type === 'mean') {
    if (!(Number.isFinite(draft.baseline) && draft.baseline > 0)) problems.push("Standard deviation: the KPI's spread per user, a positive number (from past data)");
  } else if (!(draft.baseline > 0 && draft.baseline < 1)) {
    problems.push("Baseline rate: the control's current rate, between 0 and 1 (e.g. 0.10)");
  } else if (!(draft.baseline + draft.mde < 1)) {
    problems.push(`Minimum detectable effect: baseline ${draft.baseline} + ${draft.mde} must stay below 1`);
  }
  if (!/^[A-Za-z][A-Za-z0-9_-]{0,62}$/.test(draft.alias)) problems.push('Promote alias: a registry alias such as champion');
  return problems;
}

/** Users (KPI observations) each variant needs: two-sample t-test on d = mde/sd, or two proportions. */
export function requiredPerGroup(draft: Pick<AbDraft, 'kpi' | 'mde' | 'baseline' | 'alpha' | 'power' | 'variants'>): number {
  // One comparison per challenger: Bonferroni keeps the experiment-wide false-positive rate at alpha.
  const comparisons = Math.max(1, draft.variants.length - 1);
  const alpha = draft.alpha / comparisons;
  if (draft.kpi.type === 'mean') {
    return sampleSizeTTest({ effect: draft.mde / draft.baseline, alpha, power: draft.power }).perGroup[0];
  }
  return sampleSizeProportions(draft.baseline + draft.mde, draft.baseline, { alpha, power: draft.power }).perGroup[0];
}

/** The live preview of the form: sample size and, with traffic, how long collecting it takes. */
export function planPreview(draft: AbDraft, services: readonly AbServiceOption[], trafficPerSecond: number | null): AbPlanPreview {
  const problems = draftProblems(draft, services);
  let required: number | null = null;
  // The sample size only needs the statistical fields: show it even while services are missing.
  const statsOk = !problems.some((p) => /^(Alpha|Power|Minimum|Standard|Baseline)/.test(p));
  if (statsOk) {
    try { required = requiredPerGroup(draft); } catch (error) { problems.push(`Sample size: ${(error as Error).message}`); }
  }
  let durationSeconds: number | null = null;
  const weights = draft.variants.map((v) => v.weight);
  if (required !== null && trafficPerSecond !== null && trafficPerSecond > 0 && weights.length > 0 && weights.every((w) => w > 0)) {
    durationSeconds = expectedDuration({ required: weights.map(() => required!), weights, rate: trafficPerSecond }).duration;
  }
  return {
    requiredPerGroup: required,
    total: required === null ? null : required * Math.max(2, draft.variants.length),
    trafficPerSecond, durationSeconds, problems,
  };
}

/** The router config (src/core/abtest/routerConfig.ts) of a draft: variants named after their services. */
export function routerConfigOfDraft(draft: AbDraft, services: readonly AbServiceOption[]): Record<string, unknown> {
  const variants = draft.variants.map((v) => ({
    name: v.service, weight: v.weight, upstreams: [services.find((s) => s.name === v.service)?.url ?? ''],
  }));
  return {
    experiment: draft.experiment,
    ...(draft.title ? { title: draft.title } : {}),
    variants,
    control: draft.variants[draft.control]?.service,
    userKey: draft.userKey.kind === 'header' ? { header: draft.userKey.name.toLowerCase() } : { jsonField: draft.userKey.name },
  };
}

export function planOfDraft(draft: AbDraft, services: readonly AbServiceOption[], nowMs: number): AbPlan {
  return {
    experiment: draft.experiment, title: draft.title, kpi: { ...draft.kpi }, mde: draft.mde, baseline: draft.baseline,
    alpha: draft.alpha, power: draft.power, requiredPerGroup: requiredPerGroup(draft), alias: draft.alias,
    control: draft.variants[draft.control].service,
    variants: draft.variants.map((v) => {
      const s = services.find((x) => x.name === v.service);
      return { name: v.service, service: v.service, weight: v.weight, url: s?.url ?? '', model: s?.model ?? null, modelRef: s?.modelRef ?? null };
    }),
    createdMs: nowMs,
  };
}

// ---- live view ----

export interface TrafficSums {
  variant: string; users: number; requests: number; errors: number; latencyMeanMs: number | null;
}

export interface KpiSums {
  variant: string; n: number; sum: number; sumSquares: number;
}

export interface LiveInputs {
  experiment: string;
  title: string | null;
  status: AbLiveMessage['status'];
  routerRunning: boolean;
  routerUrl: string | null;
  /** Variant names and weights in config order, and the control. */
  variants: Array<{ name: string; weight: number }>;
  control: string;
  plan: AbPlan | null;
  /** Alpha when there is no plan (experiments started from the CLI). */
  defaultAlpha?: number;
  traffic: readonly TrafficSums[];
  kpi: readonly KpiSums[];
  latencyP95Ms?: ReadonlyMap<string, number | null>;
  startedMs: number | null;
  nowMs: number;
  trusted: boolean;
  notice: string | null;
}

/** Confidence interval of one group's mean: t for a mean KPI, Wald for a rate. */
export function meanInterval(type: AbKpiType, n: number, sum: number, sumSquares: number, alpha: number): [number, number] | null {
  if (n < 2) return null;
  const g = summaryFromSums(n, sum, sumSquares);
  if (type === 'proportion') {
    const p = g.mean;
    const half = normalIsf(alpha / 2) * Math.sqrt((p * (1 - p)) / n);
    return [p - half, p + half];
  }
  const half = studentTIsf(alpha / 2, n - 1) * Math.sqrt(g.variance / n);
  return [g.mean - half, g.mean + half];
}

/** Variant vs control: Welch's t-test for a mean, the two-proportion z-test for a rate. */
export function compareWithControl(type: AbKpiType, variant: KpiSums, control: KpiSums, alpha: number): AbComparison {
  const base: AbComparison = {
    variant: variant.variant, control: control.variant, test: type === 'mean' ? 'welch' : 'z-test',
    difference: null, ci: null, lift: null, pValue: null, note: null,
  };
  if (variant.n < 2 || control.n < 2) return { ...base, note: `needs at least 2 KPI values per variant (${variant.variant}: ${variant.n}, ${control.variant}: ${control.n})` };
  const a = summaryFromSums(variant.n, variant.sum, variant.sumSquares);
  const b = summaryFromSums(control.n, control.sum, control.sumSquares);
  const lift = b.mean !== 0 ? (a.mean - b.mean) / Math.abs(b.mean) : null;
  if (type === 'proportion') {
    if (![variant, control].every((g) => g.sum >= 0 && g.sum <= g.n && g.sumSquares === g.sum)) {
      return { ...base, difference: a.mean - b.mean, lift, note: 'a proportion KPI takes only the values 0 and 1; use a mean KPI for other values' };
    }
    const r = proportionsZTest({ successes: variant.sum, n: variant.n }, { successes: control.sum, n: control.n }, alpha);
    return { ...base, difference: r.difference, ci: r.ci, lift, pValue: Number.isNaN(r.pValue) ? null : r.pValue, note: Number.isNaN(r.pValue) ? 'every value is the same in both variants: no test yet' : null };
  }
  if (a.variance === 0 && b.variance === 0) return { ...base, difference: a.mean - b.mean, lift, note: 'no variance yet (every KPI value is equal)' };
  const r = welchTTest(a, b, alpha);
  return { ...base, difference: r.difference, ci: r.ci, lift, pValue: r.pValue };
}

/** Fixed-horizon verdict over all comparisons (Bonferroni alpha when more than one). */
export function verdictOf(
  status: AbLiveMessage['status'], comparisons: readonly AbComparison[], kpiN: ReadonlyMap<string, number>,
  required: number | null, alpha: number, control: string,
): AbVerdict {
  const counts = [...kpiN.values()];
  const least = counts.length ? Math.min(...counts) : 0;
  const progress = required ? Math.min(1, least / required) : 0;
  const perTest = comparisons.length > 1 ? alpha / comparisons.length : alpha;
  const significant = comparisons.filter((c) => c.pValue !== null && c.pValue < perTest);
  const best = significant.filter((c) => (c.difference ?? 0) > 0).sort((x, y) => (y.difference ?? 0) - (x.difference ?? 0))[0];
  const winnerAtHorizon = best ? best.variant : significant.length === comparisons.length && significant.length > 0 ? control : null;
  if (status === 'stopped') {
    return { status: 'ended', progress, winner: progress >= 1 ? winnerAtHorizon : null, message: `experiment ended at ${least} of ${required ?? '?'} KPI values per variant` };
  }
  if (required === null) {
    return { status: 'collecting', progress, winner: null, message: 'no sample size was planned for this experiment (started outside the dashboard): p-values are shown but not a verdict' };
  }
  if (progress < 1) {
    return {
      status: 'collecting', progress, winner: null,
      message: `collecting — ${least} of ${required} per variant (${(progress * 100).toFixed(1)} %); p-values before the horizon are not evidence`,
    };
  }
  const shown = comparisons.map((c) => `${c.variant} vs ${c.control}: p = ${c.pValue === null ? 'n/a' : formatP(c.pValue)}`).join('; ');
  const level = comparisons.length > 1 ? `alpha ${alpha}/${comparisons.length} per comparison` : `alpha ${alpha}`;
  if (winnerAtHorizon) {
    return { status: 'significant', progress, winner: winnerAtHorizon, message: `${winnerAtHorizon} wins at ${level} (${shown})` };
  }
  return { status: 'not-significant', progress, winner: null, message: `no significant difference at ${level} (${shown}); keep the control` };
}

export function liveState(input: LiveInputs): AbLiveMessage {
  const plan = input.plan;
  const alpha = plan?.alpha ?? input.defaultAlpha ?? 0.05;
  const type: AbKpiType = plan?.kpi.type ?? 'mean';
  const required = plan?.requiredPerGroup ?? null;
  const totalWeight = input.variants.reduce((a, v) => a + v.weight, 0) || 1;
  const kpiOf = (name: string): KpiSums => input.kpi.find((k) => k.variant === name) ?? { variant: name, n: 0, sum: 0, sumSquares: 0 };
  const rows: AbVariantRow[] = input.variants.map((v) => {
    const t = input.traffic.find((x) => x.variant === v.name);
    const k = kpiOf(v.name);
    const pv = plan?.variants.find((x) => x.name === v.name);
    return {
      name: v.name, service: pv?.service ?? null, model: pv?.model ?? null, url: pv?.url ?? null,
      isControl: v.name === input.control, share: v.weight / totalWeight,
      users: t?.users ?? 0, requests: t?.requests ?? 0, errors: t?.errors ?? 0,
      errorRate: t && t.requests > 0 ? t.errors / t.requests : null,
      latencyMeanMs: t?.latencyMeanMs ?? null, latencyP95Ms: input.latencyP95Ms?.get(v.name) ?? null,
      kpi: { n: k.n, mean: k.n > 0 ? k.sum / k.n : null, ci: meanInterval(type, k.n, k.sum, k.sumSquares, alpha) },
      progress: required ? Math.min(1, k.n / required) : null,
    };
  });
  const control = kpiOf(input.control);
  const comparisons = input.variants.filter((v) => v.name !== input.control).map((v) => compareWithControl(type, kpiOf(v.name), control, alpha));
  const kpiN = new Map(input.variants.map((v) => [v.name, kpiOf(v.name).n] as const));
  return {
    type: 'live', experiment: input.experiment, title: input.title, status: input.status,
    routerRunning: input.routerRunning, routerUrl: input.routerUrl, control: input.control,
    kpi: plan ? { ...plan.kpi } : null, alpha, power: plan?.power ?? null, mde: plan?.mde ?? null,
    requiredPerGroup: required, alias: plan?.alias ?? null,
    variants: rows, comparisons, verdict: verdictOf(input.status, comparisons, kpiN, required, alpha, input.control),
    startedMs: input.startedMs, updatedMs: input.nowMs, trusted: input.trusted, notice: input.notice,
  };
}

/** "3 h 20 min", "45 s", "2.5 days": how long the experiment must run. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '∞';
  if (seconds < 90) return `${Math.ceil(seconds)} s`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min`;
  if (seconds < 172_800) return `${Math.floor(seconds / 3600)} h ${Math.round((seconds % 3600) / 60)} min`;
  return `${(seconds / 86_400).toFixed(1)} days`;
}

/** What Promote Winner does for a winner (see README "A/B dashboard"). */
export type PromotePlan =
  | { kind: 'registry'; winner: string; model: string; version: number; alias: string; followers: string[] }
  | { kind: 'service'; winner: string; url: string | null };

/**
 * With a registry-bound winner (its service serves models:/NAME/N): move the alias to N and
 * redeploy every service deployed from models:/NAME@alias (the production services), which then
 * load the winner. A plain service: nothing to move; the experiment ends and clients are pointed at it.
 */
export function promotePlan(winner: string, plan: AbPlan | null, services: readonly AbServiceOption[]): PromotePlan {
  const v = plan?.variants.find((x) => x.name === winner);
  const live = services.find((s) => s.name === (v?.service ?? winner));
  const model = live?.model ?? v?.model ?? null;
  const parsed = model ? /^models:\/([^/@]+)\/(\d+)$/.exec(model) : null;
  if (!parsed || !plan) return { kind: 'service', winner, url: live?.url ?? v?.url ?? null };
  const [, name, version] = parsed;
  const ref = `models:/${name}@${plan.alias}`;
  return {
    kind: 'registry', winner, model: name, version: Number(version), alias: plan.alias,
    followers: services.filter((s) => s.modelRef === ref).map((s) => s.name),
  };
}
