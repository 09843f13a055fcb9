// Service revisions in the tracking database (table service_revisions, migration 5). Opened on
// its own connection so the deploy code needs nothing else of the tracking store.
import type { SqlDatabase, SqliteDriverName } from './sqliteDriver';
import { openStoreDatabase } from './openStoreDatabase';
import type { DeployTarget, Revision } from '../deploy/serviceManager.api';
import { statusesAfterActivation } from '../../core/deploy/revisions';

interface RevisionRow {
  service: string; revision: number; target: string; digest: string; model_version: string | null;
  config: string; created_ms: number; status: string; reason: string | null;
}

export interface NewRevision {
  service: string;
  target: DeployTarget;
  digest: string;
  modelVersion?: string;
  config: Record<string, unknown>;
}

export class RevisionStore {
  private readonly db: SqlDatabase;

  constructor(readonly path: string, options: { driver?: SqliteDriverName } = {}) {
    this.db = openStoreDatabase(path, { driver: options.driver });
  }

  /**
   * Records a new revision numbered after the service's last one. It starts as 'retired' with
   * reason 'deploying' (not a rollback target, not active) until markActive/markFailed.
   */
  create(rev: NewRevision, nowMs = Date.now()): Revision {
    return this.db.transaction(() => {
      const row = this.db.prepare('SELECT COALESCE(MAX(revision), 0) + 1 AS next FROM service_revisions WHERE service = ?')
        .get(rev.service) as { next: number };
      const revision = Number(row.next);
      this.db.prepare(`INSERT INTO service_revisions (service, revision, target, digest, model_version, config, created_ms, status, reason)
        VALUES (?, ?, ?, ?, ?, ?, ?, 'retired', 'deploying')`)
        .run(rev.service, revision, rev.target, rev.digest, rev.modelVersion ?? null, JSON.stringify(rev.config), nowMs);
      return this.get(rev.service, revision)!;
    });
  }

  get(service: string, revision: number): Revision | undefined {
    const row = this.db.prepare('SELECT * FROM service_revisions WHERE service = ? AND revision = ?').get(service, revision) as RevisionRow | undefined;
    return row && toRevision(row);
  }

  /** Newest first. */
  list(service: string): Revision[] {
    return (this.db.prepare('SELECT * FROM service_revisions WHERE service = ? ORDER BY revision DESC').all(service) as unknown as RevisionRow[]).map(toRevision);
  }

  services(): string[] {
    return (this.db.prepare('SELECT DISTINCT service FROM service_revisions ORDER BY service').all() as Array<{ service: string }>).map((r) => r.service);
  }

  active(service: string): Revision | undefined {
    const row = this.db.prepare("SELECT * FROM service_revisions WHERE service = ? AND status = 'active'").get(service) as RevisionRow | undefined;
    return row && toRevision(row);
  }

  /** `revision` now serves; the others' statuses follow (see statusesAfterActivation). `demoted` is marked failed with `reason`. */
  markActive(service: string, revision: number, demoted?: { revision: number; reason: string }): void {
    this.db.transaction(() => {
      const changes = statusesAfterActivation(this.list(service), revision, demoted?.revision);
      const update = this.db.prepare('UPDATE service_revisions SET status = ?, reason = ? WHERE service = ? AND revision = ?');
      for (const [n, status] of changes) {
        const reason = n === demoted?.revision ? demoted.reason : status === 'active' ? null : this.get(service, n)?.reason ?? null;
        update.run(status, reason === 'deploying' ? null : reason, service, n);
      }
      // An activation with no status change (re-activating the active one) still clears 'deploying'.
      this.db.prepare("UPDATE service_revisions SET reason = NULL WHERE service = ? AND revision = ? AND reason = 'deploying'").run(service, revision);
    });
  }

  setConfig(service: string, revision: number, config: Record<string, unknown>): void {
    this.db.prepare('UPDATE service_revisions SET config = ? WHERE service = ? AND revision = ?').run(JSON.stringify(config), service, revision);
  }

  markFailed(service: string, revision: number, reason: string): void {
    this.db.prepare("UPDATE service_revisions SET status = 'failed', reason = ? WHERE service = ? AND revision = ?").run(reason, service, revision);
  }

  close(): void {
    this.db.close();
  }
}

function toRevision(row: RevisionRow): Revision {
  let config: Record<string, unknown>;
  try { config = JSON.parse(row.config) as Record<string, unknown>; } catch { config = {}; }
  return {
    service: row.service,
    revision: Number(row.revision),
    target: row.target as DeployTarget,
    digest: row.digest,
    modelVersion: row.model_version ?? undefined,
    config,
    createdAt: Number(row.created_ms),
    status: row.status as Revision['status'],
    reason: row.reason ?? undefined,
  };
}
