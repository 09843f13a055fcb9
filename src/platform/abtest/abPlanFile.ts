// The A/B dashboard's plan of an experiment (KPI, MDE, alpha, power, required sample size, the
// variants' services and models, the alias Promote moves), kept as JSON in
// <storeDir>/ab-plans/<experiment>.json: the router config is strict and knows nothing of
// statistics, and experiments started from the CLI simply have no plan (the dashboard then shows
// p-values without a verdict).
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AbPlan } from '../../core/abtest/dashboardModel';
import { EXPERIMENT_ID_PATTERN } from '../../core/abtest/routerConfig';

export function abPlanPath(storeDir: string, experiment: string): string {
  if (!EXPERIMENT_ID_PATTERN.test(experiment)) throw new Error(`invalid experiment id '${experiment}': use 1-63 letters, digits, '.', '_' or '-'`);
  return join(storeDir, 'ab-plans', `${experiment}.json`);
}

export function readAbPlan(storeDir: string, experiment: string): AbPlan | null {
  const file = abPlanPath(storeDir, experiment);
  if (!existsSync(file)) return null;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as AbPlan;
  } catch {
    return null; // a damaged plan only loses the verdict; the counts still come from the store
  }
}

export function writeAbPlan(storeDir: string, plan: AbPlan): void {
  const file = abPlanPath(storeDir, plan.experiment);
  mkdirSync(join(storeDir, 'ab-plans'), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(plan, null, 2)}\n`);
  renameSync(tmp, file);
}
