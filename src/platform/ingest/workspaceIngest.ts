// Reads every tracking source in a workspace into the store: Modelcloud run logs, MLflow file
// stores and seed-schema SQLite files. Full scans at activation / from the CLI, incremental
// ingests for watcher events. Bad input is reported (store + log) and never stops the rest.
import { readdir, stat } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import type { IngestProblem } from '../../core/tracking/types';
import { CursorConflictError, type TrackingStore } from '../store/trackingStore.api';
import { IngestContext } from './ingestContext';
import { ingestRunLog } from './runLogIngest';
import { ingestMlrunsTree, ingestMlflowExperiment, ingestMlflowRegistry, ingestMlflowRunInItsExperiment } from './mlflowIngest';
import { ingestSeedDb, SEED_DB_NAME } from './seedIngest';

export interface IngestReport { runsTouched: number; metricPoints: number; problems: IngestProblem[]; durationMs: number }

/** What the watcher should watch (relative to the workspace root). */
export const INGEST_WATCH_GLOBS: string[] = [
  '.modelcloud/runs/*.jsonl',
  '**/mlruns/**',
  `**/${SEED_DB_NAME}`,
  `**/${SEED_DB_NAME}-wal`,
];

/** Folders never searched for MLflow stores or seed dbs. */
const SKIP_DIRS = new Set(['node_modules', '.git', '.modelcloud', '__pycache__', '.venv', 'venv', '.tox', '.mypy_cache', 'site-packages']);
const MAX_SCAN_DEPTH = 6;

export function classifyIngestPath(path: string): 'runlog' | 'mlflow' | 'seed' | undefined {
  const p = path.split('\\').join('/');
  if (/(^|\/)\.modelcloud\/runs\/[^/]+\.jsonl$/.test(p)) return 'runlog';
  if (/(^|\/)mlruns(\/|$)/.test(p)) return 'mlflow';
  const name = p.slice(p.lastIndexOf('/') + 1);
  if (name === SEED_DB_NAME || name === `${SEED_DB_NAME}-wal` || name === `${SEED_DB_NAME}-journal`) return 'seed';
  return undefined;
}

export class WorkspaceIngest {
  private readonly runLogDir: string;

  constructor(
    private readonly store: TrackingStore,
    private readonly workspaceRoot: string,
    storeDir: string,
    private readonly log: (line: string) => void,
  ) {
    // The Python client writes run logs into the store folder: <storeDir>/runs/<run>.jsonl.
    this.runLogDir = join(storeDir, 'runs');
  }

  async ingestAll(): Promise<IngestReport> {
    return this.run(async (ctx) => {
      // Oldest-written first, so models registered by run logs get version numbers in the order they were logged.
      for (const name of await byModificationTime(this.runLogDir, (await listNames(this.runLogDir)).filter((n) => n.endsWith('.jsonl')))) {
        await this.guard(ctx, join(this.runLogDir, name), () => ingestRunLog(ctx, join(this.runLogDir, name)));
      }
      const found = { mlruns: [] as string[], seeds: [] as string[] };
      await scan(this.workspaceRoot, 0, found);
      for (const dir of found.mlruns) await this.guard(ctx, dir, () => ingestMlrunsTree(ctx, dir));
      for (const db of found.seeds) await this.guard(ctx, db, () => ingestSeedDb(ctx, db));
    });
  }

  async ingestPaths(paths: string[]): Promise<IngestReport> {
    return this.run(async (ctx) => {
      const units = new Map<string, () => Promise<void>>();
      for (const raw of paths) {
        const path = resolve(this.workspaceRoot, raw);
        switch (classifyIngestPath(path)) {
          case 'runlog': units.set(`runlog:${path}`, () => ingestRunLog(ctx, path)); break;
          case 'seed': {
            const db = path.replace(/-(wal|journal)$/, '');
            units.set(`seed:${db}`, () => ingestSeedDb(ctx, db));
            break;
          }
          case 'mlflow': {
            const [key, unit] = mlflowUnit(ctx, path);
            units.set(key, unit);
            break;
          }
          default: break;
        }
      }
      // A whole tree covers its experiments and runs: drop the smaller units it contains.
      const keys = [...units.keys()];
      for (const [key, unit] of units) {
        const covered = keys.some((other) => other !== key && other.startsWith('mlflow-tree:') &&
          key.startsWith('mlflow-') && key.slice(key.indexOf(':') + 1).startsWith(other.slice('mlflow-tree:'.length) + sep));
        if (!covered) await this.guard(ctx, key, unit);
      }
    });
  }

