// The model registry in the tracking database (tables of migrations 2 and 6): registered models,
// auto-numbered versions with their file manifests, stages with a transition history, aliases.
// Opened on its own connection (like RevisionStore) so the CLI and commands need nothing else of
// the tracking store; run-log ingest reaches the same SQL through applyModelRegistrations().
import type { SqlDatabase, SqliteDriverName } from '../store/sqliteDriver';
import { openStoreDatabase } from '../store/openStoreDatabase';
import { parseModelUri, formatModelUri, isValidModelName, type ModelRef } from '../../core/registry/uri';
import { planTransition, isStage, type Stage, type StageChange } from '../../core/registry/stages';

export interface ModelFile { path: string; sha256: string; size: number }
export type ModelFlavor = 'pickle' | 'joblib' | 'file';

/** The version file manifest shared by the store, the CLI and remotes (issue #5 contract). */
export interface VersionManifest {
  name: string;
  version: number;
  files: ModelFile[];
  runId: string | null;
  stage: Stage;
  aliases: string[];
  signature: unknown | null;
  flavor: ModelFlavor;
  createdMs: number;
}

export interface ModelVersionDetail extends VersionManifest {
  description: string | null;
  /** Where the files came from, e.g. runs:/<run>/model (MLflow versions: their source URI). */
  source: string | null;
  origin: 'mlflow' | 'modelcloud';
}

export interface RegisteredModel {
  name: string;
  description: string | null;
  tags: Record<string, string>;
  createdMs: number | null;
  versions: ModelVersionDetail[];
}

export interface NewVersion {
  runId: string | null;
  files: ModelFile[];
  signature?: unknown | null;
  flavor?: ModelFlavor;
  description?: string | null;
  source?: string | null;
}

export interface StageTransition {
  version: number; from: Stage; to: Stage; user: string | null; ms: number; reason: string | null;
}

/** A model registration from the run log's `t:'model'` event, applied inside an ingest batch. */
export interface ModelRegistration {
  runId: string;
  name: string;
  /** The artifact folder of the model inside the run (e.g. "model"). */
  path: string;
  files: ModelFile[];
  flavor: ModelFlavor;
  signature: unknown | null;
  alias: string | null;
  ms: number;
}

interface VersionRow {
  version: number; stage: string; run_id: string | null; source: string | null; created_ms: number | null;
  description: string | null; signature_json: string | null; files_json: string | null; flavor: string | null; origin: string;
}

const VERSION_COLUMNS = 'version, stage, run_id, source, created_ms, description, signature_json, files_json, flavor, origin';

export class RegistryError extends Error {
  constructor(message: string) { super(message); this.name = 'RegistryError'; }
}

export class RegistryStore {
  private readonly db: SqlDatabase;

  constructor(readonly path: string, options: { driver?: SqliteDriverName } = {}) {
    this.db = openStoreDatabase(path, { driver: options.driver });
  }

  close(): void { this.db.close(); }

  listModels(): RegisteredModel[] {
    const rows = this.db.prepare('SELECT name FROM registered_models WHERE deleted_ms IS NULL ORDER BY name').all() as Array<{ name: string }>;
    return rows.map((r) => this.getModel(r.name)!);
  }

  getModel(name: string): RegisteredModel | undefined {
    const model = this.db.prepare('SELECT id, name, description, created_ms FROM registered_models WHERE name = ? AND deleted_ms IS NULL')
      .get(name) as { id: number; name: string; description: string | null; created_ms: number | null } | undefined;
    if (!model) return undefined;
    const tags: Record<string, string> = {};
    for (const t of this.db.prepare('SELECT key, value FROM model_tags WHERE model_id = ? ORDER BY key').all(model.id) as Array<{ key: string; value: string }>) {
      tags[t.key] = t.value;
    }
    const aliases = this.db.prepare('SELECT alias, version FROM model_aliases WHERE model_id = ? ORDER BY alias')
      .all(model.id) as Array<{ alias: string; version: number }>;
    const versions = (this.db.prepare(`SELECT ${VERSION_COLUMNS} FROM model_versions WHERE model_id = ? ORDER BY version`)
      .all(model.id) as unknown as VersionRow[]).map((row) => versionDetail(model.name, row, aliases));
    return { name: model.name, description: model.description, tags, createdMs: model.created_ms, versions };
  }

