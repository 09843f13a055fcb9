// Logging to the store without ever blocking a request on SQLite. The request path appends a
// small tuple to an in-memory batch; every FLUSH_MS (or at MAX_BATCH rows) the batch is posted to
// a worker thread, which writes it in one transaction. SQLite's busy waits (the extension or CLI
// holding the write lock) therefore stall only the worker. If the worker falls far behind, rows
// are dropped and counted (modelcloud_router_store_rows{state="dropped"}) rather than letting
// memory grow without bound.
import { Worker } from 'node:worker_threads';
import type { SqlDatabase } from '../platform/store/sqliteDriver';
import { openStoreDatabase } from '../platform/store/openStoreDatabase';

export const FLUSH_MS = 100;
export const MAX_BATCH = 1_000;
/** Rows posted but not yet written beyond which new rows are dropped. */
export const MAX_PENDING = 200_000;

/** [variant, phase, command, status, latency_ms, retries, error, ms] */
export type RequestRow = [string, string, string, number, number, number, string | null, number];
/** [user_hash, variant, first_ms] */
export type AssignmentRow = [string, string, number];
/** [user_hash, variant, phase, metric, value, ms] */
export type FeedbackRow = [string, string, string, string, number, number];

export interface ExperimentRow {
  id: string;
  title: string | null;
  config: string;
  status: 'running' | 'paused' | 'stopped';
  ms: number;
}

interface Batch {
  seq: number;
  experiment: string;
  requests: RequestRow[];
  assignments: AssignmentRow[];
  feedback: FeedbackRow[];
  experimentRow?: ExperimentRow;
}

type FromWorker = { written: number; seq: number } | { error: string; seq: number; rows: number } | { ready: true } | { closed: true };

export interface StoreStats { queued: number; written: number; dropped: number; errors: number; lastError?: string }

export class StoreWriter {
  private requests: RequestRow[] = [];
  private assignments: AssignmentRow[] = [];
  private feedback: FeedbackRow[] = [];
  private experimentRow: ExperimentRow | undefined;
  private pendingRows = 0;
  private seq = 0;
  private readonly timer: NodeJS.Timeout;
  private readonly stats: StoreStats = { queued: 0, written: 0, dropped: 0, errors: 0 };
  private closing: Promise<void> | undefined;
  private readonly waiters = new Map<number, () => void>();

  private constructor(readonly experiment: string, private readonly worker: Worker) {
    worker.on('message', (m: FromWorker) => {
      if ('written' in m) { this.stats.written += m.written; this.pendingRows -= m.written; this.settle(m.seq); }
      else if ('error' in m) { this.stats.errors += m.rows; this.pendingRows -= m.rows; this.stats.lastError = m.error; this.settle(m.seq); }
    });
    this.timer = setInterval(() => this.flush(), FLUSH_MS);
    this.timer.unref();
  }

  /** Starts the writer thread (the router bundle itself, see main.ts) and waits until the store is open and migrated. */
  static async start(experiment: string, dbPath: string, script: string): Promise<StoreWriter> {
    const worker = new Worker(script, { workerData: { role: 'ab-store-writer', dbPath } });
    await new Promise<void>((resolve, reject) => {
      const onMessage = (m: FromWorker): void => { if ('ready' in m) { cleanup(); resolve(); } };
      const onError = (e: Error): void => { cleanup(); reject(new Error(`the store writer could not open ${dbPath}: ${e.message}`)); };
      const onExit = (code: number): void => { cleanup(); reject(new Error(`the store writer exited with code ${code} while opening ${dbPath}`)); };
      const cleanup = (): void => { worker.off('message', onMessage); worker.off('error', onError); worker.off('exit', onExit); };
      worker.on('message', onMessage);
      worker.once('error', onError);
      worker.once('exit', onExit);
    });
    return new StoreWriter(experiment, worker);
  }

  request(row: RequestRow): void {
    if (this.admit()) { this.requests.push(row); this.afterPush(); }
  }

  assignment(row: AssignmentRow): void {
    if (this.admit()) { this.assignments.push(row); this.afterPush(); }
  }

  feedbackRow(row: FeedbackRow): void {
    if (this.admit()) { this.feedback.push(row); this.afterPush(); }
  }

  /** Upserts the experiment row (status changes): written with the next batch. */
  experimentStatus(row: ExperimentRow): void {
    this.experimentRow = row;
  }

  snapshot(): StoreStats {
    return { ...this.stats, queued: this.pendingRows + this.requests.length + this.assignments.length + this.feedback.length };
  }

