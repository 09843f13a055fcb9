// The monitoring samples table (migration 8) of tracking.db: the poller writes one row per target
// and scrape interval; the dashboard reads a time range back, so charts survive a reload.
// Retention: raw rows for `rawRetentionMs` (24 h), then folded into one-minute rows kept for
// `minuteRetentionMs` (7 days), then deleted.
import { downsampleSamples } from '../../core/monitoring/downsample';
import type { MonitoringSample } from '../../core/monitoring/sample';
import { openStoreDatabase } from '../store/openStoreDatabase';
import type { SqlDatabase, SqlRow } from '../store/sqliteDriver';

export const MINUTE_MS = 60_000;
export const RAW_RETENTION_MS = 24 * 3600_000;
export const MINUTE_RETENTION_MS = 7 * 24 * 3600_000;

export interface MetricsStoreOptions {
  rawRetentionMs?: number;
  minuteRetentionMs?: number;
}

const COLUMNS = 'service, resolution_ms, ms, interval_ms, up, requests, errors, rps, p50, p95, p99, error_rate, model_version, restarted';

export class MetricsStore {
  private readonly db: SqlDatabase;
  private readonly rawRetentionMs: number;
  private readonly minuteRetentionMs: number;

  /** Opens (and migrates) tracking.db at `path` on a connection of its own. */
  constructor(readonly path: string, options: MetricsStoreOptions = {}) {
    this.db = openStoreDatabase(path);
    this.rawRetentionMs = options.rawRetentionMs ?? RAW_RETENTION_MS;
    this.minuteRetentionMs = options.minuteRetentionMs ?? MINUTE_RETENTION_MS;
  }

  write(samples: readonly MonitoringSample[], resolutionMs = 0): void {
    if (samples.length === 0) return;
    const insert = this.db.prepare(`INSERT OR REPLACE INTO monitoring_samples (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    this.db.transaction(() => {
      for (const s of samples) {
        insert.run(s.service, resolutionMs, Math.round(s.ms), Math.round(s.intervalMs), s.up ? 1 : 0, s.requests, s.errors, s.rps,
          s.p50, s.p95, s.p99, s.errorRate, s.modelVersion, s.restarted ? 1 : 0);
      }
    });
  }

  /**
   * Samples of `service` with fromMs < ms ≤ toMs in time order: raw rows where they exist, the
   * one-minute rows for the older part that has been folded.
   */
  range(service: string, fromMs: number, toMs: number = Number.MAX_SAFE_INTEGER): MonitoringSample[] {
    const raw = this.db.prepare(`SELECT ${COLUMNS} FROM monitoring_samples WHERE service = ? AND resolution_ms = 0 AND ms > ? AND ms <= ? ORDER BY ms`)
      .all(service, Math.floor(fromMs), Math.floor(toMs)).map(toSample);
    const firstRaw = raw.length ? raw[0].ms - raw[0].intervalMs : toMs;
    const folded = this.db.prepare(`SELECT ${COLUMNS} FROM monitoring_samples WHERE service = ? AND resolution_ms = ? AND ms > ? AND ms <= ? ORDER BY ms`)
      .all(service, MINUTE_MS, Math.floor(fromMs), Math.floor(Math.min(toMs, firstRaw))).map(toSample);
    return [...folded, ...raw];
  }

  /** Targets with samples, most recently seen first. */
  services(): Array<{ service: string; lastMs: number }> {
    return this.db.prepare('SELECT service, MAX(ms) AS last FROM monitoring_samples GROUP BY service ORDER BY last DESC')
      .all().map((r) => ({ service: String(r.service), lastMs: Number(r.last) }));
  }

  /** Folds raw rows older than the raw retention into minute rows; drops minute rows past theirs. */
  compact(nowMs: number = Date.now()): { folded: number; deleted: number } {
    const cutoff = Math.floor((nowMs - this.rawRetentionMs) / MINUTE_MS) * MINUTE_MS;
    let folded = 0;
    let deleted = 0;
    this.db.transaction(() => {
      const targets = this.db.prepare('SELECT DISTINCT service FROM monitoring_samples WHERE resolution_ms = 0 AND ms <= ?').all(cutoff).map((r) => String(r.service));
      for (const service of targets) {
        const old = this.db.prepare(`SELECT ${COLUMNS} FROM monitoring_samples WHERE service = ? AND resolution_ms = 0 AND ms <= ? ORDER BY ms`).all(service, cutoff).map(toSample);
        this.write(downsampleSamples(old, MINUTE_MS), MINUTE_MS);
        folded += old.length;
      }
      this.db.prepare('DELETE FROM monitoring_samples WHERE resolution_ms = 0 AND ms <= ?').run(cutoff);
      deleted = this.db.prepare('DELETE FROM monitoring_samples WHERE resolution_ms = ? AND ms <= ?').run(MINUTE_MS, Math.floor(nowMs - this.minuteRetentionMs)).changes;
    });
    return { folded, deleted };
  }

  close(): void {
    this.db.close();
  }
}

function toSample(r: SqlRow): MonitoringSample {
  const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
  return {
    service: String(r.service),
    ms: Number(r.ms),
    intervalMs: Number(r.interval_ms),
    up: Number(r.up) === 1,
    requests: Number(r.requests),
    errors: Number(r.errors),
    rps: Number(r.rps),
    p50: num(r.p50),
    p95: num(r.p95),
    p99: num(r.p99),
    errorRate: num(r.error_rate),
    modelVersion: r.model_version === null || r.model_version === undefined ? null : String(r.model_version),
    restarted: Number(r.restarted) === 1,
  };
}