  createModel(name: string, options: { description?: string | null; tags?: Record<string, string> } = {}, nowMs = Date.now()): RegisteredModel {
    this.db.transaction(() => {
      if (this.modelId(name) !== undefined) throw new RegistryError(`model '${name}' already exists; register a new version of it instead`);
      createModelRow(this.db, name, options.description ?? null, nowMs);
      const id = this.requireModelId(name);
      for (const [key, value] of Object.entries(options.tags ?? {})) {
        this.db.prepare('INSERT OR REPLACE INTO model_tags (model_id, key, value) VALUES (?, ?, ?)').run(id, key, value);
      }
    });
    return this.getModel(name)!;
  }

  /** A new version numbered after the model's last one; the model is created when absent. */
  createVersion(name: string, version: NewVersion, nowMs = Date.now()): ModelVersionDetail {
    const number = this.db.transaction(() => insertVersion(this.db, name, version, 'modelcloud', nowMs));
    return this.getModel(name)!.versions.find((v) => v.version === number)!;
  }

  transitionStage(
    name: string, version: number, stage: Stage,
    options: { archiveExisting?: boolean; user?: string | null; reason?: string | null } = {}, nowMs = Date.now(),
  ): StageChange[] {
    return this.db.transaction(() => {
      const id = this.requireModelId(name);
      const versions = this.db.prepare('SELECT version, stage FROM model_versions WHERE model_id = ?').all(id) as Array<{ version: number; stage: string }>;
      let changes: StageChange[];
      try {
        changes = planTransition(versions.map((v) => ({ version: Number(v.version), stage: v.stage })), version, stage, options.archiveExisting);
      } catch (error) {
        throw new RegistryError(`cannot move ${name} version ${version} to ${stage}: ${(error as Error).message}`);
      }
      for (const c of changes) {
        this.db.prepare('UPDATE model_versions SET stage = ? WHERE model_id = ? AND version = ?').run(c.to, id, c.version);
        const reason = c.version === version ? options.reason ?? null : `archived: version ${version} moved to ${stage}`;
        this.db.prepare('INSERT INTO stage_transitions (model_id, version, from_stage, to_stage, user, ms, reason) VALUES (?, ?, ?, ?, ?, ?, ?)')
          .run(id, c.version, c.from, c.to, options.user ?? null, nowMs, reason);
      }
      return changes;
    });
  }

  /** Oldest first. */
  transitions(name: string, version?: number): StageTransition[] {
    const id = this.requireModelId(name);
    const rows = this.db.prepare(`SELECT version, from_stage, to_stage, user, ms, reason FROM stage_transitions
      WHERE model_id = ? AND (? IS NULL OR version = ?) ORDER BY ms, id`).all(id, version ?? null, version ?? null) as Array<{
        version: number; from_stage: string; to_stage: string; user: string | null; ms: number; reason: string | null }>;
    return rows.map((r) => ({ version: Number(r.version), from: r.from_stage as Stage, to: r.to_stage as Stage, user: r.user, ms: Number(r.ms), reason: r.reason }));
  }

  setModelTag(name: string, key: string, value: string): void {
    this.db.prepare('INSERT OR REPLACE INTO model_tags (model_id, key, value) VALUES (?, ?, ?)').run(this.requireModelId(name), key, value);
  }

  deleteModelTag(name: string, key: string): void {
    this.db.prepare('DELETE FROM model_tags WHERE model_id = ? AND key = ?').run(this.requireModelId(name), key);
  }

  /** Points the alias at the version, moving it from any other version of the model. */
  setAlias(name: string, version: number, alias: string): void {
    this.db.transaction(() => setAliasRow(this.db, this.requireVersion(name, version), version, alias, name));
  }

  deleteAlias(name: string, alias: string): void {
    const id = this.requireModelId(name);
    const result = this.db.prepare('DELETE FROM model_aliases WHERE model_id = ? AND alias = ?').run(id, alias);
    if (result.changes === 0) throw new RegistryError(`model '${name}' has no alias '${alias}'`);
  }

