// Versioned schema of .modelcloud/tracking.db. PRAGMA user_version holds the number of steps
// applied; each step runs once, in its own transaction, in order. Never edit a released step:
// append a new one.
import type { SqlDatabase } from './sqliteDriver';

export interface MigrationStep {
  version: number;
  description: string;
  sql: string;
}

export const MIGRATIONS: MigrationStep[] = [
  {
    version: 1,
    description: 'experiments, runs, params, metrics (history + latest), tags, artifacts, ingest state',
    sql: `
      CREATE TABLE experiments (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        created_ms INTEGER NOT NULL,
        deleted_ms INTEGER,
        -- maintained by triggers so listing experiments never scans runs
        run_count INTEGER NOT NULL DEFAULT 0,
        running_count INTEGER NOT NULL DEFAULT 0,
        last_start_ms INTEGER
      );
      CREATE TABLE runs (
        rid INTEGER PRIMARY KEY,               -- compact surrogate key for the big tables
        id TEXT NOT NULL UNIQUE,               -- 32 hex digits
        experiment_id INTEGER NOT NULL REFERENCES experiments(id),
        name TEXT NOT NULL,
        status TEXT NOT NULL,
        start_ms INTEGER,
        end_ms INTEGER,
        user TEXT,
        source_kind TEXT NOT NULL DEFAULT 'unknown',
        source_path TEXT,
        source_cell INTEGER,
        git_commit TEXT,
        git_branch TEXT,
        git_dirty INTEGER,
        python_version TEXT,
        host TEXT,
        pid INTEGER,
        pip_hash TEXT,
        origin TEXT NOT NULL,
        deleted_ms INTEGER
      );
      -- listRuns: newest first within one experiment, skipping deleted runs, straight off the index
      CREATE INDEX runs_by_experiment ON runs (experiment_id, deleted_ms, start_ms DESC, id);
      CREATE INDEX runs_deleted ON runs (deleted_ms) WHERE deleted_ms IS NOT NULL;

      CREATE TABLE metric_keys (kid INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE);
      -- Metric history in packed chunks: each row holds n points of one run and key as little-endian
      -- float64 triples (step, ts, value), NaN kept as NaN. One row per few thousand points instead of
      -- one per point is what makes ingest reach millions of points per second; re-ingest never
      -- duplicates because every reader saves its cursor in the same transaction (compare-and-set).
      CREATE TABLE metric_chunks (
        rid INTEGER NOT NULL, kid INTEGER NOT NULL, seq INTEGER NOT NULL, n INTEGER NOT NULL, data BLOB NOT NULL,
        PRIMARY KEY (rid, kid, seq)
      ) WITHOUT ROWID;
      -- the point with the largest (step, ts) per run and key
      CREATE TABLE metric_latest (
        rid INTEGER NOT NULL, kid INTEGER NOT NULL, step INTEGER NOT NULL, ts INTEGER NOT NULL, value REAL,
        PRIMARY KEY (rid, kid)
      ) WITHOUT ROWID;
      CREATE TABLE params (rid INTEGER NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (rid, key)) WITHOUT ROWID;
      CREATE TABLE tags (rid INTEGER NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (rid, key)) WITHOUT ROWID;
      CREATE TABLE artifacts (
        rid INTEGER NOT NULL, path TEXT NOT NULL, size INTEGER NOT NULL, sha256 TEXT NOT NULL,
        PRIMARY KEY (rid, path)
      ) WITHOUT ROWID;

      CREATE TABLE ingest_cursors (source TEXT PRIMARY KEY, cursor TEXT NOT NULL);
      CREATE TABLE ingest_problems (
        id INTEGER PRIMARY KEY, ts INTEGER NOT NULL, source TEXT NOT NULL, line INTEGER, message TEXT NOT NULL
      );
      CREATE TABLE store_meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
      INSERT INTO store_meta (key, value) VALUES ('change_counter', 0);

      CREATE TRIGGER runs_count_insert AFTER INSERT ON runs WHEN NEW.deleted_ms IS NULL BEGIN
        UPDATE experiments SET
          run_count = run_count + 1,
          running_count = running_count + (NEW.status = 'RUNNING'),
          last_start_ms = CASE WHEN last_start_ms IS NULL OR NEW.start_ms > last_start_ms THEN NEW.start_ms ELSE last_start_ms END
        WHERE id = NEW.experiment_id;
      END;
      CREATE TRIGGER runs_count_delete AFTER DELETE ON runs WHEN OLD.deleted_ms IS NULL BEGIN
        UPDATE experiments SET
          run_count = run_count - 1,
          running_count = running_count - (OLD.status = 'RUNNING'),
          last_start_ms = (SELECT max(start_ms) FROM runs WHERE experiment_id = OLD.experiment_id AND deleted_ms IS NULL)
        WHERE id = OLD.experiment_id;
      END;
      CREATE TRIGGER runs_count_update AFTER UPDATE OF experiment_id, status, start_ms, deleted_ms ON runs BEGIN
        UPDATE experiments SET
          run_count = run_count - (OLD.deleted_ms IS NULL),
          running_count = running_count - (OLD.deleted_ms IS NULL AND OLD.status = 'RUNNING')
        WHERE id = OLD.experiment_id;
        UPDATE experiments SET
          run_count = run_count + (NEW.deleted_ms IS NULL),
          running_count = running_count + (NEW.deleted_ms IS NULL AND NEW.status = 'RUNNING')
        WHERE id = NEW.experiment_id;
        UPDATE experiments SET
          last_start_ms = (SELECT max(start_ms) FROM runs WHERE experiment_id = experiments.id AND deleted_ms IS NULL)
        WHERE id IN (OLD.experiment_id, NEW.experiment_id);
      END;
    `,
  },
  {
    version: 2,
    description: 'registered models, versions and aliases read from MLflow registries',
    sql: `
      CREATE TABLE registered_models (
        id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, description TEXT, deleted_ms INTEGER
      );
      CREATE TABLE model_versions (
        model_id INTEGER NOT NULL REFERENCES registered_models(id), version INTEGER NOT NULL,
        stage TEXT NOT NULL, run_id TEXT, source TEXT,
        PRIMARY KEY (model_id, version)
      ) WITHOUT ROWID;
      CREATE TABLE model_aliases (
        model_id INTEGER NOT NULL REFERENCES registered_models(id), alias TEXT NOT NULL, version INTEGER NOT NULL,
        PRIMARY KEY (model_id, alias)
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 3,
    description: 'indexes for run search: params, tags and latest metrics by key and value; runs by start time',
    // Run search (src/core/query) starts from the runs matching its most selective condition:
    // "params.p = 'v'" and "metrics.m > 0.5" become range scans of these instead of a check of every run.
    // The (key, value) indexes also list the distinct keys for the column picker in a few lookups.
    sql: `
      CREATE INDEX params_by_key_value ON params (key, value);
      CREATE INDEX tags_by_key_value ON tags (key, value);
      CREATE INDEX metric_latest_by_key_value ON metric_latest (kid, value);
      -- the default order (newest first) across experiments, read a page at a time without sorting
      CREATE INDEX runs_by_start ON runs (start_ms DESC, id);
    `,
  },
  {
    version: 4,
    description: 'level of detail of sealed metric chunks, so charts of long histories read ~16x less',
    // One row per sealed metric_chunks row (n >= 1024: never topped up again), holding its M4
    // reduction (src/core/charts/m4.ts) in the chunk format. A table of its own, not a column:
    // SQLite reaches a column stored after a big blob only by walking the blob's overflow pages.
    // n repeats the chunk's point count: a chart then never touches metric_chunks for sealed chunks
    // (even reading n there costs a walk of the blob: rows of a WITHOUT ROWID table are compared whole).
    // Chunks written before this version get theirs the first time a chart reads them.
    sql: `
      CREATE TABLE metric_lod (
        rid INTEGER NOT NULL, kid INTEGER NOT NULL, seq INTEGER NOT NULL, n INTEGER NOT NULL, data BLOB NOT NULL,
        PRIMARY KEY (rid, kid, seq)
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 5,
    description: 'deployed service revisions (local, container, kubernetes) for status and rollback',
    // One row per deploy or rollback target; `revision` counts per service. The supervisor owns what
    // runs; this table is the history the Deployments view and `modelcloud rollback` read.
    sql: `
      CREATE TABLE service_revisions (
        service TEXT NOT NULL,
        revision INTEGER NOT NULL,
        target TEXT NOT NULL,
        digest TEXT NOT NULL,
        model_version TEXT,
        config TEXT NOT NULL,
        created_ms INTEGER NOT NULL,
        status TEXT NOT NULL,
        reason TEXT,
        PRIMARY KEY (service, revision)
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 6,
    description: 'model registry: version files, signature, origin; model tags; stage transition history',
    // Versions registered here (origin 'modelcloud') carry their file manifest (files_json: path,
    // sha256, size; blobs in the content-addressed artifact store) so resolve/pull need nothing else.
    // last_version keeps numbers from being reused after a version is deleted.
    sql: `
      ALTER TABLE registered_models ADD COLUMN created_ms INTEGER;
      ALTER TABLE registered_models ADD COLUMN last_version INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE model_versions ADD COLUMN created_ms INTEGER;
      ALTER TABLE model_versions ADD COLUMN description TEXT;
      ALTER TABLE model_versions ADD COLUMN signature_json TEXT;
      ALTER TABLE model_versions ADD COLUMN files_json TEXT;
      ALTER TABLE model_versions ADD COLUMN flavor TEXT;
      ALTER TABLE model_versions ADD COLUMN origin TEXT NOT NULL DEFAULT 'mlflow';
      CREATE INDEX model_versions_by_run ON model_versions (run_id);
      CREATE TABLE model_tags (
        model_id INTEGER NOT NULL REFERENCES registered_models(id), key TEXT NOT NULL, value TEXT NOT NULL,
        PRIMARY KEY (model_id, key)
      ) WITHOUT ROWID;
      CREATE TABLE stage_transitions (
        id INTEGER PRIMARY KEY, model_id INTEGER NOT NULL REFERENCES registered_models(id), version INTEGER NOT NULL,
        from_stage TEXT NOT NULL, to_stage TEXT NOT NULL, user TEXT, ms INTEGER NOT NULL, reason TEXT
      );
      CREATE INDEX stage_transitions_by_version ON stage_transitions (model_id, version, ms);
    `,
  },
  {
    version: 7,
    description: 'A/B router: experiments, sticky assignments, per-request log, KPI feedback',
    // Written in batches by the router process (src/router/storeWriter.ts). Users are stored as the
    // salted sha1 digest of their key, never the raw id. phase says whether a row counts in the
    // experiment: 'running' does; 'paused' / 'stopped' (served by the control variant) and
    // 'unassigned' (no user key, default variant) are kept for monitoring but left out of statistics.
    sql: `
      CREATE TABLE ab_experiments (
        id TEXT PRIMARY KEY, title TEXT, config TEXT NOT NULL, status TEXT NOT NULL,
        created_ms INTEGER NOT NULL, started_ms INTEGER, paused_ms INTEGER, stopped_ms INTEGER, updated_ms INTEGER NOT NULL
      ) WITHOUT ROWID;
      CREATE TABLE ab_assignments (
        experiment_id TEXT NOT NULL, user_hash TEXT NOT NULL, variant TEXT NOT NULL, first_ms INTEGER NOT NULL,
        PRIMARY KEY (experiment_id, user_hash)
      ) WITHOUT ROWID;
      CREATE INDEX ab_assignments_by_variant ON ab_assignments (experiment_id, variant);
      CREATE TABLE ab_requests (
        id INTEGER PRIMARY KEY, experiment_id TEXT NOT NULL, variant TEXT NOT NULL, phase TEXT NOT NULL,
        command TEXT NOT NULL, status INTEGER NOT NULL, latency_ms REAL NOT NULL, retries INTEGER NOT NULL,
        error TEXT, ms INTEGER NOT NULL
      );
      CREATE INDEX ab_requests_by_variant ON ab_requests (experiment_id, phase, variant, ms);
      CREATE TABLE ab_feedback (
        id INTEGER PRIMARY KEY, experiment_id TEXT NOT NULL, user_hash TEXT NOT NULL, variant TEXT NOT NULL,
        phase TEXT NOT NULL, metric TEXT NOT NULL, value REAL NOT NULL, ms INTEGER NOT NULL
      );
      CREATE INDEX ab_feedback_by_metric ON ab_feedback (experiment_id, metric, phase, variant);
    `,
  },
  {
    version: 8,
    description: 'monitoring: per-target samples scraped from /metrics (raw and downsampled)',
    // Written by the monitoring poller (src/platform/monitoring/metricsStore.ts). resolution_ms 0 is
    // a raw scrape interval; older rows are folded into 60 000 ms rows, then deleted (retention).
    // p50/p95/p99 in ms and error_rate are NULL without traffic; up = 0 marks a gap (no answer).
    sql: `
      CREATE TABLE monitoring_samples (
        service TEXT NOT NULL, resolution_ms INTEGER NOT NULL, ms INTEGER NOT NULL, interval_ms INTEGER NOT NULL,
        up INTEGER NOT NULL, requests REAL NOT NULL, errors REAL NOT NULL, rps REAL NOT NULL,
        p50 REAL, p95 REAL, p99 REAL, error_rate REAL, model_version TEXT, restarted INTEGER NOT NULL,
        PRIMARY KEY (service, resolution_ms, ms)
      ) WITHOUT ROWID;
    `,
  },
];

export const LATEST_SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1].version;

export function schemaVersion(db: SqlDatabase): number {
  return Number((db.prepare('PRAGMA user_version').get() as { user_version: number }).user_version);
}

/**
 * Brings the schema up to `target` (default: latest). Throws, touching nothing, when the file
 * was written by a newer Modelcloud: an old reader must not guess at a schema it does not know.
 */
export function migrate(db: SqlDatabase, path: string, target = LATEST_SCHEMA_VERSION): void {
  const current = schemaVersion(db);
  if (current > LATEST_SCHEMA_VERSION) {
    throw new Error(
      `Tracking database ${path} has schema version ${current}, but this Modelcloud knows versions up to ` +
      `${LATEST_SCHEMA_VERSION}. It was written by a newer Modelcloud: update the extension/CLI, ` +
      'or point --store at another folder.',
    );
  }
  for (const step of MIGRATIONS) {
    if (step.version <= current || step.version > target) continue;
    db.transaction(() => {
      db.exec(step.sql);
      // PRAGMA takes no bound parameters; the version is our own integer constant.
      db.exec(`PRAGMA user_version = ${Number(step.version)}`);
    });
  }
}
