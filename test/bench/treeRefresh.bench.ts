// Tree refresh: listExperiments() + listRuns(exp, {limit: 200}) for every experiment over
// 100,000 runs in ~10 experiments (goal < 100 ms), against a naive GROUP BY / ORDER BY over the
// runs table that ignores the maintained counts and the listing index.
// Run: node out/test/bench/treeRefresh.bench.js   (last line: JSON figures)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteTrackingStore } from '../../src/platform/store/sqliteTrackingStore';
import { openSqlite } from '../../src/platform/store/sqliteDriver';
import type { RunUpsert } from '../../src/platform/store/trackingStore.api';

const RUNS = Number(process.env.BENCH_RUNS ?? 100_000);
const EXPERIMENTS = 10;
const REPEATS = 9;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function main(): void {
  const dir = mkdtempSync(join(tmpdir(), 'mc-bench-tree-'));
  try {
    const path = join(dir, 'tracking.db');
    const store = new SqliteTrackingStore(path);
    let t = performance.now();
    for (let done = 0; done < RUNS; done += 5000) {
      const runs: RunUpsert[] = [];
      const metrics = [];
      for (let i = done; i < Math.min(RUNS, done + 5000); i++) {
        const id = i.toString(16).padStart(32, '0');
        runs.push({ id, experiment: `exp-${i % EXPERIMENTS}`, name: `run-${i}`, status: i % 97 === 0 ? 'RUNNING' : 'FINISHED',
          startMs: 1_700_000_000_000 + i * 1000, origin: 'modelcloud', deleted: i % 50 === 0 });
        metrics.push({ runId: id, key: 'val_loss', value: 1 / (i + 1), step: 0, ts: 0 }, { runId: id, key: 'accuracy', value: 0.5, step: 0, ts: 0 });
      }
      store.apply({ runs, metrics });
    }
    console.log(`filled ${RUNS.toLocaleString('en')} runs in ${EXPERIMENTS} experiments in ${((performance.now() - t) / 1000).toFixed(1)} s`);

    const refresh = (): number => {
      const started = performance.now();
      let rows = 0;
      for (const exp of store.listExperiments()) rows += store.listRuns(exp.id, { limit: 200 }).length;
      if (rows !== EXPERIMENTS * 200) throw new Error(`expected ${EXPERIMENTS * 200} rows, got ${rows}`);
      return performance.now() - started;
    };
    refresh();
    const ours = median(Array.from({ length: REPEATS }, refresh));
    console.log(`store (${store.driverName}): listExperiments + ${EXPERIMENTS} x listRuns(limit 200), median of ${REPEATS}: ${ours.toFixed(2)} ms (goal < 100 ms)`);
    store.close();

    // Naive: counts by GROUP BY over all runs, runs by sorting the experiment's rows without the index.
    const db = openSqlite(path, { readonly: true });
    const counts = db.prepare(`SELECT e.id, e.name, count(r.rid) AS runs, sum(r.status = 'RUNNING') AS running, max(r.start_ms) AS last
      FROM experiments e LEFT JOIN runs r NOT INDEXED ON r.experiment_id = e.id AND r.deleted_ms IS NULL GROUP BY e.id ORDER BY e.name`);
    const list = db.prepare(`SELECT r.*, e.name AS experiment FROM runs r NOT INDEXED JOIN experiments e ON e.id = r.experiment_id
      WHERE r.experiment_id = ? AND r.deleted_ms IS NULL ORDER BY r.start_ms DESC, r.id LIMIT 200`);
    const naive = (): number => {
      const started = performance.now();
      for (const exp of counts.all() as Array<{ id: number }>) list.all(exp.id);
      return performance.now() - started;
    };
    naive();
    const baseline = median(Array.from({ length: 5 }, naive));
    db.close();
    console.log(`baseline (GROUP BY + unindexed ORDER BY): ${baseline.toFixed(2)} ms; ratio ${(baseline / ours).toFixed(1)}x`);
    console.log(JSON.stringify({
      bench: 'treeRefresh', runs: RUNS, experiments: EXPERIMENTS, medianMs: Number(ours.toFixed(2)), goalMs: 100,
      baselineMs: Number(baseline.toFixed(2)), ratio: Number((baseline / ours).toFixed(2)),
    }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main();
