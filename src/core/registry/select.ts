// Best version for an environment: among the versions its range allows, the one with the highest
// (or lowest) value of a metric logged by the version's source run. Every version gets a reason,
// so "why not v3?" has an answer. Ties go to the newer version.
import type { VersionRange } from './versionRange';

export interface CandidateVersion {
  version: number;
  /** The source run's latest value of the metric; null = NaN, undefined = not logged / no run. */
  metric: number | null | undefined;
}

export interface SelectionReason {
  version: number;
  status: 'selected' | 'candidate' | 'excluded-by-range' | 'missing-metric';
  detail: string;
}

export interface Selection {
  best: CandidateVersion | undefined;
  reasons: SelectionReason[];
}

export function selectBest(options: {
  versions: readonly CandidateVersion[]; range: VersionRange; metric: string; direction: 'max' | 'min';
}): Selection {
  const { versions, range, metric, direction } = options;
  const reasons: SelectionReason[] = [];
  let best: CandidateVersion | undefined;
  for (const v of [...versions].sort((a, b) => a.version - b.version)) {
    if (!range.matches(v.version)) {
      reasons.push({ version: v.version, status: 'excluded-by-range', detail: `version ${v.version} is outside the range '${range.text}'` });
      continue;
    }
    if (v.metric === undefined || v.metric === null || Number.isNaN(v.metric)) {
      reasons.push({
        version: v.version, status: 'missing-metric',
        detail: v.metric === undefined ? `its source run logged no '${metric}'` : `its '${metric}' is NaN`,
      });
      continue;
    }
    reasons.push({ version: v.version, status: 'candidate', detail: `${metric} = ${v.metric}` });
    // >= / <=: on a tie the later (newer) version wins.
    if (!best || (direction === 'max' ? v.metric >= best.metric! : v.metric <= best.metric!)) best = v;
  }
  if (best) {
    const chosen = reasons.find((r) => r.version === best!.version)!;
    chosen.status = 'selected';
    chosen.detail = `${chosen.detail} (${direction === 'max' ? 'highest' : 'lowest'} in range)`;
  }
  return { best, reasons };
}