  private async run(body: (ctx: IngestContext) => Promise<void>): Promise<IngestReport> {
    const started = performance.now();
    const ctx = new IngestContext(this.store, this.workspaceRoot, this.log);
    await body(ctx);
    ctx.flush();
    return {
      runsTouched: ctx.runsTouched.size, metricPoints: ctx.metricPoints, problems: ctx.problems,
      durationMs: Math.round(performance.now() - started),
    };
  }

  /** One source failing (unreadable, locked, a store error) is reported; the others go on. */
  private async guard(ctx: IngestContext, what: string, fn: () => Promise<void>): Promise<void> {
    try {
      await fn();
    } catch (error) {
      if (error instanceof CursorConflictError) {
        ctx.log(error.message);
        return;
      }
      ctx.problem(ctx.rel(what.replace(/^[\w-]+:/, '')), `ingest failed: ${(error as Error).message}; it is retried on the next change or refresh`);
      try { ctx.flush(); } catch { /* the store itself is failing; the log line above still tells */ }
    }
  }
}

/** The smallest MLflow unit a changed path belongs to: a run, an experiment, the registry, or the whole tree. */
function mlflowUnit(ctx: IngestContext, path: string): [string, () => Promise<void>] {
  const parts = path.split(sep);
  const at = parts.lastIndexOf('mlruns');
  const root = parts.slice(0, at + 1).join(sep);
  const rest = parts.slice(at + 1);
  if (rest.length === 0) return [`mlflow-tree:${root}`, () => ingestMlrunsTree(ctx, root)];
  if (rest[0] === 'models') return [`mlflow-registry:${root}`, () => ingestMlflowRegistry(ctx, join(root, 'models'))];
  if (rest[0] === '.trash') return [`mlflow-tree:${root}`, () => ingestMlrunsTree(ctx, root)];
  const expDir = join(root, rest[0]);
  if (rest.length <= 2 || rest[1] === 'tags') {
    // the experiment's meta.yaml or tags, or a run folder itself appearing
    return [`mlflow-exp:${expDir}`, () => ingestMlflowExperiment(ctx, expDir)];
  }
  const runDir = join(expDir, rest[1]);
  return [`mlflow-run:${runDir}`, () => ingestMlflowRunInItsExperiment(ctx, runDir)];
}

async function listNames(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).sort();
  } catch {
    return [];
  }
}

async function scan(dir: string, depth: number, found: { mlruns: string[]; seeds: string[] }): Promise<void> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    const path = join(dir, entry.name);
    if (entry.isFile() && entry.name === SEED_DB_NAME) found.seeds.push(path);
    if (!entry.isDirectory() || SKIP_DIRS.has(entry.name)) continue;
    if (entry.name === 'mlruns') found.mlruns.push(path);
    else if (depth < MAX_SCAN_DEPTH && !entry.name.startsWith('.')) await scan(path, depth + 1, found);
  }
}

/** Names sorted by their file's modification time (then name); a file gone meanwhile sorts first and is skipped by ingest. */
async function byModificationTime(dir: string, names: string[]): Promise<string[]> {
  const times = await Promise.all(names.map(async (name) => {
    try { return (await stat(join(dir, name))).mtimeMs; } catch { return 0; }
  }));
  return names.map((name, i) => ({ name, t: times[i] })).sort((a, b) => a.t - b.t || (a.name < b.name ? -1 : 1)).map((x) => x.name);
}
