// Reads of the A/B tables (migration 7) for the dashboard and the CLI. Every figure is a summary
// statistic per variant (n, sum, sum of squares), which is all a Welch t-test or a two-proportion
// z-test needs: nothing here loads raw rows into memory.
//
// Only rows with phase 'running' count in the experiment by default: traffic served while paused
// or stopped (by the control variant) and requests without a user key are kept for monitoring only.
import type { SqlDatabase, SqliteDriverName } from '../store/sqliteDriver';
import { openStoreDatabase } from '../store/openStoreDatabase';

export interface AbExperimentRecord {
  id: string;
  title: string | null;
  config: Record<string, unknown>;
  status: string;
  createdMs: number;
  startedMs: number | null;
  pausedMs: number | null;
  stoppedMs: number | null;
  updatedMs: number;
}

export interface VariantTraffic {
  variant: string;
  /** Distinct users first assigned to this variant. */
  users: number;
  requests: number;
  /** Answered >= 500 or not at all (502 from the router). */
  errors: number;
  /** The client went away before the answer (499). */
  abandoned: number;
  retries: number;
  latencyMeanMs: number | null;
  latencyMaxMs: number | null;
}

/** n, sum and sum of squares of a KPI's values: mean = sum/n, sample variance = (sumSquares - sum²/n)/(n-1). */
export interface KpiSummary {
  variant: string;
  n: number;
  sum: number;
  sumSquares: number;
  mean: number | null;
  variance: number | null;
}

export interface AbReadOptions {
  /** Default 'running'; 'all' includes paused, stopped and unassigned rows. */
  phase?: 'running' | 'paused' | 'stopped' | 'unassigned' | 'all';
  sinceMs?: number;
}

export class AbStore {
  private readonly db: SqlDatabase;
  private readonly owned: boolean;

  constructor(pathOrDb: string | SqlDatabase, options: { driver?: SqliteDriverName } = {}) {
    this.owned = typeof pathOrDb === 'string';
    this.db = typeof pathOrDb === 'string' ? openStoreDatabase(pathOrDb, { driver: options.driver }) : pathOrDb;
  }

  close(): void {
    if (this.owned) this.db.close();
  }

  experiments(): AbExperimentRecord[] {
    return (this.db.prepare('SELECT * FROM ab_experiments ORDER BY created_ms DESC, id').all() as unknown as ExperimentRow[]).map(toRecord);
  }

  experiment(id: string): AbExperimentRecord | undefined {
    const row = this.db.prepare('SELECT * FROM ab_experiments WHERE id = ?').get(id) as unknown as ExperimentRow | undefined;
    return row && toRecord(row);
  }

  /** Per variant traffic, in the order of the experiment's config (variants without traffic included). */
  traffic(id: string, options: AbReadOptions = {}): VariantTraffic[] {
    const { where, params } = filter(id, options);
    const rows = this.db.prepare(`SELECT variant, COUNT(*) AS requests,
        SUM(CASE WHEN status >= 500 THEN 1 ELSE 0 END) AS errors,
        SUM(CASE WHEN status = 499 THEN 1 ELSE 0 END) AS abandoned,
        SUM(retries) AS retries, AVG(latency_ms) AS mean_ms, MAX(latency_ms) AS max_ms
      FROM ab_requests WHERE ${where} GROUP BY variant`).all(...params) as Array<{
        variant: string; requests: number; errors: number; abandoned: number; retries: number; mean_ms: number | null; max_ms: number | null;
      }>;
    const users = this.db.prepare(`SELECT variant, COUNT(*) AS users FROM ab_assignments WHERE experiment_id = ?${options.sinceMs !== undefined ? ' AND first_ms >= ?' : ''} GROUP BY variant`)
      .all(...(options.sinceMs !== undefined ? [id, options.sinceMs] : [id])) as Array<{ variant: string; users: number }>;
    const byName = new Map<string, VariantTraffic>();
    for (const name of this.variantNames(id)) byName.set(name, emptyTraffic(name));
    for (const r of rows) {
      byName.set(r.variant, {
        ...(byName.get(r.variant) ?? emptyTraffic(r.variant)),
        requests: Number(r.requests), errors: Number(r.errors), abandoned: Number(r.abandoned), retries: Number(r.retries),
        latencyMeanMs: r.mean_ms === null ? null : Number(r.mean_ms), latencyMaxMs: r.max_ms === null ? null : Number(r.max_ms),
      });
    }
    for (const u of users) (byName.get(u.variant) ?? byName.set(u.variant, emptyTraffic(u.variant)).get(u.variant)!).users = Number(u.users);
    return [...byName.values()];
  }

