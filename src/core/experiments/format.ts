// Text the Experiments tree shows: labels, descriptions, durations, metric values. Pure.

import type { ExperimentSummary, RunStatus, RunSummary } from '../tracking/types';

/** "850 ms", "42 s", "3 m 05 s", "2 h 04 m", "3 d 07 h". Negative or non-finite input gives "—". */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const totalSeconds = Math.floor(ms / 1000);
  if (totalSeconds < 60) return `${totalSeconds} s`;
  const totalMinutes = Math.floor(totalSeconds / 60);
  if (totalMinutes < 60) return `${totalMinutes} m ${pad2(totalSeconds % 60)} s`;
  const totalHours = Math.floor(totalMinutes / 60);
  if (totalHours < 24) return `${totalHours} h ${pad2(totalMinutes % 60)} m`;
  return `${Math.floor(totalHours / 24)} d ${pad2(totalHours % 24)} h`;
}

/**
 * How long a run took, or has been running so far. Undefined when the store does not know
 * when it started (MLflow runs may lack start_time).
 */
export function runDurationMs(run: Pick<RunSummary, 'startMs' | 'endMs' | 'status'>, nowMs: number): number | undefined {
  if (run.startMs === null) return undefined;
  if (run.endMs !== null) return run.endMs - run.startMs;
  return run.status === 'RUNNING' ? nowMs - run.startMs : undefined;
}

/** Four significant digits, without exponent noise for ordinary magnitudes; null is NaN. */
export function formatMetricValue(value: number | null): string {
  if (value === null || Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '∞';
  if (value === -Infinity) return '-∞';
  if (Number.isInteger(value) && Math.abs(value) < 1e9) return String(value);
  const abs = Math.abs(value);
  if (abs !== 0 && (abs < 1e-3 || abs >= 1e9)) return value.toExponential(3);
  return String(Number(value.toPrecision(4)));
}

/** The run's name, or the first 8 characters of its id when it has none. */
export function runLabel(run: Pick<RunSummary, 'id' | 'name'>): string {
  return run.name.trim() !== '' ? run.name : run.id.slice(0, 8);
}

/** "f1 0.9123", or "" when the run has no metric to show. */
export function runDescription(primary: { key: string; value: number | null } | undefined): string {
  return primary ? `${primary.key} ${formatMetricValue(primary.value)}` : '';
}

/** "12 runs · 2 running" */
export function experimentDescription(experiment: Pick<ExperimentSummary, 'runCount' | 'runningCount'>): string {
  const runs = `${experiment.runCount} ${experiment.runCount === 1 ? 'run' : 'runs'}`;
  return experiment.runningCount > 0 ? `${runs} · ${experiment.runningCount} running` : runs;
}

/** Words for statuses as users read them in tooltips. */
export function statusText(status: RunStatus): string {
  switch (status) {
    case 'RUNNING': return 'Running';
    case 'FINISHED': return 'Finished';
    case 'FAILED': return 'Failed';
    case 'KILLED': return 'Killed';
    case 'SCHEDULED': return 'Scheduled';
  }
}

/** `train.py` or `analysis.ipynb:3` (cell numbers shown 1-based, as notebook UIs do). */
export function sourceText(source: RunSummary['source']): string | undefined {
  if (!source.path) return undefined;
  return source.kind === 'notebook' && source.cell !== undefined ? `${source.path}:cell ${source.cell + 1}` : source.path;
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}
