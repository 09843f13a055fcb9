// TrackingStore over one SQLite file (.modelcloud/tracking.db). Runs and metric keys get
// integer surrogate keys so the metric tables stay compact; experiments keep their run counts
// up to date through triggers (see migrations.ts) so listings never scan the runs table.
import type {
  ExperimentSummary, RunSummary, RunDetail, RunStatus, RunOrigin, MetricPoint, MetricValue, IngestProblem, ArtifactRecord,
} from '../../core/tracking/types';
import type {
  TrackingStore, IngestBatch, ListRunsOptions, RegisteredModelSummary, RunUpsert,
} from './trackingStore.api';
import type { SearchRunsOptions, SearchRunsResult, GroupRunsOptions, RunGroup, ColumnKeys, ChartHistory } from './trackingStore.api';
import { CursorConflictError } from './trackingStore.api';
import type { SqlDatabase, SqlStatement, SqliteDriverName } from './sqliteDriver';
import { openStoreDatabase } from './openStoreDatabase';
import { applyModelRegistrations } from '../registry/registryStore';
import { RunSearch } from './runSearch';
import { PointBuffer, packedHistoryOf, pointsOfPacked, unpackHistory, chunkLevelOfDetail, BYTES_PER_POINT } from '../../core/tracking/metricChunks';
import { M4_BUCKET_POINTS } from '../../core/charts/m4';
import { choosePrimaryMetric, PRIMARY_METRIC_TAG } from '../../core/experiments/primaryMetric';

export interface SqliteTrackingStoreOptions {
  driver?: SqliteDriverName;
  /** Milliseconds a writer waits for another process's lock before failing. */
  busyTimeoutMs?: number;
}

/** Rows per multi-row INSERT: 100-125 measured fastest here (1 row: ~0.3M/s, 100: ~0.6M/s, 500: ~0.55M/s). */
/** Points per metric chunk row, and the size under which the last chunk is topped up rather than followed. */
const CHUNK_POINTS = 8192;
const CHUNK_TOP_UP_BELOW = 1024;
/** A chunk this big is sealed (never topped up again), so its level of detail (metric_lod) stays valid. */
const CHUNK_SEALED_AT = CHUNK_TOP_UP_BELOW;
/** Problems kept in the store; older ones are dropped so a noisy file cannot grow the db forever. */
const MAX_PROBLEMS = 10_000;

const RUN_COLUMNS = `r.rid, r.id, r.experiment_id, e.name AS experiment, r.name, r.status, r.start_ms, r.end_ms, r.user,
  r.origin, r.source_kind, r.source_path, r.source_cell, r.git_commit, r.git_branch, r.git_dirty,
  r.python_version, r.host, r.deleted_ms`;

interface RunRow {
  rid: number; id: string; experiment_id: number; experiment: string; name: string; status: string;
  start_ms: number | null; end_ms: number | null; user: string | null; origin: string;
  source_kind: string; source_path: string | null; source_cell: number | null;
  git_commit: string | null; git_branch: string | null; git_dirty: number | null;
  python_version: string | null; host: string | null; deleted_ms: number | null;
}

export class SqliteTrackingStore implements TrackingStore {
  readonly driverName: string;
  private readonly db: SqlDatabase;
  private readonly statements = new Map<string, SqlStatement>();
  private readonly ridCache = new Map<string, number>();
  private readonly kidCache = new Map<string, number>();
  private readonly experimentCache = new Map<string, number>();
  private readonly runSearch: RunSearch;

  constructor(readonly path: string, options: SqliteTrackingStoreOptions = {}) {
    this.db = openStoreDatabase(path, { driver: options.driver, busyTimeoutMs: options.busyTimeoutMs });
    this.driverName = this.db.driverName;
    this.runSearch = new RunSearch(this.db, (rids) => this.summariesByRid(rids));
  }

  // ---------------------------------------------------------------- reading

  listExperiments(options: { includeDeleted?: boolean } = {}): ExperimentSummary[] {
    const rows = this.stmt(options.includeDeleted
      ? 'SELECT id, name, run_count, running_count, last_start_ms, deleted_ms FROM experiments ORDER BY name'
      : 'SELECT id, name, run_count, running_count, last_start_ms, deleted_ms FROM experiments WHERE deleted_ms IS NULL ORDER BY name',
    ).all() as Array<{ id: number; name: string; run_count: number; running_count: number; last_start_ms: number | null; deleted_ms: number | null }>;
    return rows.map((row) => ({
      id: row.id, name: row.name, runCount: row.run_count, runningCount: row.running_count,
      lastStartMs: row.last_start_ms, deleted: row.deleted_ms !== null,
    }));
  }