  /** Latency percentiles (ms) of one variant, by rank: q in [0, 1]. */
  latencyPercentiles(id: string, variant: string, qs: number[], options: AbReadOptions = {}): Record<string, number | null> {
    const { where, params } = filter(id, options);
    const n = Number((this.db.prepare(`SELECT COUNT(*) AS n FROM ab_requests WHERE ${where} AND variant = ?`).get(...params, variant) as { n: number }).n);
    const at = this.db.prepare(`SELECT latency_ms FROM ab_requests WHERE ${where} AND variant = ? ORDER BY latency_ms LIMIT 1 OFFSET ?`);
    const out: Record<string, number | null> = {};
    for (const q of qs) {
      out[`p${Math.round(q * 1000) / 10}`] = n === 0 ? null : Number((at.get(...params, variant, Math.min(n - 1, Math.max(0, Math.ceil(q * n) - 1))) as { latency_ms: number }).latency_ms);
    }
    return out;
  }

  /** KPI names that received feedback in this experiment. */
  kpiNames(id: string): string[] {
    return (this.db.prepare('SELECT DISTINCT metric FROM ab_feedback WHERE experiment_id = ? ORDER BY metric').all(id) as Array<{ metric: string }>).map((r) => r.metric);
  }

  /** n, sum, sum of squares (and mean, sample variance) of a KPI per variant. */
  kpi(id: string, metric: string, options: AbReadOptions = {}): KpiSummary[] {
    const { where, params } = filter(id, options);
    const rows = this.db.prepare(`SELECT variant, COUNT(*) AS n, SUM(value) AS s, SUM(value * value) AS ss
      FROM ab_feedback WHERE ${where} AND metric = ? GROUP BY variant`).all(...params, metric) as Array<{ variant: string; n: number; s: number; ss: number }>;
    const byName = new Map<string, KpiSummary>();
    for (const name of this.variantNames(id)) byName.set(name, summary(name, 0, 0, 0));
    for (const r of rows) byName.set(r.variant, summary(r.variant, Number(r.n), Number(r.s), Number(r.ss)));
    return [...byName.values()];
  }

  private variantNames(id: string): string[] {
    const exp = this.experiment(id);
    const variants = (exp?.config as { variants?: Array<{ name?: unknown }> } | undefined)?.variants;
    return Array.isArray(variants) ? variants.map((v) => String(v.name)) : [];
  }
}

interface ExperimentRow {
  id: string; title: string | null; config: string; status: string; created_ms: number;
  started_ms: number | null; paused_ms: number | null; stopped_ms: number | null; updated_ms: number;
}

function toRecord(r: ExperimentRow): AbExperimentRecord {
  let config: Record<string, unknown> = {};
  try { config = JSON.parse(r.config) as Record<string, unknown>; } catch { /* keep empty */ }
  const n = (v: number | null): number | null => (v === null ? null : Number(v));
  return {
    id: r.id, title: r.title, config, status: r.status, createdMs: Number(r.created_ms),
    startedMs: n(r.started_ms), pausedMs: n(r.paused_ms), stoppedMs: n(r.stopped_ms), updatedMs: Number(r.updated_ms),
  };
}

function filter(id: string, options: AbReadOptions): { where: string; params: Array<string | number> } {
  const parts = ['experiment_id = ?'];
  const params: Array<string | number> = [id];
  const phase = options.phase ?? 'running';
  if (phase !== 'all') { parts.push('phase = ?'); params.push(phase); }
  if (options.sinceMs !== undefined) { parts.push('ms >= ?'); params.push(options.sinceMs); }
  return { where: parts.join(' AND '), params };
}

function emptyTraffic(variant: string): VariantTraffic {
  return { variant, users: 0, requests: 0, errors: 0, abandoned: 0, retries: 0, latencyMeanMs: null, latencyMaxMs: null };
}

function summary(variant: string, n: number, sum: number, sumSquares: number): KpiSummary {
  return {
    variant, n, sum, sumSquares,
    mean: n > 0 ? sum / n : null,
    // max(0, ...): the textbook formula can dip a hair below 0 by rounding when all values are equal.
    variance: n > 1 ? Math.max(0, (sumSquares - (sum * sum) / n) / (n - 1)) : null,
  };
}
