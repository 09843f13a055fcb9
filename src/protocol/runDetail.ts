// Host <-> webview contract of the Run detail view (webview/runDetail, src/features/runDetail).
// After `ready` the host sends `state`; after every edit (tags, note) it sends `state` again with
// the stored values, so the view always shows what the store holds. While the run changes in the
// store (a script is logging), the host sends `live` with the new state: the view updates in place,
// keeping focus, unsaved edits and scroll position.
import type { ErrorMessage } from './common';
import type { RunSummary } from '../core/tracking/types';
import type { RunRowAttribute } from './runsDashboard';

export const RUN_DETAIL_VIEW_TYPE = 'modelcloud.runDetail';
export const RUN_DETAIL_BUNDLE = 'runDetail';
/** MLflow's tag for the run description; the note is stored there so MLflow tools see it too. */
export const NOTE_TAG = 'mlflow.note.content';
/** Points per metric in the small charts. */
export const DETAIL_POINTS_PER_SERIES = 500;

export interface RunDetailArtifact {
  path: string;
  size: number;
  sha256: string;
  /** Whether the blob is in .modelcloud/artifacts (it may live elsewhere for MLflow runs). */
  available: boolean;
}

export interface RunDetailMetric {
  key: string;
  /** Latest value; null = NaN. */
  value: number | null;
  step: number;
  ts: number;
  /** Downsampled history for the small chart. */
  steps: number[];
  values: Array<number | null>;
  totalPoints: number;
}

export interface RunDetailStateMessage {
  type: 'state';
  run: Pick<RunSummary, RunRowAttribute | 'user' | 'host' | 'pythonVersion' | 'source' | 'git' | 'deleted'>;
  params: Record<string, string>;
  metrics: RunDetailMetric[];
  /** User tags, without the note and without system tags (mlflow.*, modelcloud.*). */
  tags: Record<string, string>;
  systemTags: Record<string, string>;
  note: string;
  artifacts: RunDetailArtifact[];
  /** Host clock when the state was built: durations of running runs are measured from it. */
  nowMs: number;
}

/** The run changed in the store (status, metrics, params, ...): the same content as `state`. */
export type RunDetailLiveMessage = Omit<RunDetailStateMessage, 'type'> & { type: 'live' };

/** How often an open, visible Run detail looks for changes of its run (the runs dashboard polls too). */
export const RUN_DETAIL_POLL_MS = 500;

export type RunDetailToView = RunDetailStateMessage | RunDetailLiveMessage | ErrorMessage;

export type RunDetailFromView =
  | { type: 'setTag'; key: string; value: string }
  | { type: 'deleteTag'; key: string }
  | { type: 'saveNote'; text: string }
  | { type: 'openSource' }
  | { type: 'openArtifact'; sha256: string }
  | { type: 'revealArtifact'; sha256: string }
  | { type: 'refresh' };
