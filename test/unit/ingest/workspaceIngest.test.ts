// WorkspaceIngest over real files: the MLflow fixture tree, hand-written run logs and a seed
// database produced by the seed's own Python code.
import * as assert from 'node:assert/strict';
import { appendFileSync, copyFileSync, cpSync, mkdirSync, mkdtempSync, rmSync, truncateSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir, hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { spawnSync, execFileSync } from 'node:child_process';
import { SqliteTrackingStore } from '../../../src/platform/store/sqliteTrackingStore';
import { WorkspaceIngest, classifyIngestPath } from '../../../src/platform/ingest/workspaceIngest';
import { readCompleteLines } from '../../../src/platform/ingest/lineChunks';
import { seedRunId } from '../../../src/platform/ingest/seedIngest';
import { metricColumns } from '../../fixtures/runLogEvents';

const FIXTURES = resolve(__dirname, '../../../../test/fixtures');
const R1 = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';
const R2 = '0f1e2d3c4b5a69788796a5b4c3d2e1f0';
const R3 = 'deadbeefdeadbeefdeadbeefdeadbeef';
const R4 = '1234567890abcdef1234567890abcdef';
const RUN = 'c0ffee00c0ffee00c0ffee00c0ffee00';

describe('WorkspaceIngest', () => {
  let ws: string;
  let store: SqliteTrackingStore;
  let ingest: WorkspaceIngest;
  let logged: string[];

  beforeEach(() => {
    ws = mkdtempSync(join(tmpdir(), 'mc-ws-'));
    store = new SqliteTrackingStore(join(ws, '.modelcloud', 'tracking.db'));
    logged = [];
    ingest = new WorkspaceIngest(store, ws, join(ws, '.modelcloud'), (line) => logged.push(line));
  });
  afterEach(() => {
    store.close();
    rmSync(ws, { recursive: true, force: true });
  });

  it('never duplicates when two processes ingest the same log at once (cursor compare-and-set)', async () => {
    const runs = join(ws, '.modelcloud', 'runs');
    mkdirSync(runs, { recursive: true });
    const lines = [JSON.stringify({ v: 1, t: 'run_start', ts: 1, run: RUN, experiment: 'e', name: 'n' })];
    for (let i = 0; i < 200; i++) {
      lines.push(JSON.stringify({ v: 1, t: 'metrics', ts: i, ...metricColumns(Array.from({ length: 50 }, (_, j) => ['m', j, i * 50 + j, i])) }));
    }
    writeFileSync(join(runs, `${RUN}.jsonl`), `${lines.join('\n')}\n`);
    // A second connection to the same file stands in for the CLI running beside the extension.
    const other = new SqliteTrackingStore(join(ws, '.modelcloud', 'tracking.db'));
    try {
      const second = new WorkspaceIngest(other, ws, join(ws, '.modelcloud'), () => undefined);
      // Small chunks make the two readers interleave between their awaits.
      const reports = await Promise.all([ingest.ingestAll(), second.ingestAll()]);
      assert.equal(store.metricHistory(RUN, 'm').length, 10_000);
      assert.equal(reports[0].metricPoints + reports[1].metricPoints, 10_000);
    } finally {
      other.close();
    }
  });

  describe('MLflow file stores', () => {
    beforeEach(() => cpSync(join(FIXTURES, 'mlruns'), join(ws, 'project', 'mlruns'), { recursive: true }));

    it('reads experiments, runs, params, tags, metrics and the registry', async () => {
      const report = await ingest.ingestAll();
      assert.deepEqual(report.problems, []);
      assert.equal(report.metricPoints, 15);
      const exps = store.listExperiments();
      assert.deepEqual(exps.map((e) => [e.name, e.runCount, e.runningCount]), [['Default', 1, 0], ['cnn-sweep', 2, 1]]);

      const r1 = store.getRun(R1)!;
      assert.equal(r1.name, 'bright-fox-12');
      assert.equal(r1.status, 'FINISHED');
      assert.equal(r1.origin, 'mlflow');
      assert.deepEqual([r1.startMs, r1.endMs, r1.user], [1700000001000, 1700000009000, 'alice']);
      assert.deepEqual(r1.source, { kind: 'script', path: 'train.py' });
      assert.deepEqual(r1.params, { epochs: '3', lr: '0.01' });
      assert.equal(r1.metrics.loss.value, null, 'nan at the largest step is the latest value');
      assert.equal(r1.metrics.loss.step, 3);
      assert.deepEqual(store.metricHistory(R1, 'loss').map((p) => [p.step, p.value]), [[0, 0.9], [1, 0.5], [2, 0.25], [3, null]]);
      assert.deepEqual(r1.metrics.accuracy, { value: 0.75, step: 2, ts: 1700000004000 });

      const r2 = store.getRun(R2)!;
      assert.deepEqual([r2.status, r2.user, r2.git.commit], ['FAILED', 'bob', '3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a']);
      assert.deepEqual(r2.source, { kind: 'notebook', path: 'notebooks/sweep.ipynb' });
      assert.equal(r2.params['optimizer/name'], 'adam');
      assert.equal(r2.tags['team/owner'], 'vision');
      assert.equal(r2.metrics['train/loss'].value, -Infinity);
      assert.equal(store.metricHistory(R2, 'train/loss')[1].value, Infinity);
      assert.equal(r2.metrics.val_loss.value, 1.5);

      assert.equal(store.getRun(R3)!.deleted, true);
      assert.deepEqual(store.listDeletedRuns().map((r) => r.id), [R3]);
      assert.deepEqual([store.getRun(R4)!.status, store.getRun(R4)!.endMs], ['RUNNING', null]);

      assert.deepEqual(store.listRegisteredModels(), [{ name: 'churn', description: 'Churn classifier', versions: [
        { version: 1, stage: 'Archived', runId: R1, source: `file:///tmp/project/mlruns/0/${R1}/artifacts/model`, aliases: [] },
        { version: 2, stage: 'Production', runId: R2, source: `file:///tmp/project/mlruns/0/${R2}/artifacts/model`, aliases: ['champion'] },
      ] }]);
    });

    it('re-ingests without duplicating, reads only appended metric lines, and re-reads a shrunk file', async () => {
      await ingest.ingestAll();
      const again = await ingest.ingestAll();
      assert.equal(again.metricPoints, 0);
      assert.equal(store.metricHistory(R1, 'loss').length, 4);

      const lossFile = join(ws, 'project', 'mlruns', '0', R1, 'metrics', 'loss');
      appendFileSync(lossFile, '1700000006000 0.125 4\ngarbage line\n1700000007000 0.1');
      const inc = await ingest.ingestPaths([lossFile]);
      assert.equal(inc.metricPoints, 1);
      assert.deepEqual(inc.problems.map((p) => [p.source, p.line]), [[`project/mlruns/0/${R1}/metrics/loss`, 6]]);
      assert.match(inc.problems[0].message, /timestamp "garbage" is not an integer/);
      assert.equal(store.getRun(R1)!.metrics.loss.value, 0.125);
      appendFileSync(lossFile, '25 5\n');
      assert.equal((await ingest.ingestPaths([lossFile])).metricPoints, 1);
      assert.deepEqual(store.getRun(R1)!.metrics.loss, { value: 0.125, step: 5, ts: 1700000007000 });

      writeFileSync(lossFile, '1700000002000 0.7 0\n');
      await ingest.ingestPaths([lossFile]);
      assert.deepEqual(store.metricHistory(R1, 'loss').map((p) => p.value), [0.7]);
      assert.equal(store.getRun(R1)!.metrics.accuracy.value, 0.75, 'other metrics of the run are read again too');
      assert.equal(store.getRun(R1)!.params.lr, '0.01');
    });

    it('reports a broken meta.yaml and keeps going', async () => {
      appendFileSync(join(ws, 'project', 'mlruns', '0', R1, 'meta.yaml'), 'weird:\n  - nested\n');
      const report = await ingest.ingestAll();
      assert.equal(report.problems.length, 1);
      assert.equal(report.problems[0].source, `project/mlruns/0/${R1}/meta.yaml`);
      assert.equal(report.problems[0].line, 17);
      assert.equal(store.getRun(R2)!.name, 'cnn-lr-0.1');
      assert.equal(store.problemCount(), 1);
      assert.ok(logged.some((l) => l.includes(`${R1}/meta.yaml:17`)));
    });
  });

  describe('run logs (.modelcloud/runs/*.jsonl)', () => {
    const logPath = (): string => join(ws, '.modelcloud', 'runs', `${RUN}.jsonl`);
    const line = (event: object): string => `${JSON.stringify({ v: 1, ...event })}\n`;
    const runStart = (extra: object = {}): string => line({
      t: 'run_start', ts: 1000, run: RUN, experiment: 'mnist', name: 'first', user: 'ann',
      source: { kind: 'script', path: 'train.py' }, git: { commit: 'abc', dirty: false }, python: '3.11.7', tags: { team: 'x' }, ...extra,
    });
    const metrics = (from: number, count: number): string => line({
      t: 'metrics', ts: 2000 + from, ...metricColumns(Array.from({ length: count }, (_, i) => ['loss', 1 / (from + i + 1), from + i, 2000 + from + i])),
    });

    beforeEach(() => mkdirSync(join(ws, '.modelcloud', 'runs'), { recursive: true }));

    it('ingests a log in pieces: a partial last line waits until it is complete', async () => {
      const full = line({ t: 'params', ts: 1500, params: { lr: '0.1' } });
      writeFileSync(logPath(), runStart() + metrics(0, 3) + full.slice(0, 10));
      const first = await ingest.ingestAll();
      assert.equal(first.metricPoints, 3);
      let run = store.getRun(RUN)!;
      assert.deepEqual([run.experiment, run.name, run.status, run.user, run.pythonVersion], ['mnist', 'first', 'RUNNING', 'ann', '3.11.7']);
      assert.deepEqual(run.git, { commit: 'abc', dirty: false });
      assert.deepEqual(run.params, {});
      assert.deepEqual(run.tags, { team: 'x' });

      appendFileSync(logPath(), full.slice(10) + metrics(3, 2) + line({
        t: 'artifact', ts: 3000, path: 'model.pkl', size: 10, sha256: 'ab'.repeat(32),
      }) + line({ t: 'run_end', ts: 4000, status: 'FINISHED' }));
      const second = await ingest.ingestPaths([logPath()]);
      assert.equal(second.metricPoints, 2);
      run = store.getRun(RUN)!;
      assert.deepEqual(run.params, { lr: '0.1' });
      assert.deepEqual([run.status, run.endMs], ['FINISHED', 4000]);
      assert.equal(run.metrics.loss.step, 4);
      assert.equal(run.artifacts.length, 1);
      assert.equal(store.metricHistory(RUN, 'loss').length, 5);

      const third = await ingest.ingestAll();
      assert.equal(third.metricPoints, 0);
      assert.equal(store.metricHistory(RUN, 'loss').length, 5);
    });

    it('skips garbage lines with their line numbers and keeps the rest', async () => {
      writeFileSync(logPath(), `${runStart()}{"v":1,"t":"metr\n${line({ t: 'unknown_thing', ts: 1 })}\n${metrics(0, 2)}`);
      const report = await ingest.ingestAll();
      assert.deepEqual(report.problems.map((p) => [p.source, p.line]), [[`.modelcloud/runs/${RUN}.jsonl`, 2], [`.modelcloud/runs/${RUN}.jsonl`, 3]]);
      assert.equal(report.metricPoints, 2);
      assert.equal(store.problemCount(), 2);
      assert.equal(store.recentProblems(1)[0].line, 3);
    });

    it('re-reads a log that shrank or was replaced, without leftovers', async () => {
      writeFileSync(logPath(), runStart() + metrics(0, 5) + line({ t: 'params', ts: 1, params: { a: '1' } }));
      await ingest.ingestAll();
      writeFileSync(logPath(), runStart({ name: 'second' }) + metrics(0, 2));
      await ingest.ingestAll();
      let run = store.getRun(RUN)!;
      assert.equal(run.name, 'second');
      assert.deepEqual(run.params, {});
      assert.equal(store.metricHistory(RUN, 'loss').length, 2);
      // same size or larger but different content: also a replacement
      writeFileSync(logPath(), runStart({ name: 'third' }) + metrics(10, 3));
      await ingest.ingestAll();
      run = store.getRun(RUN)!;
      assert.equal(run.name, 'third');
      assert.deepEqual(store.metricHistory(RUN, 'loss').map((p) => p.step), [10, 11, 12]);
      assert.equal(store.listExperiments()[0].runCount, 1);
    });

    it('creates a run in "Default" for a log without run_start, and reports it', async () => {
      writeFileSync(logPath(), metrics(0, 2));
      const report = await ingest.ingestAll();
      assert.equal(report.problems.length, 1);
      assert.match(report.problems[0].message, /no run_start.*"Default"/);
      const run = store.getRun(RUN)!;
      assert.deepEqual([run.experiment, run.name], ['Default', RUN]);
      assert.equal(store.metricHistory(RUN, 'loss').length, 2);
    });

    it('marks a RUNNING run KILLED when its process on this host is gone', async () => {
      const dead = spawnSync(process.execPath, ['-e', '']).pid!;
      writeFileSync(logPath(), runStart({ pid: dead, host: hostname() }) + metrics(0, 1));
      const alive = 'd'.repeat(32);
      writeFileSync(join(ws, '.modelcloud', 'runs', `${alive}.jsonl`), runStart({ run: alive, pid: process.pid, host: hostname() }));
      await ingest.ingestAll();
      assert.deepEqual([store.getRun(RUN)!.status, store.getRun(RUN)!.endMs], ['KILLED', 2000]);
      assert.equal(store.getRun(alive)!.status, 'RUNNING');
      assert.equal(store.listExperiments()[0].runningCount, 1);
    });

    it('reads a log far bigger than one chunk', async () => {
      const parts: string[] = [runStart()];
      for (let i = 0; i < 400; i++) parts.push(metrics(i * 100, 100));
      writeFileSync(logPath(), parts.join(''));
      const report = await ingest.ingestAll();
      assert.equal(report.metricPoints, 40_000);
      assert.equal(store.metricHistory(RUN, 'loss').length, 40_000);
    });
  });

  describe('seed databases (model_track_center.db)', function () {
    this.timeout(20_000);
    let seedDir: string;
    const py = (args: string[]): string => execFileSync('python3', args, { cwd: seedDir, encoding: 'utf8' });

    beforeEach(() => {
      seedDir = join(ws, 'seedproj');
      mkdirSync(seedDir);
      for (const file of readdirSync(join(FIXTURES, 'seed'))) copyFileSync(join(FIXTURES, 'seed', file), join(seedDir, file));
      py(['init_db.py']);
      py(['test_tracking.py']);
      py(['test_tracking.py']);
    });

    it('maps tasks, tracks, params and metrics, and reads incrementally', async () => {
      // rows the seed code could write too: text values, an unparsable one, a best marker
      py(['-c', `import sqlite3; c = sqlite3.connect('model_track_center.db')
c.execute("insert into model_metric (model_id, metric_name, metric_type, epoch, metric_value, is_best) values (1, 'acc', 'line', 2, '0.5 ', 1)")
c.execute("insert into model_metric (model_id, metric_name, metric_type, epoch, metric_value, is_best) values (1, 'acc', 'line', 3, 'abc', 0)")
c.commit()`]);
      const report = await ingest.ingestAll();
      assert.equal(report.problems.length, 1);
      assert.match(report.problems[0].message, /metric_id=8: metric_value "abc" is not a number/);
      assert.equal(report.problems[0].source, 'seedproj/model_track_center.db');
      const exps = store.listExperiments();
      assert.deepEqual(exps.map((e) => [e.name, e.runCount]), [['churn_model_mlops', 2]]);
      const idA = seedRunId('seedproj/model_track_center.db', 1);
      const a = store.getRun(idA)!;
      assert.equal(a.name, 'model-A');
      assert.equal(a.origin, 'seed');
      assert.equal(a.status, 'FINISHED');
      assert.equal(a.tags['mlflow.note.content'], '模型-A');
      assert.match(a.params['logistic_param.param1'], /^\d+$/);
      assert.ok(a.metrics.foo.value! >= 2, 'the last logged foo (random()+2) is the latest');
      assert.equal(a.metrics.foo.step, 1);
      assert.deepEqual([a.tags['best.acc'], a.tags['best.acc.epoch']], ['0.5', '2']);
      assert.equal(store.getRun(seedRunId('seedproj/model_track_center.db', 2))!.name, 'model-A_2');

      py(['test_tracking.py']);
      py(['-c', "import sqlite3; c = sqlite3.connect('model_track_center.db'); c.execute('update model_track set del_flag = 1 where model_id = 2'); c.commit()"]);
      const inc = await ingest.ingestPaths([join(seedDir, 'model_track_center.db')]);
      assert.equal(inc.metricPoints, 3);
      assert.equal(inc.problems.length, 0);
      assert.equal(store.getRun(seedRunId('seedproj/model_track_center.db', 3))!.name, 'model-A_3');
      assert.equal(store.getRun(seedRunId('seedproj/model_track_center.db', 2))!.deleted, true);
      assert.equal(store.listExperiments()[0].runCount, 2);
      assert.equal((await ingest.ingestAll()).metricPoints, 0);
    });

    it('reads a recreated database again from the start', async () => {
      await ingest.ingestAll();
      py(['init_db.py']);
      py(['test_tracking.py']);
      await ingest.ingestAll();
      const idA = seedRunId('seedproj/model_track_center.db', 1);
      // the seed logs foo three times at epoch 1; history keeps every logged value, as MLflow does
      assert.equal(store.metricHistory(idA, 'foo').length, 3);
      assert.equal(store.getRun(seedRunId('seedproj/model_track_center.db', 2)), undefined);
    });

    it('reports a file with the name but not the schema', async () => {
      const other = join(ws, 'other');
      mkdirSync(other);
      writeFileSync(join(other, 'model_track_center.db'), 'this is not sqlite at all, just text that is long enough to not be a header');
      const report = await ingest.ingestAll();
      assert.ok(report.problems.some((p) => p.source === 'other/model_track_center.db'), JSON.stringify(report.problems));
      assert.equal(store.listExperiments()[0].runCount, 2);
    });
  });

  it('classifies watcher paths', () => {
    assert.equal(classifyIngestPath('/w/.modelcloud/runs/abc.jsonl'), 'runlog');
    assert.equal(classifyIngestPath('C:\\w\\.modelcloud\\runs\\abc.jsonl'), 'runlog');
    assert.equal(classifyIngestPath('/w/sub/mlruns/0/meta.yaml'), 'mlflow');
    assert.equal(classifyIngestPath('/w/model_track_center.db-wal'), 'seed');
    assert.equal(classifyIngestPath('/w/train.py'), undefined);
  });
});

describe('readCompleteLines', () => {
  it('splits at line ends across tiny chunks and leaves the unfinished tail', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mc-lines-'));
    try {
      const path = join(dir, 'f');
      writeFileSync(path, 'one\na line longer than the chunk\nthree\npartial');
      const chunks: string[] = [];
      const { end } = await readCompleteLines(path, 0, (c) => { chunks.push(c.text); }, 8);
      assert.equal(chunks.join(''), 'one\na line longer than the chunk\nthree\n');
      assert.equal(end, 'one\na line longer than the chunk\nthree\n'.length);
      truncateSync(path, end);
      assert.equal((await readCompleteLines(path, end, () => assert.fail('nothing new'))).end, end);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
