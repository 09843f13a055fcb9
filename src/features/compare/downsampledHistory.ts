// One run's history of one metric, read packed from the store and cut down with LTTB to what a
// chart can show. Long histories come from the store already reduced (sealed chunks as their
// min/max-preserving level of detail), so LTTB runs over ~1/16 of the points. Used by the Compare view, the Run detail charts and the compare benchmark.
import type { TrackingStore } from '../../platform/store/trackingStore.api';
import { lttbPacked } from '../../core/charts/lttb';
import { HISTORY_STRIDE } from '../../core/tracking/metricChunks';
import type { MetricSeries } from '../../protocol/compare';

export function downsampledHistory(
  store: Pick<TrackingStore, 'metricHistoryForChart'>, runId: string, key: string, maxPoints: number,
): MetricSeries {
  const { packed, totalPoints } = store.metricHistoryForChart(runId, key, maxPoints);
  // x = step, y = value; the kept points' wall times come along by index.
  const { indices, gap } = lttbPacked(packed, HISTORY_STRIDE, 0, 2, maxPoints);
  const out: MetricSeries = {
    runId,
    steps: new Array<number>(indices.length),
    times: new Array<number>(indices.length),
    values: new Array<number | null>(indices.length),
    totalPoints,
  };
  for (let i = 0; i < indices.length; i++) {
    const at = indices[i] * HISTORY_STRIDE;
    out.steps[i] = packed[at];
    out.times[i] = packed[at + 1];
    out.values[i] = gap[i] ? null : packed[at + 2];
  }
  return out;
}
