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

export type ExperimentsNode = ExperimentNode | RunNode | MoreRunsNode;