  listRuns(experimentId: number, options: ListRunsOptions = {}): RunSummary[] {
    const limit = options.limit ?? -1;
    const offset = options.offset ?? 0;
    // Two statements rather than "deleted_ms IS NULL OR ?" so the common case reads runs_by_experiment in order.
    const rows = (options.includeDeleted
      ? this.stmt(`SELECT ${RUN_COLUMNS} FROM runs r JOIN experiments e ON e.id = r.experiment_id
          WHERE r.experiment_id = ? ORDER BY r.start_ms DESC, r.id LIMIT ? OFFSET ?`)
      : this.stmt(`SELECT ${RUN_COLUMNS} FROM runs r JOIN experiments e ON e.id = r.experiment_id
          WHERE r.experiment_id = ? AND r.deleted_ms IS NULL ORDER BY r.start_ms DESC, r.id LIMIT ? OFFSET ?`)
    ).all(experimentId, limit, offset) as unknown as RunRow[];
    return this.withPrimaryMetrics(rows, options.primaryMetric);
  }

  listDeletedRuns(): RunSummary[] {
    const rows = this.stmt(`SELECT ${RUN_COLUMNS} FROM runs r JOIN experiments e ON e.id = r.experiment_id
      WHERE r.deleted_ms IS NOT NULL ORDER BY r.deleted_ms DESC, r.id`).all() as unknown as RunRow[];
    return this.withPrimaryMetrics(rows);
  }

  getRun(runId: string): RunDetail | undefined {
    const row = this.stmt(`SELECT ${RUN_COLUMNS} FROM runs r JOIN experiments e ON e.id = r.experiment_id WHERE r.id = ?`)
      .get(runId) as unknown as RunRow | undefined;
    if (!row) return undefined;
    return this.details([row])[0];
  }

  listRunDetails(filter: { experiment?: string; includeDeleted?: boolean } = {}): RunDetail[] {
    const rows = this.stmt(`SELECT ${RUN_COLUMNS} FROM runs r JOIN experiments e ON e.id = r.experiment_id
      WHERE (? IS NULL OR e.name = ?) AND (? = 1 OR (r.deleted_ms IS NULL AND e.deleted_ms IS NULL))
      ORDER BY e.name, r.start_ms DESC, r.id`).all(filter.experiment ?? null, filter.experiment ?? null, filter.includeDeleted ? 1 : 0) as unknown as RunRow[];
    return this.details(rows);
  }

  metricHistory(runId: string, key: string): MetricPoint[] {
    return pointsOfPacked(key, this.metricHistoryPacked(runId, key));
  }

  metricHistoryPacked(runId: string, key: string): Float64Array {
    const rows = this.stmt(`SELECT c.data FROM metric_chunks c
      JOIN runs r ON r.rid = c.rid JOIN metric_keys k ON k.kid = c.kid
      WHERE r.id = ? AND k.key = ? ORDER BY c.seq`).all(runId, key) as Array<{ data: Uint8Array }>;
    // One memcpy into an uninitialised buffer; the triples are then read in place.
    return packedHistoryOf(Buffer.concat(rows.map((row) => row.data)));
  }