  /** Posts what is batched; resolves once the worker has committed it (tests and shutdown wait on this). */
  flush(): Promise<void> {
    const rows = this.requests.length + this.assignments.length + this.feedback.length;
    if (!rows && !this.experimentRow) return Promise.resolve();
    const batch: Batch = {
      seq: ++this.seq, experiment: this.experiment, requests: this.requests, assignments: this.assignments, feedback: this.feedback,
      ...(this.experimentRow ? { experimentRow: this.experimentRow } : {}),
    };
    this.requests = [];
    this.assignments = [];
    this.feedback = [];
    this.experimentRow = undefined;
    this.pendingRows += rows;
    const done = new Promise<void>((resolve) => this.waiters.set(batch.seq, resolve));
    this.worker.postMessage(batch);
    return done;
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      clearInterval(this.timer);
      await this.flush();
      await new Promise<void>((resolve) => {
        this.worker.once('exit', () => resolve());
        this.worker.postMessage('close');
      });
    })();
    return this.closing;
  }

  private admit(): boolean {
    if (this.pendingRows + this.requests.length + this.assignments.length + this.feedback.length >= MAX_PENDING) {
      this.stats.dropped++;
      return false;
    }
    return true;
  }

  private afterPush(): void {
    if (this.requests.length + this.assignments.length + this.feedback.length >= MAX_BATCH) void this.flush();
  }

  private settle(seq: number): void {
    // Batches are written in order: everything up to seq is done.
    for (const [s, resolve] of this.waiters) if (s <= seq) { this.waiters.delete(s); resolve(); }
  }
}

/** The worker thread's side: opens the store (migrating it) and writes each batch in one transaction. */
export function runStoreWriterWorker(port: import('node:worker_threads').MessagePort, dbPath: string): void {
  let db: SqlDatabase;
  try {
    db = openStoreDatabase(dbPath);
  } catch (error) {
    throw new Error(`cannot open the store ${dbPath}: ${(error as Error).message}`);
  }
  const insertRequest = db.prepare(`INSERT INTO ab_requests (experiment_id, variant, phase, command, status, latency_ms, retries, error, ms)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  const insertAssignment = db.prepare('INSERT OR IGNORE INTO ab_assignments (experiment_id, user_hash, variant, first_ms) VALUES (?, ?, ?, ?)');
  const insertFeedback = db.prepare(`INSERT INTO ab_feedback (experiment_id, user_hash, variant, phase, metric, value, ms)
    VALUES (?, ?, ?, ?, ?, ?, ?)`);
  const upsertExperiment = db.prepare(`INSERT INTO ab_experiments (id, title, config, status, created_ms, started_ms, paused_ms, stopped_ms, updated_ms)
    VALUES (?, ?, ?, ?, ?, ?, NULL, NULL, ?)
    ON CONFLICT(id) DO UPDATE SET title = excluded.title, config = excluded.config, status = excluded.status, updated_ms = excluded.updated_ms,
      started_ms = CASE WHEN excluded.status = 'running' AND ab_experiments.status <> 'running' AND ab_experiments.status <> 'paused' THEN excluded.updated_ms ELSE ab_experiments.started_ms END,
      paused_ms = CASE WHEN excluded.status = 'paused' THEN excluded.updated_ms WHEN excluded.status = 'running' THEN NULL ELSE ab_experiments.paused_ms END,
      stopped_ms = CASE WHEN excluded.status = 'stopped' THEN excluded.updated_ms WHEN excluded.status = 'running' AND ab_experiments.status = 'stopped' THEN NULL ELSE ab_experiments.stopped_ms END`);
  port.on('message', (m: Batch | 'close') => {
    if (m === 'close') {
      db.close();
      port.postMessage({ closed: true });
      port.close();
      process.exit(0);
    }
    const rows = m.requests.length + m.assignments.length + m.feedback.length;
    try {
      db.transaction(() => {
        const e = m.experimentRow;
        if (e) upsertExperiment.run(e.id, e.title, e.config, e.status, e.ms, e.status === 'running' ? e.ms : null, e.ms);
        for (const r of m.requests) insertRequest.run(m.experiment, r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7]);
        for (const a of m.assignments) insertAssignment.run(m.experiment, a[0], a[1], a[2]);
        for (const f of m.feedback) insertFeedback.run(m.experiment, f[0], f[1], f[2], f[3], f[4], f[5]);
      });
      port.postMessage({ written: rows, seq: m.seq });
    } catch (error) {
      port.postMessage({ error: (error as Error).message, seq: m.seq, rows });
    }
  });
  port.postMessage({ ready: true });
}
