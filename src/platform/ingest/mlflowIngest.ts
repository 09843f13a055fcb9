// Ingests MLflow file stores (mlruns/): experiments, runs (meta, params, tags, metrics read
// incrementally per metric file) and the model registry (mlruns/models/).
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, basename } from 'node:path';
import type { RunSource } from '../../core/tracking/types';
import { parseFlatYaml, parseMlflowMetricLine, mlflowStatus, type FlatYamlValue } from '../../core/ingest/mlflowFormat';
import type { IngestBatch, RegisteredModelSummary, RunUpsert } from '../store/trackingStore.api';
import { readCompleteLines } from './lineChunks';
import { IngestContext, parseCursor } from './ingestContext';

/** Folders inside mlruns/ that are not experiments. */
const NOT_EXPERIMENTS = new Set(['models', '.trash']);
/** Folders inside an experiment that are not runs. */
const NOT_RUNS = new Set(['tags', 'models', 'datasets', 'traces']);

interface MetricCursor { offset: number; line: number; size: number }

export async function ingestMlrunsTree(ctx: IngestContext, mlrunsDir: string): Promise<void> {
  for (const name of await listDirs(mlrunsDir)) {
    if (NOT_EXPERIMENTS.has(name)) continue;
    await ingestMlflowExperiment(ctx, join(mlrunsDir, name));
  }
  await ingestMlflowRegistry(ctx, join(mlrunsDir, 'models'));
}

export async function ingestMlflowExperiment(ctx: IngestContext, expDir: string): Promise<void> {
  const meta = await readMeta(ctx, join(expDir, 'meta.yaml'));
  if (!meta) return; // not an experiment folder (or reported)
  const name = typeof meta.name === 'string' && meta.name !== '' ? meta.name : String(meta.experiment_id ?? basename(expDir));
  const deleted = meta.lifecycle_stage === 'deleted';
  for (const runDirName of await listDirs(expDir)) {
    if (NOT_RUNS.has(runDirName)) continue;
    await ingestMlflowRun(ctx, name, deleted, join(expDir, runDirName));
  }
}

/** The experiment a run folder belongs to, read from its parent's meta.yaml. */
export async function ingestMlflowRunInItsExperiment(ctx: IngestContext, runDir: string): Promise<void> {
  const expDir = join(runDir, '..');
  const meta = await readMeta(ctx, join(expDir, 'meta.yaml'));
  if (!meta) return;
  const name = typeof meta.name === 'string' && meta.name !== '' ? meta.name : String(meta.experiment_id ?? basename(expDir));
  await ingestMlflowRun(ctx, name, meta.lifecycle_stage === 'deleted', runDir);
}

export async function ingestMlflowRun(ctx: IngestContext, experiment: string, experimentDeleted: boolean, runDir: string): Promise<void> {
  const metaPath = join(runDir, 'meta.yaml');
  const meta = await readMeta(ctx, metaPath);
  if (!meta) return;
  const runId = typeof meta.run_id === 'string' && meta.run_id !== '' ? meta.run_id : basename(runDir);
  const tags = await readKeyFiles(ctx, join(runDir, 'tags'));
  const params = await readKeyFiles(ctx, join(runDir, 'params'));
  const status = mlflowStatus(meta.status);
  if (status === undefined) ctx.problem(ctx.rel(metaPath), `unknown status ${JSON.stringify(meta.status)}; expected 1-5 (RUNNING..KILLED); using FINISHED`);
  const run: RunUpsert = {
    id: runId, experiment, name: str(meta.run_name) ?? tags.get('mlflow.runName') ?? runId,
    status: status ?? 'FINISHED', startMs: num(meta.start_time), endMs: num(meta.end_time),
    user: str(meta.user_id) ?? tags.get('mlflow.user') ?? null, origin: 'mlflow',
    source: sourceOf(tags, meta),
    git: { ...(tags.has('mlflow.source.git.commit') ? { commit: tags.get('mlflow.source.git.commit') } : {}),
      ...(tags.has('mlflow.source.git.branch') ? { branch: tags.get('mlflow.source.git.branch') } : {}) },
    deleted: meta.lifecycle_stage === 'deleted' || experimentDeleted,
  };

  // A metric file that shrank was rewritten: drop the run's rows and read everything again.
  const metricFiles = await listFilesDeep(join(runDir, 'metrics'));
  let reset = false;
  const cursors = new Map<string, Partial<MetricCursor> | undefined>();
  for (const file of metricFiles) {
    const cursorKey = `mlflow:${ctx.rel(file.path)}`;
    const cursor = parseCursor<MetricCursor>(ctx.cursor(cursorKey));
    cursors.set(cursorKey, cursor);
    if (cursor && typeof cursor.offset === 'number' && (await stat(file.path)).size < cursor.offset) reset = true;
  }
  if (reset) ctx.log(`${ctx.rel(runDir)}: a metric file shrank; reading the run again from the start`);
  ctx.apply({
    resetRuns: reset ? [runId] : undefined,
    runs: [run],
    params: [...params].map(([key, value]) => ({ runId, key, value })),
    tags: [...tags].map(([key, value]) => ({ runId, key, value })),
  });

  for (const file of metricFiles) {
    const source = ctx.rel(file.path);
    const cursorKey = `mlflow:${source}`;
    const saved = reset ? undefined : cursors.get(cursorKey);
    let offset = typeof saved?.offset === 'number' ? saved.offset : 0;
    let line = typeof saved?.line === 'number' ? saved.line : 1;
    const size = (await stat(file.path)).size;
    if (size <= offset && !reset) continue;
    await readCompleteLines(file.path, offset, (chunk) => {
      const batch: IngestBatch = { metrics: [] };
      const lines = chunk.text === '' ? [''] : chunk.text.slice(0, -1).split('\n');
      for (const text of lines) {
        const lineNo = line++;
        if (text.trim() === '') {
          if (chunk.text === '') ctx.problem(source, 'line longer than 64 MB skipped', lineNo);
          continue;
        }
        const point = parseMlflowMetricLine(text);
        if (typeof point === 'string') ctx.problem(source, `${point}; line skipped`, lineNo);
        else batch.metrics!.push({ runId, key: file.key, ...point });
      }
      offset = chunk.end;
      batch.cursors = [{ source: cursorKey, cursor: JSON.stringify({ offset, line, size: chunk.end }) }];
      ctx.apply(batch);
    });
  }
}

