// Ingests the seed project's tracking database (model_track_center.db), opened read-only:
// model_task → experiment, model_track → run, model_params → params, model_metric → metrics.
// Tasks and tracks are few and re-read every time (a del_flag may change); params and metrics
// are read incrementally by their row ids.
import { createHash } from 'node:crypto';
import { openSqlite, type SqlDatabase } from '../store/sqliteDriver';
import { parseSeedTimestamp, parseSeedMetricValue, seedRunIdInput } from '../../core/ingest/seedFormat';
import type { IngestBatch, RunUpsert } from '../store/trackingStore.api';
import { IngestContext, parseCursor } from './ingestContext';

export const SEED_DB_NAME = 'model_track_center.db';
const ROWS_PER_BATCH = 50_000;
const REQUIRED_TABLES = ['model_task', 'model_track', 'model_metric', 'model_params'];

interface SeedCursor { metric: number; param: number; /** largest model_id seen: which runs a recreated file drops */ track: number }

export function seedRunId(relativeDbPath: string, modelId: number): string {
  return createHash('sha256').update(seedRunIdInput(relativeDbPath, modelId)).digest('hex').slice(0, 32);
}

export async function ingestSeedDb(ctx: IngestContext, path: string): Promise<void> {
  const source = ctx.rel(path);
  let db: SqlDatabase;
  try {
    db = openSqlite(path, { readonly: true });
  } catch (error) {
    ctx.problem(source, `cannot open as SQLite read-only (${(error as Error).message}); is it a model_track_center.db?`);
    return;
  }
  try {
    readSeed(ctx, db, source);
  } catch (error) {
    ctx.problem(source, `reading stopped: ${(error as Error).message}; the next ingest retries from the last saved row`);
  } finally {
    db.close();
  }
}

