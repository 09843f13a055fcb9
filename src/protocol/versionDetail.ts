// Host <-> webview contract of the model Version detail view (webview/versionDetail,
// src/features/versionDetail). After `ready` the host sends `state`; whenever the registry, the
// source run or the service revisions change (an edit here, a command, the CLI in a terminal),
// it sends `state` again. Actions go to the host, which runs the registry's own commands.
import type { ErrorMessage } from './common';
import type { Stage } from '../core/registry/stages';
import type { SignatureField, VersionDeployment } from '../core/registry/lineage';

export const VERSION_DETAIL_VIEW_TYPE = 'modelcloud.versionDetail';
export const VERSION_DETAIL_BUNDLE = 'versionDetail';

export interface VersionDetailFile {
  path: string;
  size: number;
  sha256: string;
  /** Whether the blob is in the local content-addressed cache (.modelcloud/artifacts). */
  cached: boolean;
}

export interface VersionDetailTransition {
  from: Stage; to: Stage; user: string | null; ms: number; reason: string | null;
}

/** A data input of the source run; `dataset` when the same bytes are a tracked dataset version. */
export interface VersionDetailInput {
  name: string;
  sha256: string | null;
  size: number | null;
  path: string | null;
  context: string | null;
  dataset?: { name: string; version: number };
}

export interface VersionDetailRun {
  id: string;
  name: string | null;
  experiment: string;
  status: string;
  startMs: number | null;
  /** Latest value of every metric (null = NaN), natural key order. */
  metrics: Array<{ key: string; value: number | null }>;
  params: Record<string, string>;
}

export interface VersionDetailStateMessage {
  type: 'state';
  name: string;
  version: number;
  /** models:/NAME/N */
  uri: string;
  stage: Stage;
  aliases: string[];
  createdMs: number;
  flavor: string;
  description: string | null;
  source: string | null;
  origin: 'mlflow' | 'modelcloud';
  /** The model is a tracked dataset (tag modelcloud.kind=dataset). */
  isDataset: boolean;
  signature: { inputs: SignatureField[]; outputs: SignatureField[]; raw?: string } | null;
  files: VersionDetailFile[];
  /** Oldest first. */
  transitions: VersionDetailTransition[];
  /** runId set but the run is not in the tracking store: `run` is absent and `runId` says which. */
  runId: string | null;
  run?: VersionDetailRun;
  inputs: VersionDetailInput[];
  deployments: VersionDeployment[];
}

export type VersionDetailToView = VersionDetailStateMessage | ErrorMessage;

export type VersionDetailFromView =
  | { type: 'transitionStage' }
  | { type: 'setAlias' }
  | { type: 'copyUri' }
  | { type: 'openSourceRun' }
  | { type: 'openDataset'; name: string; version: number }
  | { type: 'showDeployments' }
  | { type: 'refresh' };