  metricHistoryForChart(runId: string, key: string, maxPoints: number): ChartHistory {
    const ids = this.stmt('SELECT r.rid, k.kid FROM runs r, metric_keys k WHERE r.id = ? AND k.key = ?')
      .get(runId, key) as { rid: number; kid: number } | undefined;
    if (!ids) return { packed: new Float64Array(0), totalPoints: 0, reduced: false };
    type Chunk = { seq: number; n: number; data: Uint8Array };
    // Sealed chunks' levels of detail (seq 0, 1, ...), then whatever follows them read raw: the
    // unsealed tail, or every chunk written before schema 4. metric_chunks is only touched for those.
    const lods = this.stmt('SELECT seq, n, data FROM metric_lod WHERE rid = ? AND kid = ? ORDER BY seq')
      .all(ids.rid, ids.kid) as Chunk[];
    let leading = 0;
    while (leading < lods.length && Number(lods[leading].seq) === leading) leading++;
    const rest = this.stmt('SELECT seq, n, data FROM metric_chunks WHERE rid = ? AND kid = ? AND seq >= ? ORDER BY seq')
      .all(ids.rid, ids.kid, leading) as Chunk[];
    let totalPoints = 0;
    for (let i = 0; i < leading; i++) totalPoints += Number(lods[i].n);
    for (const chunk of rest) totalPoints += Number(chunk.n);
    // Short enough to read whole: exact points, and LTTB over them costs little.
    if (totalPoints <= maxPoints * M4_BUCKET_POINTS) {
      return { packed: leading === 0 ? unpackHistory(rest.map((c) => c.data)) : this.metricHistoryPacked(runId, key), totalPoints, reduced: false };
    }
    const parts = lods.slice(0, leading).map((lod) => lod.data);
    const missing: Array<{ seq: number; n: number; lod: Uint8Array }> = [];
    for (const chunk of rest) {
      if (chunk.n < CHUNK_SEALED_AT) { parts.push(chunk.data); continue; } // the unsealed tail, as it is
      const lod = chunkLevelOfDetail(chunk.data);
      missing.push({ seq: chunk.seq, n: chunk.n, lod });
      parts.push(lod);
    }
    if (missing.length > 0) this.backfillLevelOfDetail(ids.rid, ids.kid, missing);
    return { packed: unpackHistory(parts), totalPoints, reduced: true };
  }

  searchRuns(options: SearchRunsOptions): SearchRunsResult {
    return this.runSearch.search(options);
  }

  listColumnKeys(experimentIds?: number[]): ColumnKeys {
    return this.runSearch.columnKeys(experimentIds);
  }

  groupRuns(options: GroupRunsOptions): RunGroup[] {
    return this.runSearch.group(options);
  }

  listRegisteredModels(): RegisteredModelSummary[] {
    const models = this.stmt('SELECT id, name, description FROM registered_models WHERE deleted_ms IS NULL ORDER BY name')
      .all() as Array<{ id: number; name: string; description: string | null }>;
    return models.map((model) => {
      const aliases = this.stmt('SELECT alias, version FROM model_aliases WHERE model_id = ? ORDER BY alias')
        .all(model.id) as Array<{ alias: string; version: number }>;
      const versions = this.stmt('SELECT version, stage, run_id, source FROM model_versions WHERE model_id = ? ORDER BY version')
        .all(model.id) as Array<{ version: number; stage: string; run_id: string | null; source: string | null }>;
      return {
        name: model.name,
        description: model.description,
        versions: versions.map((v) => ({
          version: v.version, stage: v.stage, runId: v.run_id, source: v.source,
          aliases: aliases.filter((a) => a.version === v.version).map((a) => a.alias),
        })),
      };
    });
  }

  getCursor(source: string): string | undefined {
    const row = this.stmt('SELECT cursor FROM ingest_cursors WHERE source = ?').get(source) as { cursor: string } | undefined;
    return row?.cursor;
  }

  problemCount(): number {
    return Number((this.stmt('SELECT count(*) AS n FROM ingest_problems').get() as { n: number }).n);
  }

  recentProblems(limit: number): Array<IngestProblem & { ts: number }> {
    const rows = this.stmt('SELECT ts, source, line, message FROM ingest_problems ORDER BY id DESC LIMIT ?')
      .all(limit) as Array<{ ts: number; source: string; line: number | null; message: string }>;
    return rows.map((row) => ({ ts: row.ts, source: row.source, message: row.message, ...(row.line === null ? {} : { line: row.line }) }));
  }

  changeCounter(): number {
    return Number((this.stmt("SELECT value FROM store_meta WHERE key = 'change_counter'").get() as { value: number }).value);
  }

  // ---------------------------------------------------------------- user edits

  renameRun(runId: string, name: string): void {
    this.write(() => this.requireChange(this.stmt('UPDATE runs SET name = ? WHERE id = ?').run(name, runId), `run ${runId}`));
  }

  setTag(runId: string, key: string, value: string): void {
    this.write(() => {
      this.stmt('INSERT OR REPLACE INTO tags (rid, key, value) VALUES (?, ?, ?)').run(this.requireRid(runId), key, value);
    });
  }

