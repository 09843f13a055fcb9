// Host <-> webview contract of the Compare view (webview/compare, src/features/compare).
// After `ready` the host sends `state` (runs, params, latest metrics, metric names) and then one
// `metric` message per chart: each run's history of that metric, downsampled on the host to
// about MAX_POINTS_PER_SERIES points (LTTB), so million-point histories cost the webview nothing.
import type { ErrorMessage, ReadyMessage } from './common';
import type { RunStatus } from '../core/tracking/types';

export const COMPARE_VIEW_TYPE = 'modelcloud.compare';
export const COMPARE_BUNDLE = 'compare';
/** Points per run and metric sent to the webview. */
export const MAX_POINTS_PER_SERIES = 2000;

export interface CompareRun {
  id: string;
  name: string;
  experiment: string;
  status: RunStatus;
  params: Record<string, string>;
  /** Latest value per metric; null = NaN. */
  metrics: Record<string, number | null>;
}

export interface MetricSeries {
  runId: string;
  /** Same length: the kept points' step, wall time (epoch ms) and value (null = NaN or a gap). */
  steps: number[];
  times: number[];
  values: Array<number | null>;
  /** Points the run logged for this metric before downsampling. */
  totalPoints: number;
}

export interface CompareStateMessage {
  type: 'state';
  runs: CompareRun[];
  /** Every metric any of the runs logged, sorted. */
  metricKeys: string[];
  /** Metrics charted first (the host sends their `metric` messages right after this). */
  defaultMetrics: string[];
  /** Requested ids that are not in the store (deleted for good, or a typo in a script). */
  missingRunIds: string[];
}

export interface MetricDataMessage {
  type: 'metric';
  key: string;
  series: MetricSeries[];
  /** Host time spent reading and downsampling, for the status line. */
  hostMs: number;
}

export type CompareToView = CompareStateMessage | MetricDataMessage | ErrorMessage;

/** Ask for the histories of metrics the user added to the charts. */
export interface LoadMetricsMessage {
  type: 'loadMetrics';
  keys: string[];
}

export interface OpenRunDetailMessage {
  type: 'openRunDetail';
  runId: string;
}

export type CompareFromView = LoadMetricsMessage | OpenRunDetailMessage;
export type CompareFromViewOrReady = CompareFromView | ReadyMessage;

/** What the webview remembers across reloads (vscode.setState). */
export interface CompareViewState {
  metrics?: string[];
  xAxis?: 'step' | 'time';
  logScale?: boolean;
  smoothing?: number;
  showIdentical?: boolean;
  pcMetric?: string;
  scatterParam?: string;
  scatterMetric?: string;
  hiddenRuns?: string[];
}