function readSeed(ctx: IngestContext, db: SqlDatabase, source: string): void {
  const tables = new Set((db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as Array<{ name: string }>).map((r) => r.name));
  const missing = REQUIRED_TABLES.filter((t) => !tables.has(t));
  if (missing.length > 0) {
    ctx.problem(source, `not a seed tracking database: missing table(s) ${missing.join(', ')} (expected the schema of the seed's db.sql)`);
    return;
  }
  const cursorKey = `seed:${source}`;
  const saved = parseCursor<SeedCursor>(ctx.cursor(cursorKey));
  let cursor: SeedCursor = {
    metric: Number(saved?.metric ?? 0) || 0, param: Number(saved?.param ?? 0) || 0, track: Number(saved?.track ?? 0) || 0,
  };

  const tasks = new Map<number, { name: string; deleted: boolean }>();
  for (const t of db.prepare('SELECT task_id, task_name, del_flag FROM model_task').all() as Array<{ task_id: number; task_name: string; del_flag: number }>) {
    tasks.set(Number(t.task_id), { name: String(t.task_name), deleted: Number(t.del_flag) === 1 });
  }
  const runIds = new Map<number, string>();
  const runs: RunUpsert[] = [];
  const tags: NonNullable<IngestBatch['tags']> = [];
  for (const m of db.prepare(`SELECT model_id, task_id, model_name, model_description, tracked_time, del_flag
      FROM model_track ORDER BY model_id`).all() as Array<Record<string, unknown>>) {
    const modelId = Number(m.model_id);
    const task = tasks.get(Number(m.task_id));
    if (!task) ctx.problem(source, `model_track row model_id=${modelId} refers to missing task_id=${String(m.task_id)}; run put in "Default"`);
    const id = seedRunId(source, modelId);
    runIds.set(modelId, id);
    cursor.track = Math.max(cursor.track, modelId);
    const startMs = parseSeedTimestamp(m.tracked_time);
    if (startMs === undefined) ctx.problem(source, `model_track row model_id=${modelId}: tracked_time ${JSON.stringify(m.tracked_time)} is not 'YYYY-MM-DD HH:MM:SS'`);
    runs.push({
      id, experiment: task?.name ?? 'Default', name: String(m.model_name), status: 'FINISHED', startMs: startMs ?? null,
      origin: 'seed', source: { kind: 'unknown' }, deleted: Number(m.del_flag) === 1 || (task?.deleted ?? false),
    });
    if (m.model_description !== null && m.model_description !== undefined && m.model_description !== '') {
      tags.push({ runId: id, key: 'mlflow.note.content', value: String(m.model_description) });
    }
  }

  // Fewer rows than we already read: the file was recreated. Read it again from scratch.
  const maxMetric = Number((db.prepare('SELECT coalesce(max(metric_id), 0) AS n FROM model_metric').get() as { n: number }).n);
  const maxParam = Number((db.prepare('SELECT coalesce(max(param_id), 0) AS n FROM model_params').get() as { n: number }).n);
  let resetRuns: string[] | undefined;
  if (maxMetric < cursor.metric || maxParam < cursor.param) {
    ctx.log(`${source} was recreated (fewer rows than last read): reading it again from the start`);
    resetRuns = [];
    for (let modelId = 1; modelId <= Math.max(cursor.track, ...runIds.keys()); modelId++) resetRuns.push(seedRunId(source, modelId));
    cursor = { metric: 0, param: 0, track: Math.max(0, ...runIds.keys()) };
  }

  const params: NonNullable<IngestBatch['params']> = [];
  for (const p of db.prepare(`SELECT param_id, model_id, param_type, param_name, param_value FROM model_params
      WHERE param_id > ? ORDER BY param_id`).all(cursor.param) as Array<Record<string, unknown>>) {
    const runId = runIds.get(Number(p.model_id));
    cursor.param = Number(p.param_id);
    if (!runId) {
      ctx.problem(source, `model_params row param_id=${cursor.param} refers to missing model_id=${String(p.model_id)}; skipped`);
      continue;
    }
    params.push({ runId, key: `${String(p.param_type)}.${String(p.param_name)}`, value: String(p.param_value) });
  }
  ctx.apply({ resetRuns, runs, params, tags, cursors: [{ source: cursorKey, cursor: JSON.stringify(cursor) }] });

  const select = db.prepare(`SELECT metric_id, model_id, metric_name, epoch, metric_value, is_best, tracked_time
    FROM model_metric WHERE metric_id > ? ORDER BY metric_id LIMIT ?`);
  for (;;) {
    const rows = select.all(cursor.metric, ROWS_PER_BATCH) as Array<Record<string, unknown>>;
    if (rows.length === 0) break;
    const batch: IngestBatch = { metrics: [], tags: [] };
    for (const row of rows) {
      const metricId = Number(row.metric_id);
      cursor.metric = metricId;
      const where = `model_metric row metric_id=${metricId}`;
      const runId = runIds.get(Number(row.model_id));
      if (!runId) { ctx.problem(source, `${where} refers to missing model_id=${String(row.model_id)}; skipped`); continue; }
      const value = parseSeedMetricValue(row.metric_value);
      if (value === undefined) { ctx.problem(source, `${where}: metric_value ${JSON.stringify(row.metric_value)} is not a number; skipped`); continue; }
      const ts = parseSeedTimestamp(row.tracked_time);
      if (ts === undefined) { ctx.problem(source, `${where}: tracked_time ${JSON.stringify(row.tracked_time)} is not 'YYYY-MM-DD HH:MM:SS'; skipped`); continue; }
      const key = String(row.metric_name);
      const step = Number(row.epoch);
      batch.metrics!.push({ runId, key, value, step: Number.isInteger(step) ? step : 0, ts });
      if (Number(row.is_best) === 1) {
        batch.tags!.push({ runId, key: `best.${key}`, value: String(value) }, { runId, key: `best.${key}.epoch`, value: String(step) });
      }
    }
    batch.cursors = [{ source: cursorKey, cursor: JSON.stringify(cursor) }];
    ctx.apply(batch);
  }
}