  setModelDescription(name: string, description: string | null): void {
    this.db.prepare('UPDATE registered_models SET description = ? WHERE id = ?').run(description, this.requireModelId(name));
  }

  /** Team sync: a teammate's version at the number it claimed on the remote (the model is created when absent). */
  insertVersionAt(name: string, version: number, v: NewVersion, createdMs: number): void {
    this.db.transaction(() => {
      const id = modelIdOf(this.db, name);
      if (id !== undefined && this.db.prepare('SELECT 1 FROM model_versions WHERE model_id = ? AND version = ?').get(id, version)) {
        throw new RegistryError(`cannot add ${name} version ${version} from sync: this store already has a version ${version}`);
      }
      insertVersion(this.db, name, v, 'modelcloud', createdMs, version);
    });
  }

  /** Team sync: gives a version another number (the remote gave its number to a teammate's version). */
  renumberVersion(name: string, from: number, to: number): void {
    this.db.transaction(() => {
      const id = this.requireVersion(name, from);
      if (this.db.prepare('SELECT 1 FROM model_versions WHERE model_id = ? AND version = ?').get(id, to)) {
        throw new RegistryError(`cannot renumber ${name} version ${from} to ${to}: version ${to} exists`);
      }
      for (const table of ['model_versions', 'model_aliases', 'stage_transitions']) {
        this.db.prepare(`UPDATE ${table} SET version = ? WHERE model_id = ? AND version = ?`).run(to, id, from);
      }
      this.db.prepare('UPDATE registered_models SET last_version = max(last_version, ?) WHERE id = ?').run(to, id);
    });
  }

  /** Deletes the version and its aliases; its number is never reused. Blobs stay (other versions may share them). */
  deleteVersion(name: string, version: number): void {
    this.db.transaction(() => {
      const id = this.requireVersion(name, version);
      this.db.prepare('DELETE FROM model_aliases WHERE model_id = ? AND version = ?').run(id, version);
      this.db.prepare('DELETE FROM model_versions WHERE model_id = ? AND version = ?').run(id, version);
    });
  }

  /** The manifest a URI names; throws a RegistryError saying what is missing and what exists. */
  resolve(uri: string | ModelRef): VersionManifest {
    const ref = typeof uri === 'string' ? parseModelUri(uri) : uri;
    const model = this.getModel(ref.name);
    const text = formatModelUri(ref);
    if (!model) {
      const known = this.listModels().map((m) => m.name);
      throw new RegistryError(`cannot resolve ${text}: no model '${ref.name}' (registered: ${known.join(', ') || 'none'})`);
    }
    let found: ModelVersionDetail | undefined;
    switch (ref.kind) {
      case 'version': found = model.versions.find((v) => v.version === ref.version); break;
      case 'alias': found = model.versions.find((v) => v.aliases.includes(ref.alias)); break;
      case 'stage': found = model.versions.filter((v) => v.stage === ref.stage).pop(); break;
      case 'latest': found = model.versions[model.versions.length - 1]; break;
    }
    if (!found) {
      const have = model.versions.map((v) => `${v.version} (${v.stage}${v.aliases.length ? `, @${v.aliases.join(' @')}` : ''})`);
      throw new RegistryError(`cannot resolve ${text}: ${describeMissing(ref)}; versions of ${ref.name}: ${have.join(', ') || 'none'}`);
    }
    return manifestOf(found);
  }

  /**
   * SQLite's PRAGMA data_version on this connection: it moves when another connection (the CLI,
   * another window, ingest) commits to the database, never for this connection's own writes.
   */
  dataVersion(): number {
    return Number((this.db.prepare('PRAGMA data_version').get() as { data_version: number }).data_version);
  }

