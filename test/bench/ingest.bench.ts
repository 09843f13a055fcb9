// Ingest throughput: a ~2,000,000-point run log (format v1) through WorkspaceIngest into a fresh
// SQLite store, against a naive baseline (one autocommitted INSERT per point, ~5,000 points).
// Run: node out/test/bench/ingest.bench.js   (last line: JSON figures)
import { createWriteStream, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { execFileSync } from 'node:child_process';
import { metricColumns } from '../fixtures/runLogEvents';
import { SqliteTrackingStore } from '../../src/platform/store/sqliteTrackingStore';
import { WorkspaceIngest } from '../../src/platform/ingest/workspaceIngest';
import { openSqlite } from '../../src/platform/store/sqliteDriver';

const POINTS = Number(process.env.BENCH_POINTS ?? 2_000_000);
const POINTS_PER_EVENT = 1000;
const KEYS = ['loss', 'val_loss', 'accuracy', 'lr'];
const BASELINE_POINTS = 5000;
const RUN = '0123456789abcdef0123456789abcdef';

async function writeRunLog(path: string): Promise<void> {
  const out = createWriteStream(path);
  const write = async (line: string): Promise<void> => { if (!out.write(line)) await once(out, 'drain'); };
  await write(`${JSON.stringify({ v: 1, t: 'run_start', ts: 1_700_000_000_000, run: RUN, experiment: 'bench', name: 'big' })}\n`);
  for (let done = 0; done < POINTS; done += POINTS_PER_EVENT) {
    const points: Array<[string, number, number, number]> = [];
    for (let i = done; i < Math.min(POINTS, done + POINTS_PER_EVENT); i++) {
      const step = Math.floor(i / KEYS.length);
      points.push([KEYS[i % KEYS.length], Math.random(), step, 1_700_000_000_000 + step]);
    }
    await write(`${JSON.stringify({ v: 1, t: 'metrics', ts: 1_700_000_000_000 + done, ...metricColumns(points) })}\n`);
  }
  await write(`${JSON.stringify({ v: 1, t: 'run_end', ts: 1_700_000_999_999, status: 'FINISHED' })}\n`);
  out.end();
  await once(out, 'close');
}

function baseline(dir: string): number {
  // The naive design: one row per point, one autocommitted INSERT per point (MLflow's per-call logging).
  const path = join(dir, 'baseline.db');
  const seed = new SqliteTrackingStore(path);
  seed.apply({ runs: [{ id: RUN, experiment: 'bench', name: 'b', status: 'RUNNING', startMs: 0, origin: 'modelcloud' }] });
  seed.close();
  const db = openSqlite(path);
  db.exec('PRAGMA synchronous = NORMAL');
  db.exec('CREATE TABLE metric_points (rid INTEGER, kid INTEGER, step INTEGER, ts INTEGER, value REAL)');
  const insert = db.prepare('INSERT INTO metric_points (rid, kid, step, ts, value) VALUES (?, ?, ?, ?, ?)');
  const started = performance.now();
  for (let i = 0; i < BASELINE_POINTS; i++) insert.run(1, 1 + (i % 4), i, i, Math.random());
  const seconds = (performance.now() - started) / 1000;
  db.close();
  return BASELINE_POINTS / seconds;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'mc-bench-ingest-'));
  try {
    const storeDir = join(dir, '.modelcloud');
    mkdirSync(join(storeDir, 'runs'), { recursive: true });
    const logPath = join(storeDir, 'runs', `${RUN}.jsonl`);
    let t = performance.now();
    // Written by a child process so its garbage does not land in the measured ingest's heap.
    execFileSync(process.execPath, [__filename, '--write', logPath], { stdio: 'inherit' });
    console.log(`wrote ${POINTS.toLocaleString('en')} points (${(statSync(logPath).size / 1e6).toFixed(0)} MB) in ${((performance.now() - t) / 1000).toFixed(1)} s`);

    const store = new SqliteTrackingStore(join(storeDir, 'tracking.db'));
    t = performance.now();
    const report = await new WorkspaceIngest(store, dir, storeDir, () => undefined).ingestAll();
    const seconds = (performance.now() - t) / 1000;
    const stored = store.metricHistory(RUN, 'loss').length * KEYS.length;
    const again = await new WorkspaceIngest(store, dir, storeDir, () => undefined).ingestAll();
    store.close();
    if (report.metricPoints !== POINTS || stored !== POINTS || again.metricPoints !== 0) {
      throw new Error(`ingest mismatch: reported ${report.metricPoints}, stored ${stored}, re-ingest ${again.metricPoints}`);
    }
    const rate = POINTS / seconds;
    console.log(`WorkspaceIngest (${store.driverName}): ${POINTS.toLocaleString('en')} points in ${seconds.toFixed(2)} s = ${Math.round(rate).toLocaleString('en')} points/s`);
    const naive = baseline(dir);
    console.log(`baseline, one autocommitted INSERT per point (${BASELINE_POINTS} points): ${Math.round(naive).toLocaleString('en')} points/s`);
    console.log(`ratio ${(rate / naive).toFixed(1)}x; goal >= 1,000,000 points/s: ${rate >= 1e6 ? 'met' : 'NOT met'}`);
    console.log(JSON.stringify({
      bench: 'ingest', points: POINTS, seconds: Number(seconds.toFixed(3)), pointsPerSecond: Math.round(rate),
      baselinePointsPerSecond: Math.round(naive), goalPointsPerSecond: 1_000_000, ratio: Number((rate / naive).toFixed(2)),
    }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const fail = (error: unknown): void => { console.error(error); process.exitCode = 1; };
if (process.argv[2] === '--write') writeRunLog(process.argv[3]).catch(fail);
else main().catch(fail);
