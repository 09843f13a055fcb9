// What the Compare view shows, built from the store: the runs with their params and latest
// metrics, which metrics to chart first, and each chart's downsampled series. No vscode here,
// so the integration tests and the benchmark drive exactly what the panel sends.
import type { TrackingStore } from '../../platform/store/trackingStore.api';
import { PRIMARY_METRIC_PREFERENCE } from '../../core/experiments/primaryMetric';
import { compareNatural } from '../../core/charts/paramDiff';
import {
  MAX_POINTS_PER_SERIES, type CompareFromView, type CompareRun, type CompareStateMessage, type CompareToView, type MetricDataMessage,
} from '../../protocol/compare';
import { downsampledHistory } from './downsampledHistory';

/** Charts drawn when the view opens; the user adds the rest from the metric picker. */
const DEFAULT_CHARTS = 4;

export class CompareModel {
  constructor(
    private readonly store: Pick<TrackingStore, 'getRun' | 'metricHistoryForChart'>,
    readonly runIds: readonly string[],
    private readonly maxPoints = MAX_POINTS_PER_SERIES,
  ) {}

  state(): CompareStateMessage {
    const runs: CompareRun[] = [];
    const missingRunIds: string[] = [];
    for (const id of this.runIds) {
      const run = this.store.getRun(id);
      if (!run) { missingRunIds.push(id); continue; }
      const metrics: Record<string, number | null> = {};
      for (const [key, m] of Object.entries(run.metrics)) metrics[key] = m.value;
      runs.push({ id, name: run.name || id.slice(0, 8), experiment: run.experiment, status: run.status, params: run.params, metrics });
    }
    const counts = new Map<string, number>();
    for (const run of runs) for (const key of Object.keys(run.metrics)) counts.set(key, (counts.get(key) ?? 0) + 1);
    const metricKeys = [...counts.keys()].sort(compareNatural);
    return { type: 'state', runs, metricKeys, defaultMetrics: defaultMetrics(metricKeys, counts), missingRunIds };
  }

  metric(key: string): MetricDataMessage {
    const started = performance.now();
    const series = this.runIds.map((id) => downsampledHistory(this.store, id, key, this.maxPoints)).filter((s) => s.totalPoints > 0);
    return { type: 'metric', key, series, hostMs: Math.round((performance.now() - started) * 10) / 10 };
  }

  /** Full state then the default charts: what the view gets after `ready`. */
  initialMessages(): CompareToView[] {
    const state = this.state();
    return [state, ...state.defaultMetrics.map((key) => this.metric(key))];
  }

  /** The replies to one message from the view (openRunDetail has none: the panel handles it). */
  reply(message: CompareFromView): CompareToView[] {
    switch (message.type) {
      case 'loadMetrics':
        return message.keys.filter((key) => typeof key === 'string').map((key) => this.metric(key));
      case 'openRunDetail':
        return [];
    }
  }
}

/** Metrics every run logged first, in the tree's preference order (f1, accuracy, ...), then by name. */
function defaultMetrics(keys: string[], counts: Map<string, number>): string[] {
  const rank = (key: string): number => {
    const i = PRIMARY_METRIC_PREFERENCE.indexOf(key.toLowerCase());
    return i < 0 ? PRIMARY_METRIC_PREFERENCE.length : i;
  };
  return [...keys]
    .sort((a, b) => (counts.get(b) ?? 0) - (counts.get(a) ?? 0) || rank(a) - rank(b) || compareNatural(a, b))
    .slice(0, DEFAULT_CHARTS);
}