export async function ingestMlflowRegistry(ctx: IngestContext, modelsDir: string): Promise<void> {
  const models: RegisteredModelSummary[] = [];
  for (const dirName of await listDirs(modelsDir)) {
    const modelDir = join(modelsDir, dirName);
    const meta = await readMeta(ctx, join(modelDir, 'meta.yaml'));
    if (!meta) continue;
    const aliases = await readKeyFiles(ctx, join(modelDir, 'aliases'));
    const versions: RegisteredModelSummary['versions'] = [];
    for (const versionDir of await listDirs(modelDir)) {
      if (!/^version-\d+$/.test(versionDir)) continue;
      const vMeta = await readMeta(ctx, join(modelDir, versionDir, 'meta.yaml'));
      if (!vMeta) continue;
      const version = num(vMeta.version) ?? Number(versionDir.slice('version-'.length));
      versions.push({
        version, stage: str(vMeta.current_stage) ?? 'None', runId: str(vMeta.run_id) ?? null, source: str(vMeta.source) ?? null,
        aliases: [...aliases].filter(([, v]) => Number(v.trim()) === version).map(([alias]) => alias),
      });
    }
    versions.sort((a, b) => a.version - b.version);
    models.push({ name: str(meta.name) ?? dirName, description: str(meta.description) ?? null, versions });
  }
  if (models.length > 0) ctx.apply({ registeredModels: models });
}

function sourceOf(tags: Map<string, string>, meta: Record<string, FlatYamlValue>): RunSource {
  const path = tags.get('mlflow.source.name') ?? str(meta.source_name);
  const type = (tags.get('mlflow.source.type') ?? '').toUpperCase();
  if (!path) return { kind: 'unknown' };
  return { kind: type === 'NOTEBOOK' || path.endsWith('.ipynb') ? 'notebook' : 'script', path };
}

function str(value: FlatYamlValue | undefined): string | undefined {
  if (typeof value === 'string' && value !== '') return value;
  if (typeof value === 'number') return String(value);
  return undefined;
}

function num(value: FlatYamlValue | undefined): number | null {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && /^-?\d+$/.test(value)) return Number(value);
  return null;
}

/** The flat meta.yaml, or undefined when there is none (quietly) or it is unreadable (reported). */
async function readMeta(ctx: IngestContext, path: string): Promise<Record<string, FlatYamlValue> | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
  const parsed = parseFlatYaml(text);
  for (const p of parsed.problems) ctx.problem(ctx.rel(path), p.message, p.line);
  return parsed.values;
}

/** params/ or tags/: one file per key, '/' in a key making subfolders; value = file content. */
async function readKeyFiles(ctx: IngestContext, dir: string): Promise<Map<string, string>> {
  const result = new Map<string, string>();
  for (const file of await listFilesDeep(dir)) {
    try {
      result.set(file.key, await readFile(file.path, 'utf8'));
    } catch (error) {
      ctx.problem(ctx.rel(file.path), `cannot read: ${(error as Error).message}`);
    }
  }
  return result;
}

async function listDirs(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name).sort();
  } catch {
    return [];
  }
}

async function listFilesDeep(dir: string, prefix = ''): Promise<Array<{ key: string; path: string }>> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  const files: Array<{ key: string; path: string }> = [];
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    const key = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
    if (entry.isDirectory()) files.push(...await listFilesDeep(join(dir, entry.name), key));
    else if (entry.isFile()) files.push({ key, path: join(dir, entry.name) });
  }
  return files;
}
