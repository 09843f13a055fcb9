// Compare of 10 runs × 1,000,000 points each: the host reads each history from the store as its
// sealed chunks' level of detail (M4, schema 4) plus the raw tail, and LTTB-downsamples that to
// 2,000 points per series (CompareModel.metric, what the
// Compare view's chart message costs; goal: the whole compare render < 300 ms, of which this
// is the host side — the browser side is measured by test/e2e/compare.e2e.mjs).
// Baseline in the same run: no downsampling — read every point (metricHistory) and serialise
// all of them, as a view without LTTB would have to. Also measured: every point read packed and
// LTTB'd (the path before the level of detail), to show what the level of detail saves.
// Run: node out/test/bench/compare.bench.js   (last line: JSON figures)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteTrackingStore } from '../../src/platform/store/sqliteTrackingStore';
import { CompareModel } from '../../src/features/compare/compareModel';
import { lttbPacked } from '../../src/core/charts/lttb';

const RUNS = Number(process.env.BENCH_COMPARE_RUNS ?? 10);
const POINTS = Number(process.env.BENCH_COMPARE_POINTS ?? 1_000_000);
const REPEATS = 5;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function main(): void {
  const dir = mkdtempSync(join(tmpdir(), 'mc-bench-compare-'));
  try {
    const store = new SqliteTrackingStore(join(dir, 'tracking.db'));
    const runIds = Array.from({ length: RUNS }, (_, i) => (i + 1).toString(16).padStart(32, '0'));
    let t = performance.now();
    store.apply({ runs: runIds.map((id, i) => ({ id, experiment: 'bench', name: `run-${i}`, status: 'FINISHED' as const, startMs: i, origin: 'modelcloud' as const })) });
    for (const [r, runId] of runIds.entries()) {
      // A noisy decaying loss with a few spikes, written in 100,000-point batches like a long training run.
      for (let from = 0; from < POINTS; from += 100_000) {
        const n = Math.min(100_000, POINTS - from);
        const keys = new Array<string>(n).fill('loss');
        const steps = Array.from({ length: n }, (_, k) => from + k);
        const times = steps.map((s) => 1_700_000_000_000 + s * 10);
        const values = steps.map((s) => Math.exp(-s / 300_000) * (1 + r / 10) + Math.sin(s * 0.37 + r) * 0.03 + (s % 99_991 === 0 ? 2 : 0));
        store.apply({ metricColumns: [{ runId, keys, values, steps, times }] });
      }
    }
    console.log(`stored ${RUNS} runs × ${POINTS.toLocaleString('en')} points in ${((performance.now() - t) / 1000).toFixed(1)} s (${store.driverName})`);

    const model = new CompareModel(store, runIds);
    const compare = (): { ms: number; bytes: number; points: number } => {
      const started = performance.now();
      const message = model.metric('loss');
      const bytes = JSON.stringify(message).length;
      return { ms: performance.now() - started, bytes, points: message.series.reduce((sum, s) => sum + s.values.length, 0) };
    };
    compare();
    const runsOurs = Array.from({ length: REPEATS }, compare);
    const ours = median(runsOurs.map((r) => r.ms));
    const { bytes, points } = runsOurs[0];
    if (points > RUNS * 2000) throw new Error(`expected at most ${RUNS * 2000} points, got ${points}`);
    console.log(`read + LTTB to 2,000 points/series + serialise, median of ${REPEATS}: ${ours.toFixed(1)} ms, ${points.toLocaleString('en')} points, ${(bytes / 1e6).toFixed(2)} MB message (goal < 300 ms)`);

    // Every point read packed, then LTTB: no level of detail.
    const fullRead = (): number => {
      const started = performance.now();
      for (const id of runIds) lttbPacked(store.metricHistoryPacked(id, 'loss'), 3, 0, 2, 2000);
      return performance.now() - started;
    };
    const full = median(Array.from({ length: 3 }, fullRead));
    console.log(`without level of detail (every point read packed + LTTB), median of 3: ${full.toFixed(0)} ms`);

    // Baseline: every point as objects (metricHistory), serialised in full.
    const baseline = (): { ms: number; bytes: number } => {
      const started = performance.now();
      let bytes = 0;
      for (const id of runIds) {
        const history = store.metricHistory(id, 'loss');
        bytes += JSON.stringify({ steps: history.map((p) => p.step), times: history.map((p) => p.ts), values: history.map((p) => p.value) }).length;
      }
      return { ms: performance.now() - started, bytes };
    };
    const base = baseline();
    console.log(`baseline (no downsampling, all ${(RUNS * POINTS).toLocaleString('en')} points serialised): ${base.ms.toFixed(0)} ms, ${(base.bytes / 1e6).toFixed(0)} MB message`);
    store.close();
    console.log(JSON.stringify({
      bench: 'compare', runs: RUNS, pointsPerRun: POINTS, pointsPerSeries: 2000, hostMs: Math.round(ours * 10) / 10, messageMB: Math.round(bytes / 1e4) / 100,
      withoutLodMs: Math.round(full),
      baselineMs: Math.round(base.ms), baselineMessageMB: Math.round(base.bytes / 1e6), speedup: Math.round((base.ms / ours) * 10) / 10, goalMs: 300,
    }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main();
