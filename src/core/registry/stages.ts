// Model version stages and the rules for moving between them. Any stage may move to any other
// (as in MLflow); what this adds is archiving: promoting a version to Production (or Staging)
// with `archiveExisting` moves the versions that held that stage to Archived, in one step.

export const STAGES = ['None', 'Staging', 'Production', 'Archived'] as const;
export type Stage = (typeof STAGES)[number];

/** The stage named by `text`, case-insensitively ('production' → 'Production'); throws otherwise. */
export function parseStage(text: string): Stage {
  const stage = STAGES.find((s) => s.toLowerCase() === text.trim().toLowerCase());
  if (!stage) throw new Error(`unknown stage '${text}': use one of ${STAGES.join(', ')}`);
  return stage;
}

export function isStage(text: string): text is Stage {
  return (STAGES as readonly string[]).includes(text);
}

export interface StageChange {
  version: number;
  from: Stage;
  to: Stage;
}

/**
 * The changes one transition makes: the version itself first, then (with archiveExisting, when
 * the target is Production or Staging) every other version in the target stage → Archived.
 * Throws with a clear message when the version is unknown or already in that stage.
 */
export function planTransition(
  versions: ReadonlyArray<{ version: number; stage: string }>, version: number, to: Stage, archiveExisting = false,
): StageChange[] {
  const current = versions.find((v) => v.version === version);
  if (!current) throw new Error(`version ${version} does not exist (versions: ${versions.map((v) => v.version).join(', ') || 'none'})`);
  const from = isStage(current.stage) ? current.stage : 'None';
  if (from === to) throw new Error(`version ${version} is already in stage ${to}; nothing to do`);
  const changes: StageChange[] = [{ version, from, to }];
  if (archiveExisting && (to === 'Production' || to === 'Staging')) {
    for (const v of versions) {
      if (v.version !== version && v.stage === to) changes.push({ version: v.version, from: to, to: 'Archived' });
    }
  }
  return changes;
}
