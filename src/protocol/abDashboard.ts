// Host <-> webview contract of the A/B dashboard (webview/abDashboard, src/features/abtest). One
// panel has two modes: `create` (the New A/B Experiment form, which asks the host for a plan
// preview on every edit: required users per group and expected duration) and `live` (one
// experiment, re-sent about once a second while visible). The statistics are computed by the
// host (src/core/abtest/dashboardModel.ts); the webview only draws what it is given.
import type { ErrorMessage } from './common';

export const AB_DASHBOARD_VIEW_TYPE = 'modelcloud.abDashboard';
export const AB_DASHBOARD_BUNDLE = 'abDashboard';

/** A KPI of feedback values: a mean (Welch's t-test) or a 0/1 rate (two-proportion z-test). */
export type AbKpiType = 'mean' | 'proportion';

/** A deployed service a variant can route to. */
export interface AbServiceOption {
  name: string;
  state: string;
  url: string | null;
  /** models:/NAME/N the active revision resolved to, when the service serves a registry version. */
  model: string | null;
  /** The manifest's model reference (e.g. models:/wine@champion), as deployed. */
  modelRef: string | null;
  /**
   * Not deployed yet: a registry version the experiment can test. Start deploys `service`'s
   * folder again as this option's name, serving `model` (models:/NAME/N), before the router starts.
   */
  deployFrom?: { service: string; model: string };
}

/** What the form holds; sent to the host for a preview and, on Start, to start the router. */
export interface AbDraft {
  experiment: string;
  title: string;
  variants: Array<{ service: string; weight: number }>;
  /** Index into variants of the control (it serves all traffic while paused or stopped). */
  control: number;
  userKey: { kind: 'header' | 'jsonField'; name: string };
  kpi: { name: string; type: AbKpiType };
  /** Smallest difference worth detecting, in KPI units (mean) or rate points, e.g. 0.02 (proportion). */
  mde: number;
  /** mean: the KPI's standard deviation; proportion: the control's current rate. */
  baseline: number;
  alpha: number;
  power: number;
  /** Registry alias Promote Winner moves, e.g. champion. */
  alias: string;
}

export interface AbPlanPreview {
  /** Users (KPI observations) needed per variant; null when the draft has a problem. */
  requiredPerGroup: number | null;
  total: number | null;
  /** Measured requests/s over the chosen services right now (null: not measured yet or no traffic). */
  trafficPerSecond: number | null;
  /** Expected seconds to the sample size at that traffic; null without traffic. */
  durationSeconds: number | null;
  problems: string[];
}

export interface AbCreateMessage {
  type: 'create';
  services: AbServiceOption[];
  draft: AbDraft;
  preview: AbPlanPreview;
  /** Starting a router is disabled in Restricted Mode. */
  trusted: boolean;
}

export interface AbPreviewMessage {
  type: 'preview';
  /** Echo of the draft's revision, so a late reply to an older edit is ignored. */
  revision: number;
  preview: AbPlanPreview;
}

export interface AbVariantRow {
  name: string;
  service: string | null;
  model: string | null;
  url: string | null;
  isControl: boolean;
  /** Share of traffic from the weights (0..1). */
  share: number;
  users: number;
  requests: number;
  errors: number;
  errorRate: number | null;
  latencyMeanMs: number | null;
  latencyP95Ms: number | null;
  kpi: {
    n: number;
    /** Mean value (or rate for a proportion). */
    mean: number | null;
    /** Confidence interval of the mean at 1 - alpha. */
    ci: [number, number] | null;
  };
  /** n / required per group, capped at 1; null without a plan. */
  progress: number | null;
}

export interface AbComparison {
  variant: string;
  control: string;
  test: 'welch' | 'z-test';
  /** variant - control. */
  difference: number | null;
  ci: [number, number] | null;
  /** Relative lift of the mean over control's, when control's mean is not 0. */
  lift: number | null;
  pValue: number | null;
  /** Why there is no test yet (too few observations, no variance...). */
  note: string | null;
}

export type AbVerdictStatus = 'collecting' | 'significant' | 'not-significant' | 'ended';

export interface AbVerdict {
  status: AbVerdictStatus;
  message: string;
  /** min over variants of n / planned n, 0..1. */
  progress: number;
  /** The variant with the better significant result at the horizon, if any. */
  winner: string | null;
}

export interface AbLiveMessage {
  type: 'live';
  experiment: string;
  title: string | null;
  /** From the router when it runs, else from the store. */
  status: 'running' | 'paused' | 'stopped' | 'unknown';
  routerRunning: boolean;
  routerUrl: string | null;
  control: string;
  kpi: { name: string; type: AbKpiType } | null;
  alpha: number;
  power: number | null;
  mde: number | null;
  requiredPerGroup: number | null;
  alias: string | null;
  variants: AbVariantRow[];
  comparisons: AbComparison[];
  verdict: AbVerdict;
  startedMs: number | null;
  updatedMs: number;
  trusted: boolean;
  /** The last action's outcome, shown under the buttons. */
  notice: string | null;
}

export type AbDashboardToView = AbCreateMessage | AbPreviewMessage | AbLiveMessage | ErrorMessage;

export type AbAction = 'pause' | 'resume' | 'stop' | 'promote' | 'rollback';

export type AbDashboardFromView =
  | { type: 'draft'; revision: number; draft: AbDraft }
  | { type: 'start'; draft: AbDraft }
  | { type: 'action'; action: AbAction }
  | { type: 'refresh' };
