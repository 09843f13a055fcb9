// The elements of the Experiments tree. Commands on tree items receive these.
import type { ExperimentSummary, RunSummary } from '../../core/tracking/types';

export interface ExperimentNode {
  kind: 'experiment';
  experiment: ExperimentSummary;
}

export interface RunNode {
  kind: 'run';
  run: RunSummary;
}

/** "Show more…": the next page of an experiment's runs. */
export interface MoreRunsNode {
  kind: 'more';
  experimentId: number;
  shown: number;
  total: number;
}

/** "Trash": the soft-deleted runs, last in the view, shown while there are any. */
export interface TrashNode {
  kind: 'trash';
  count: number;
}

/** A soft-deleted run under Trash: Restore or Delete Permanently. */
export interface DeletedRunNode {
  kind: 'deletedRun';
  run: RunSummary;
}

export type ExperimentsNode = ExperimentNode | RunNode | MoreRunsNode | TrashNode | DeletedRunNode;
