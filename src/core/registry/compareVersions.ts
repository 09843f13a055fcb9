// Which runs "Compare Versions" opens for a set of model versions, and what it must say about
// the versions it cannot show (no source run, run not in this store, a run shared with another
// version). Pure, so the wording is unit-tested.

/** The fields of a version the plan needs. */
export interface VersionWithRun { version: number; runId: string | null }

export interface CompareVersionsPlan {
  /** Distinct source runs, in version order. */
  runIds: string[];
  /** Versions without a source run (registered from a file, or pulled without their run). */
  withoutRun: number[];
  /** Versions whose run is not in the tracking store. */
  runMissing: number[];
  /** Versions that share a run with an earlier one (compared once). */
  sameRunAs: Array<{ version: number; as: number }>;
}

export function planVersionCompare(versions: readonly VersionWithRun[], runExists: (runId: string) => boolean): CompareVersionsPlan {
  const plan: CompareVersionsPlan = { runIds: [], withoutRun: [], runMissing: [], sameRunAs: [] };
  const firstOfRun = new Map<string, number>();
  for (const v of [...versions].sort((a, b) => a.version - b.version)) {
    if (!v.runId) { plan.withoutRun.push(v.version); continue; }
    if (!runExists(v.runId)) { plan.runMissing.push(v.version); continue; }
    const first = firstOfRun.get(v.runId);
    if (first !== undefined) { plan.sameRunAs.push({ version: v.version, as: first }); continue; }
    firstOfRun.set(v.runId, v.version);
    plan.runIds.push(v.runId);
  }
  return plan;
}

/** The sentence that explains what the compare leaves out, or undefined when it leaves out nothing. */
export function explainPlan(name: string, plan: CompareVersionsPlan): string | undefined {
  const parts: string[] = [];
  const list = (vs: number[]): string => vs.map((v) => `v${v}`).join(', ');
  if (plan.withoutRun.length) parts.push(`${list(plan.withoutRun)} ${plan.withoutRun.length === 1 ? 'has' : 'have'} no source run (registered from a file)`);
  if (plan.runMissing.length) parts.push(`the run of ${list(plan.runMissing)} is not in this workspace's tracking store`);
  if (plan.sameRunAs.length) parts.push(plan.sameRunAs.map((s) => `v${s.version} comes from the same run as v${s.as}`).join(', '));
  return parts.length ? `${name}: ${parts.join('; ')}.` : undefined;
}