  /** A cheap summary of everything the Models view shows of the registry: when it is unchanged, nothing needs redrawing. */
  changeFingerprint(): string {
    return JSON.stringify(this.db.prepare(`SELECT
      (SELECT group_concat(id || ':' || name || ':' || coalesce(deleted_ms, '') || ':' || coalesce(description, ''), '|') FROM registered_models) AS models,
      (SELECT group_concat(model_id || '/' || version || '/' || stage || '/' || coalesce(run_id, '') || '/' || coalesce(files_json, ''), '|') FROM model_versions) AS versions,
      (SELECT group_concat(model_id || '@' || alias || '=' || version, '|') FROM model_aliases) AS aliases,
      (SELECT group_concat(model_id || ':' || key || '=' || value, '|') FROM model_tags) AS tags,
      (SELECT count(*) || ':' || coalesce(max(id), 0) FROM stage_transitions) AS transitions`).get());
  }

  /** Every version with its source run's latest value of `metricKey` (null: NaN; undefined: not logged). */
  versionsWithMetric(name: string, metricKey: string): Array<{ version: number; stage: Stage; runId: string | null; metric: number | null | undefined }> {
    const id = this.requireModelId(name);
    const rows = this.db.prepare(`SELECT v.version, v.stage, v.run_id, l.rid AS has, l.value FROM model_versions v
      LEFT JOIN runs r ON r.id = v.run_id
      LEFT JOIN metric_keys k ON k.key = ?
      LEFT JOIN metric_latest l ON l.rid = r.rid AND l.kid = k.kid
      WHERE v.model_id = ? ORDER BY v.version`).all(metricKey, id) as Array<{ version: number; stage: string; run_id: string | null; has: number | null; value: number | null }>;
    return rows.map((r) => ({
      version: Number(r.version), stage: (isStage(r.stage) ? r.stage : 'None'), runId: r.run_id,
      metric: r.has === null ? undefined : r.value,
    }));
  }

  private modelId(name: string): number | undefined {
    return modelIdOf(this.db, name);
  }

  private requireModelId(name: string): number {
    const id = this.modelId(name);
    if (id === undefined) {
      const known = (this.db.prepare('SELECT name FROM registered_models WHERE deleted_ms IS NULL ORDER BY name').all() as Array<{ name: string }>).map((r) => r.name);
      throw new RegistryError(`no registered model '${name}' (registered: ${known.join(', ') || 'none'}); register one first`);
    }
    return id;
  }

  private requireVersion(name: string, version: number): number {
    const id = this.requireModelId(name);
    if (!this.db.prepare('SELECT 1 FROM model_versions WHERE model_id = ? AND version = ?').get(id, version)) {
      const have = (this.db.prepare('SELECT version FROM model_versions WHERE model_id = ? ORDER BY version').all(id) as Array<{ version: number }>).map((r) => r.version);
      throw new RegistryError(`model '${name}' has no version ${version} (versions: ${have.join(', ') || 'none'})`);
    }
    return id;
  }
}

/**
 * Applies run-log registrations inside the caller's transaction (SqliteTrackingStore.apply).
 * A registration already applied (same model, run and artifact folder: a run log read again from
 * its start) only re-points its alias, so re-ingest never duplicates versions.
 */
export function applyModelRegistrations(db: SqlDatabase, registrations: readonly ModelRegistration[]): void {
  for (const r of registrations) {
    const source = `runs:/${r.runId}/${r.path}`;
    const id = modelIdOf(db, r.name);
    const existing = id === undefined ? undefined : db.prepare(
      "SELECT version FROM model_versions WHERE model_id = ? AND run_id = ? AND source = ? AND origin = 'modelcloud'",
    ).get(id, r.runId, source) as { version: number } | undefined;
    const version = existing ? Number(existing.version) : insertVersion(db, r.name, {
      runId: r.runId, files: r.files, flavor: r.flavor, signature: r.signature, source,
    }, 'modelcloud', r.ms);
    if (r.alias) setAliasRow(db, modelIdOf(db, r.name)!, version, r.alias, r.name);
  }
}

function modelIdOf(db: SqlDatabase, name: string): number | undefined {
  const row = db.prepare('SELECT id FROM registered_models WHERE name = ? AND deleted_ms IS NULL').get(name) as { id: number } | undefined;
  return row ? Number(row.id) : undefined;
}

