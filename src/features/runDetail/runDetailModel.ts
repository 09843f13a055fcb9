// The Run detail view's state, built from the store: run facts, params, metrics with small
// downsampled histories, user tags apart from system tags, the note, and the artifacts with
// whether their blob is present. No vscode here.
import type { TrackingStore } from '../../platform/store/trackingStore.api';
import { compareNatural } from '../../core/charts/paramDiff';
import { DETAIL_POINTS_PER_SERIES, NOTE_TAG, type RunDetailStateMessage } from '../../protocol/runDetail';
import { downsampledHistory } from '../compare/downsampledHistory';

/** Tags written by tools rather than people: shown read-only, apart from the editable ones. */
export function isSystemTag(key: string): boolean {
  return key.startsWith('mlflow.') || key.startsWith('modelcloud.');
}

export function runDetailState(
  store: Pick<TrackingStore, 'getRun' | 'metricHistoryForChart'>, runId: string, blobExists: (sha256: string) => boolean, nowMs: number,
): RunDetailStateMessage | undefined {
  const run = store.getRun(runId);
  if (!run) return undefined;
  const tags: Record<string, string> = {};
  const systemTags: Record<string, string> = {};
  for (const [key, value] of Object.entries(run.tags)) {
    if (key === NOTE_TAG) continue;
    (isSystemTag(key) ? systemTags : tags)[key] = value;
  }
  const metrics = Object.keys(run.metrics).sort(compareNatural).map((key) => {
    const latest = run.metrics[key];
    const history = downsampledHistory(store, runId, key, DETAIL_POINTS_PER_SERIES);
    return { key, value: latest.value, step: latest.step, ts: latest.ts, steps: history.steps, values: history.values, totalPoints: history.totalPoints };
  });
  return {
    type: 'state',
    run: {
      id: run.id, name: run.name, experiment: run.experiment, status: run.status, startMs: run.startMs, endMs: run.endMs,
      user: run.user, host: run.host, pythonVersion: run.pythonVersion, source: run.source, git: run.git, deleted: run.deleted,
    },
    params: run.params,
    metrics,
    tags,
    systemTags,
    note: run.tags[NOTE_TAG] ?? '',
    artifacts: run.artifacts.map((a) => ({ ...a, available: blobExists(a.sha256) })),
    nowMs,
  };
}

/**
 * A cheap summary of everything the view shows of a run (no metric histories: the latest point of
 * each metric moves whenever its history does), or undefined when the run is gone.
 */
export function runFingerprint(store: Pick<TrackingStore, 'getRun'>, runId: string): string | undefined {
  const run = store.getRun(runId);
  if (!run) return undefined;
  return JSON.stringify([
    run.name, run.status, run.startMs, run.endMs, run.deleted, run.params, run.tags, run.artifacts,
    Object.entries(run.metrics).map(([key, m]) => [key, m.step, m.ts, m.value]),
  ]);
}