  deleteTag(runId: string, key: string): void {
    this.write(() => { this.stmt('DELETE FROM tags WHERE rid = ? AND key = ?').run(this.requireRid(runId), key); });
  }

  softDeleteRun(runId: string): void {
    this.write(() => {
      this.requireRid(runId);
      this.stmt('UPDATE runs SET deleted_ms = ? WHERE id = ? AND deleted_ms IS NULL').run(Date.now(), runId);
    });
  }

  restoreRun(runId: string): void {
    this.write(() => {
      this.requireRid(runId);
      this.stmt('UPDATE runs SET deleted_ms = NULL WHERE id = ?').run(runId);
    });
  }

  purgeRun(runId: string): { artifactsFreed: string[] } {
    let artifactsFreed: string[] = [];
    this.write(() => {
      const row = this.stmt('SELECT rid, deleted_ms FROM runs WHERE id = ?').get(runId) as { rid: number; deleted_ms: number | null } | undefined;
      if (!row) throw new Error(`No run ${runId} in the tracking store ${this.path}; refresh the view and try again.`);
      if (row.deleted_ms === null) {
        throw new Error(`Run ${runId} is not in the trash: delete it first, then delete it permanently from the Trash.`);
      }
      const shas = (this.stmt('SELECT DISTINCT sha256 FROM artifacts WHERE rid = ?').all(row.rid) as Array<{ sha256: string }>)
        .map((a) => a.sha256);
      this.resetRun(runId);
      const stillUsed = this.stmt('SELECT 1 FROM artifacts WHERE sha256 = ? LIMIT 1');
      artifactsFreed = shas.filter((sha) => stillUsed.get(sha) === undefined);
    });
    return { artifactsFreed };
  }

  renameExperiment(experimentId: number, name: string): void {
    this.write(() => {
      const clash = this.stmt('SELECT id FROM experiments WHERE name = ? AND id != ?').get(name, experimentId);
      if (clash) throw new Error(`Cannot rename experiment ${experimentId} to "${name}": another experiment has that name. Pick another name.`);
      this.requireChange(this.stmt('UPDATE experiments SET name = ? WHERE id = ?').run(name, experimentId), `experiment ${experimentId}`);
      this.experimentCache.clear();
    });
  }

  softDeleteExperiment(experimentId: number): void {
    this.write(() => this.requireChange(
      this.stmt('UPDATE experiments SET deleted_ms = coalesce(deleted_ms, ?) WHERE id = ?').run(Date.now(), experimentId),
      `experiment ${experimentId}`));
  }

  restoreExperiment(experimentId: number): void {
    this.write(() => this.requireChange(
      this.stmt('UPDATE experiments SET deleted_ms = NULL WHERE id = ?').run(experimentId), `experiment ${experimentId}`));
  }

  // ---------------------------------------------------------------- ingest

  apply(batch: IngestBatch): void {
    this.write(() => {
      // Cursors first: a conflict must abort before any data is written.
      for (const c of batch.cursors ?? []) {
        if (c.expected !== undefined) {
          const stored = this.stmt('SELECT cursor FROM ingest_cursors WHERE source = ?').get(c.source) as { cursor: string } | undefined;
          if ((stored?.cursor ?? null) !== c.expected) throw new CursorConflictError(c.source);
        }
        this.stmt('INSERT OR REPLACE INTO ingest_cursors (source, cursor) VALUES (?, ?)').run(c.source, c.cursor);
      }
      for (const runId of batch.resetRuns ?? []) this.resetRun(runId);
      for (const run of batch.runs ?? []) this.upsertRun(run);
      for (const p of batch.params ?? []) {
        this.stmt('INSERT OR REPLACE INTO params (rid, key, value) VALUES (?, ?, ?)').run(this.requireRid(p.runId), p.key, p.value);
      }
      for (const t of batch.tags ?? []) {
        this.stmt('INSERT OR REPLACE INTO tags (rid, key, value) VALUES (?, ?, ?)').run(this.requireRid(t.runId), t.key, t.value);
      }
      if ((batch.metrics && batch.metrics.length > 0) || (batch.metricColumns && batch.metricColumns.length > 0)) {
        this.insertMetrics(batch.metrics ?? [], batch.metricColumns ?? []);
      }
      for (const a of batch.artifacts ?? []) {
        this.stmt('INSERT OR REPLACE INTO artifacts (rid, path, size, sha256) VALUES (?, ?, ?, ?)')
          .run(this.requireRid(a.runId), a.path, a.size, a.sha256);
      }
      for (const s of batch.statuses ?? []) {
        this.requireRid(s.runId);
        this.stmt('UPDATE runs SET status = ?, end_ms = ? WHERE id = ?').run(s.status, s.endMs, s.runId);
      }
      if (batch.problems && batch.problems.length > 0) {
        const now = Date.now();
        for (const p of batch.problems) {
          this.stmt('INSERT INTO ingest_problems (ts, source, line, message) VALUES (?, ?, ?, ?)').run(now, p.source, p.line ?? null, p.message);
        }
        this.stmt('DELETE FROM ingest_problems WHERE id <= (SELECT max(id) FROM ingest_problems) - ?').run(MAX_PROBLEMS);
      }
      for (const model of batch.registeredModels ?? []) this.upsertRegisteredModel(model);
      if (batch.modelRegistrations && batch.modelRegistrations.length > 0) applyModelRegistrations(this.db, batch.modelRegistrations);
    });
  }