function createModelRow(db: SqlDatabase, name: string, description: string | null, nowMs: number): void {
  if (!isValidModelName(name)) throw new RegistryError(`invalid model name '${name}': use a name without '/', '@' or whitespace`);
  // A soft-deleted model of that name comes back to life rather than clashing on the UNIQUE name.
  db.prepare(`INSERT INTO registered_models (name, description, created_ms) VALUES (?, ?, ?)
    ON CONFLICT (name) DO UPDATE SET deleted_ms = NULL`).run(name, description, nowMs);
}

function insertVersion(db: SqlDatabase, name: string, v: NewVersion, origin: 'modelcloud', nowMs: number, at?: number): number {
  if (modelIdOf(db, name) === undefined) createModelRow(db, name, null, nowMs);
  const id = modelIdOf(db, name)!;
  for (const f of v.files) {
    if (typeof f.path !== 'string' || f.path === '' || !/^[0-9a-f]{64}$/.test(f.sha256) || !Number.isInteger(f.size) || f.size < 0) {
      throw new RegistryError(`cannot register ${name}: file ${JSON.stringify(f).slice(0, 120)} needs a path, a 64-hex sha256 and a size`);
    }
  }
  if (v.files.length === 0) throw new RegistryError(`cannot register ${name}: a version needs at least one file`);
  const next = db.prepare(`SELECT max(m.last_version, coalesce((SELECT max(version) FROM model_versions WHERE model_id = m.id), 0)) + 1 AS next
    FROM registered_models m WHERE m.id = ?`).get(id) as { next: number };
  const version = at ?? Number(next.next);
  db.prepare(`INSERT INTO model_versions (model_id, version, stage, run_id, source, created_ms, description, signature_json, files_json, flavor, origin)
    VALUES (?, ?, 'None', ?, ?, ?, ?, ?, ?, ?, ?)`).run(
    id, version, v.runId, v.source ?? (v.runId ? `runs:/${v.runId}` : null), nowMs, v.description ?? null,
    v.signature === undefined || v.signature === null ? null : JSON.stringify(v.signature),
    JSON.stringify(v.files.map((f) => ({ path: f.path, sha256: f.sha256, size: f.size }))), v.flavor ?? 'file', origin,
  );
  db.prepare('UPDATE registered_models SET last_version = max(last_version, ?) WHERE id = ?').run(version, id);
  return version;
}

function setAliasRow(db: SqlDatabase, modelId: number, version: number, alias: string, name: string): void {
  if (!isValidModelName(alias) || /^\d+$/.test(alias)) {
    throw new RegistryError(`invalid alias '${alias}' for ${name}: use a name without '/', '@' or whitespace that is not a number`);
  }
  db.prepare('INSERT OR REPLACE INTO model_aliases (model_id, alias, version) VALUES (?, ?, ?)').run(modelId, alias, version);
}

function versionDetail(name: string, row: VersionRow, aliases: Array<{ alias: string; version: number }>): ModelVersionDetail {
  const version = Number(row.version);
  return {
    name,
    version,
    files: row.files_json ? JSON.parse(row.files_json) as ModelFile[] : [],
    runId: row.run_id,
    stage: isStage(row.stage) ? row.stage : 'None',
    aliases: aliases.filter((a) => Number(a.version) === version).map((a) => a.alias),
    signature: row.signature_json ? JSON.parse(row.signature_json) as unknown : null,
    flavor: (row.flavor ?? 'file') as ModelFlavor,
    createdMs: Number(row.created_ms ?? 0),
    description: row.description,
    source: row.source,
    origin: row.origin === 'modelcloud' ? 'modelcloud' : 'mlflow',
  };
}

export function manifestOf(v: ModelVersionDetail): VersionManifest {
  return {
    name: v.name, version: v.version, files: v.files, runId: v.runId, stage: v.stage, aliases: v.aliases,
    signature: v.signature, flavor: v.flavor, createdMs: v.createdMs,
  };
}

function describeMissing(ref: ModelRef): string {
  switch (ref.kind) {
    case 'version': return `no version ${ref.version}`;
    case 'alias': return `no alias '${ref.alias}' (set one with 'modelcloud alias ${ref.name} VERSION ${ref.alias}')`;
    case 'stage': return `no version in stage ${ref.stage} (move one with 'modelcloud stage ${ref.name} VERSION ${ref.stage}')`;
    case 'latest': return 'no versions';
  }
}