  close(): void {
    this.statements.clear();
    this.db.close();
  }

  // ---------------------------------------------------------------- internals

  private stmt(sql: string): SqlStatement {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  /** One transaction per write, bumping the change counter views poll. Caches are dropped on failure. */
  private write(fn: () => void): void {
    try {
      this.db.transaction(() => {
        fn();
        this.stmt("UPDATE store_meta SET value = value + 1 WHERE key = 'change_counter'").run();
      });
    } catch (error) {
      // A rolled-back transaction may have created rows whose ids we cached.
      this.ridCache.clear();
      this.kidCache.clear();
      this.experimentCache.clear();
      throw error;
    }
  }

  private requireChange(result: { changes: number }, what: string): void {
    if (result.changes === 0) throw new Error(`No ${what} in the tracking store ${this.path}; refresh the view and try again.`);
  }

  private ridOf(runId: string): number | undefined {
    let rid = this.ridCache.get(runId);
    if (rid === undefined) {
      const row = this.stmt('SELECT rid FROM runs WHERE id = ?').get(runId) as { rid: number } | undefined;
      if (!row) return undefined;
      rid = row.rid;
      this.ridCache.set(runId, rid);
    }
    return rid;
  }

  private requireRid(runId: string): number {
    const rid = this.ridOf(runId);
    if (rid === undefined) {
      throw new Error(`No run ${runId} in the tracking store ${this.path}; an ingest batch must list a run in "runs" before its data.`);
    }
    return rid;
  }

  private kidOf(key: string): number {
    let kid = this.kidCache.get(key);
    if (kid === undefined) {
      this.stmt('INSERT OR IGNORE INTO metric_keys (key) VALUES (?)').run(key);
      kid = Number((this.stmt('SELECT kid FROM metric_keys WHERE key = ?').get(key) as { kid: number }).kid);
      this.kidCache.set(key, kid);
    }
    return kid;
  }

  private experimentIdOf(name: string): number {
    let id = this.experimentCache.get(name);
    if (id === undefined) {
      this.stmt('INSERT OR IGNORE INTO experiments (name, created_ms) VALUES (?, ?)').run(name, Date.now());
      id = Number((this.stmt('SELECT id FROM experiments WHERE name = ?').get(name) as { id: number }).id);
      this.experimentCache.set(name, id);
    }
    return id;
  }

  private resetRun(runId: string): void {
    const rid = this.ridOf(runId);
    if (rid === undefined) return;
    for (const table of ['metric_chunks', 'metric_lod', 'metric_latest', 'params', 'tags', 'artifacts']) {
      this.stmt(`DELETE FROM ${table} WHERE rid = ?`).run(rid);
    }
    this.stmt('DELETE FROM runs WHERE rid = ?').run(rid);
    this.ridCache.delete(runId);
  }

  private upsertRun(run: RunUpsert): void {
    const experimentId = this.experimentIdOf(run.experiment);
    const git = run.git ?? {};
    const source = run.source ?? { kind: 'unknown' };
    // A run deleted here (by the user or a previous ingest) stays deleted: only `deleted: true` changes the flag.
    this.stmt(`INSERT INTO runs (id, experiment_id, name, status, start_ms, end_ms, user, source_kind, source_path, source_cell,
        git_commit, git_branch, git_dirty, python_version, host, pid, pip_hash, origin, deleted_ms)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (id) DO UPDATE SET experiment_id = excluded.experiment_id, name = excluded.name, status = excluded.status,
        start_ms = excluded.start_ms, end_ms = excluded.end_ms, user = excluded.user, source_kind = excluded.source_kind,
        source_path = excluded.source_path, source_cell = excluded.source_cell, git_commit = excluded.git_commit,
        git_branch = excluded.git_branch, git_dirty = excluded.git_dirty, python_version = excluded.python_version,
        host = excluded.host, pid = excluded.pid, pip_hash = excluded.pip_hash, origin = excluded.origin,
        deleted_ms = CASE WHEN excluded.deleted_ms IS NULL THEN runs.deleted_ms ELSE coalesce(runs.deleted_ms, excluded.deleted_ms) END`).run(
      run.id, experimentId, run.name, run.status, run.startMs, run.endMs ?? null, run.user ?? null,
      source.kind, source.path ?? null, source.cell ?? null,
      git.commit ?? null, git.branch ?? null, git.dirty === undefined ? null : git.dirty ? 1 : 0,
      run.pythonVersion ?? null, run.host ?? null, run.pid ?? null, run.pipHash ?? null, run.origin,
      run.deleted ? Date.now() : null,
    );
  }

  private insertMetrics(
    metrics: NonNullable<IngestBatch['metrics']>, columns: NonNullable<IngestBatch['metricColumns']>,
  ): void {
    // Group by (run, key) in arrival order, then append each group as packed chunks.
    const groups = new Map<number, { rid: number; kid: number; points: PointBuffer }>();
    let lastRid = -1;
    let lastKey = '';
    let group: { rid: number; kid: number; points: PointBuffer } | undefined;
    const add = (rid: number, key: string, step: number, ts: number, value: number): void => {
      if (rid !== lastRid || key !== lastKey || !group) {
        const kid = this.kidOf(key);
        const id = rid * 4_194_304 + kid; // exact below 2^53: rid < 2^31, kid < 2^22
        group = groups.get(id);
        if (!group) groups.set(id, group = { rid, kid, points: new PointBuffer() });
        lastRid = rid;
        lastKey = key;
      }
      group.points.push(step, ts, value);
    };
    let lastRunId = '';
    let rid = 0;
    for (const m of metrics) {
      if (m.runId !== lastRunId) { rid = this.requireRid(m.runId); lastRunId = m.runId; }
      add(rid, m.key, m.step, m.ts, m.value === null ? NaN : m.value);
    }
    for (const { runId, keys, values, steps, times } of columns) {
      rid = this.requireRid(runId);
      for (let i = 0; i < keys.length; i++) add(rid, keys[i], steps[i], times[i], values[i]);
    }
    const upsertLatest = this.stmt(`INSERT INTO metric_latest (rid, kid, step, ts, value) VALUES (?, ?, ?, ?, ?)
      ON CONFLICT (rid, kid) DO UPDATE SET step = excluded.step, ts = excluded.ts, value = excluded.value
      WHERE excluded.step > metric_latest.step OR (excluded.step = metric_latest.step AND excluded.ts >= metric_latest.ts)`);
    for (const { rid, kid, points } of groups.values()) {
      this.appendChunks(rid, kid, points);
      const latest = points.latest()!;
      // NaN is stored as NULL in the latest table: SQLite has no NaN.
      upsertLatest.run(rid, kid, latest.step, latest.ts, Number.isNaN(latest.value) ? null : latest.value);
    }
  }

  /**
   * Appends points to a run's key. A small last chunk (a live run flushes a few points every 100 ms)
   * is topped up instead of adding a row, so history stays a handful of rows per key.
   */
  private appendChunks(rid: number, kid: number, points: PointBuffer): void {
    let from = 0;
    const last = this.stmt('SELECT seq, n, data FROM metric_chunks WHERE rid = ? AND kid = ? ORDER BY seq DESC LIMIT 1')
      .get(rid, kid) as { seq: number; n: number; data: Uint8Array } | undefined;
    let seq = last ? last.seq + 1 : 0;
    if (last && last.n < CHUNK_TOP_UP_BELOW) {
      const take = Math.min(CHUNK_POINTS - last.n, points.length);
      const added = points.bytes(0, take);
      const merged = new Uint8Array(last.data.byteLength + added.byteLength);
      merged.set(last.data, 0);
      merged.set(added, last.data.byteLength);
      this.stmt('UPDATE metric_chunks SET n = ?, data = ? WHERE rid = ? AND kid = ? AND seq = ?')
        .run(last.n + take, merged, rid, kid, last.seq);
      if (last.n + take >= CHUNK_SEALED_AT) this.writeLevelOfDetail(rid, kid, last.seq, merged);
      from = take;
    }
    const insert = this.stmt('INSERT INTO metric_chunks (rid, kid, seq, n, data) VALUES (?, ?, ?, ?, ?)');
    while (from < points.length) {
      const to = Math.min(points.length, from + CHUNK_POINTS);
      const bytes = points.bytes(from, to);
      insert.run(rid, kid, seq, to - from, bytes);
      if (to - from >= CHUNK_SEALED_AT) this.writeLevelOfDetail(rid, kid, seq, bytes);
      seq++;
      from = to;
    }
  }

  /** Stores a sealed chunk's level of detail (its M4 reduction, see core/charts/m4). */
  private writeLevelOfDetail(rid: number, kid: number, seq: number, chunk: Uint8Array): void {
    this.stmt('INSERT OR REPLACE INTO metric_lod (rid, kid, seq, n, data) VALUES (?, ?, ?, ?, ?)')
      .run(rid, kid, seq, chunk.byteLength / BYTES_PER_POINT, chunkLevelOfDetail(chunk));
  }

  /**
   * Saves levels of detail computed on read (chunks written before schema 4). Derived data only:
   * the change counter stays put (views would refresh for nothing), and a failure (another process
   * holds the write lock, a read-only file) costs nothing but recomputing them next time.
   */
  private backfillLevelOfDetail(rid: number, kid: number, lods: Array<{ seq: number; n: number; lod: Uint8Array }>): void {
    try {
      this.db.transaction(() => {
        const insert = this.stmt('INSERT OR IGNORE INTO metric_lod (rid, kid, seq, n, data) VALUES (?, ?, ?, ?, ?)');
        for (const { seq, n, lod } of lods) insert.run(rid, kid, seq, n, lod);
      });
    } catch {
      // See above: nothing is lost.
    }
  }

  private upsertRegisteredModel(model: RegisteredModelSummary): void {
    this.stmt(`INSERT INTO registered_models (name, description) VALUES (?, ?)
      ON CONFLICT (name) DO UPDATE SET description = excluded.description`).run(model.name, model.description);
    const id = Number((this.stmt('SELECT id FROM registered_models WHERE name = ?').get(model.name) as { id: number }).id);
    // Only what the MLflow registry holds is replaced; versions registered here stay.
    this.stmt("DELETE FROM model_versions WHERE model_id = ? AND origin = 'mlflow'").run(id);
    this.stmt('DELETE FROM model_aliases WHERE model_id = ? AND version NOT IN (SELECT version FROM model_versions WHERE model_id = ?)').run(id, id);
    for (const v of model.versions) {
      this.stmt('INSERT OR REPLACE INTO model_versions (model_id, version, stage, run_id, source) VALUES (?, ?, ?, ?, ?)')
        .run(id, v.version, v.stage, v.runId, v.source);
      for (const alias of v.aliases) {
        this.stmt('INSERT OR REPLACE INTO model_aliases (model_id, alias, version) VALUES (?, ?, ?)').run(id, alias, v.version);
      }
    }
  }

  private summaryOf(row: RunRow): RunSummary {
    const source: RunSummary['source'] = { kind: row.source_kind as RunSummary['source']['kind'] };
    if (row.source_path !== null) source.path = row.source_path;
    if (row.source_cell !== null) source.cell = row.source_cell;
    const git: RunSummary['git'] = {};
    if (row.git_commit !== null) git.commit = row.git_commit;
    if (row.git_branch !== null) git.branch = row.git_branch;
    if (row.git_dirty !== null) git.dirty = row.git_dirty === 1;
    return {
      id: row.id, experimentId: row.experiment_id, experiment: row.experiment, name: row.name,
      status: row.status as RunStatus, startMs: row.start_ms, endMs: row.end_ms, user: row.user,
      origin: row.origin as RunOrigin, source, git, pythonVersion: row.python_version, host: row.host,
      deleted: row.deleted_ms !== null,
    };
  }

  /** Summaries (with primary metric) of runs by surrogate key, in the order given; unknown keys are skipped. */
  private summariesByRid(rids: number[]): RunSummary[] {
    if (rids.length === 0) return [];
    const rows = new Map<number, RunRow>();
    for (const row of this.stmt(`SELECT ${RUN_COLUMNS} FROM runs r JOIN experiments e ON e.id = r.experiment_id
        WHERE r.rid IN (SELECT value FROM json_each(?))`).all(JSON.stringify(rids)) as unknown as RunRow[]) rows.set(row.rid, row);
    return this.withPrimaryMetrics(rids.flatMap((rid) => rows.get(rid) ?? []));
  }

  /** Summaries plus each run's primary metric, fetched for all rows in two queries. */
  private withPrimaryMetrics(rows: RunRow[], configured = ''): RunSummary[] {
    if (rows.length === 0) return [];
    const rids = JSON.stringify(rows.map((row) => row.rid));
    const metrics = new Map<number, Map<string, number | null>>();
    for (const m of this.stmt(`SELECT l.rid, k.key, l.value FROM metric_latest l JOIN metric_keys k ON k.kid = l.kid
        WHERE l.rid IN (SELECT value FROM json_each(?))`).iterate(rids) as IterableIterator<{ rid: number; key: string; value: number | null }>) {
      let map = metrics.get(m.rid);
      if (!map) metrics.set(m.rid, map = new Map());
      map.set(m.key, m.value);
    }
    const chosen = new Map<number, string>();
    for (const t of this.stmt(`SELECT rid, value FROM tags WHERE key = ? AND rid IN (SELECT value FROM json_each(?))`)
      .all(PRIMARY_METRIC_TAG, rids) as Array<{ rid: number; value: string }>) chosen.set(t.rid, t.value);
    return rows.map((row) => {
      const summary = this.summaryOf(row);
      const map = metrics.get(row.rid);
      if (map) {
        const keys = [...map.keys()];
        // The user's setting, then the run's own tag, then the preference list.
        const key = choosePrimaryMetric(keys, keys.includes(configured.trim()) ? configured : chosen.get(row.rid));
        if (key !== undefined) summary.primaryMetric = { key, value: map.get(key) ?? null };
      }
      return summary;
    });
  }

  private details(rows: RunRow[]): RunDetail[] {
    const summaries = this.withPrimaryMetrics(rows);
    const byRid = new Map<number, RunDetail>();
    const result = summaries.map((summary, i) => {
      const detail: RunDetail = { ...summary, params: {}, metrics: {}, tags: {}, artifacts: [] };
      byRid.set(rows[i].rid, detail);
      return detail;
    });
    if (rows.length === 0) return result;
    const rids = JSON.stringify(rows.map((row) => row.rid));
    const inRids = 'rid IN (SELECT value FROM json_each(?))';
    for (const p of this.stmt(`SELECT rid, key, value FROM params WHERE ${inRids} ORDER BY rid, key`).iterate(rids) as IterableIterator<{ rid: number; key: string; value: string }>) {
      byRid.get(p.rid)!.params[p.key] = p.value;
    }
    for (const t of this.stmt(`SELECT rid, key, value FROM tags WHERE ${inRids} ORDER BY rid, key`).iterate(rids) as IterableIterator<{ rid: number; key: string; value: string }>) {
      byRid.get(t.rid)!.tags[t.key] = t.value;
    }
    for (const m of this.stmt(`SELECT l.rid, k.key, l.value, l.step, l.ts FROM metric_latest l JOIN metric_keys k ON k.kid = l.kid
        WHERE l.${inRids} ORDER BY l.rid, k.key`).iterate(rids) as IterableIterator<{ rid: number; key: string } & MetricValue>) {
      byRid.get(m.rid)!.metrics[m.key] = { value: m.value, step: m.step, ts: m.ts };
    }
    for (const a of this.stmt(`SELECT rid, path, size, sha256 FROM artifacts WHERE ${inRids} ORDER BY rid, path`).iterate(rids) as IterableIterator<{ rid: number } & ArtifactRecord>) {
      byRid.get(a.rid)!.artifacts.push({ path: a.path, size: a.size, sha256: a.sha256 });
    }
    return result;
  }
}

