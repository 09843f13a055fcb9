// The CLI as a real process (bundled like dist/cli.js) over the MLflow fixture, and in-process for the rest.
import * as assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { spawnSync } from 'node:child_process';
import { buildSync } from 'esbuild';
import { runCli } from '../../../src/cli/runCli';

const REPO = resolve(__dirname, '../../../..');
const CLI = join(REPO, 'out', 'cli-under-test', 'cli.js');

function cli(args: string[], cwd: string): { code: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8' });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

async function inProcess(args: string[], cwd: string): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(args, { out: (t) => { out += t; }, err: (t) => { err += t; }, cwd, version: '9.9.9' });
  return { code, out, err };
}

describe('modelcloud CLI', function () {
  this.timeout(30_000);
  let ws: string;

  before(() => {
    // The same bundle esbuild.mjs makes for dist/cli.js, placed inside the repo so better-sqlite3 resolves.
    buildSync({
      entryPoints: [join(REPO, 'src/cli/main.ts')], bundle: true, platform: 'node', format: 'cjs', target: 'node20',
      outfile: CLI, external: ['better-sqlite3'], banner: { js: '#!/usr/bin/env node' }, logLevel: 'error',
    });
  });
  beforeEach(() => {
    ws = mkdtempSync(join(tmpdir(), 'mc-cli-'));
    cpSync(join(REPO, 'test/fixtures/mlruns'), join(ws, 'proj', 'mlruns'), { recursive: true });
  });
  afterEach(() => rmSync(ws, { recursive: true, force: true }));

  it('ingests a folder, then lists experiments and runs (human and JSON)', () => {
    const ingest = cli(['ingest', 'proj'], ws);
    assert.equal(ingest.code, 0, ingest.stderr);
    assert.match(ingest.stdout, /4 run\(s\) updated, 15 metric point\(s\), 0 problem\(s\)/);

    const exps = cli(['experiments'], ws);
    assert.equal(exps.code, 0, exps.stderr);
    assert.deepEqual(exps.stdout.trimEnd().split('\n').map((l) => l.split(/\s{2,}/).slice(0, 3)),
      [['NAME', 'RUNS', 'RUNNING'], ['Default', '1', '0'], ['cnn-sweep', '2', '1']]);
    const lines = exps.stdout.trimEnd().split('\n');
    assert.equal(lines[0].indexOf('RUNS') + 4, lines[1].indexOf('1') + 1, 'numbers right-aligned under their header');

    const json = cli(['runs', '--experiment', 'cnn-sweep', '--json'], ws);
    assert.equal(json.code, 0, json.stderr);
    const runs = JSON.parse(json.stdout) as Array<Record<string, unknown>>;
    assert.deepEqual(runs.map((r) => r.name), ['cnn-running', 'cnn-lr-0.1']);
    const failed = runs[1];
    assert.deepEqual(Object.keys(failed), ['id', 'name', 'experiment', 'status', 'startMs', 'endMs', 'params', 'metrics', 'tags']);
    assert.deepEqual(failed.metrics, { 'train/loss': '-Infinity', val_loss: 1.5 });
    assert.deepEqual(failed.params, { batch_size: '64', 'optimizer/name': 'adam' });
    assert.equal((failed.tags as Record<string, string>)['mlflow.user'], 'bob');

    const human = cli(['runs'], ws);
    assert.match(human.stdout, /^ID\s+NAME\s+EXPERIMENT\s+STATUS/);
    assert.match(human.stdout, /bright-fox-12\s+Default\s+FINISHED\s+2023-11-14 22:13\s+accuracy=0.75/);
  });

  it('searches runs with --filter, --order-by and --limit (MLflow syntax)', () => {
    assert.equal(cli(['ingest', 'proj'], ws).code, 0);
    const found = cli(['runs', '--filter', "metrics.`train/loss` IS NOT NULL and params.batch_size = '64'", '--order-by', 'attributes.start_time'], ws);
    assert.equal(found.code, 0, found.stderr);
    const lines = found.stdout.trimEnd().split('\n');
    assert.deepEqual(lines[0].split(/\s{2,}/), ['ID', 'NAME', 'EXPERIMENT', 'STATUS', 'START (UTC)', 'metrics.train/loss', 'params.batch_size']);
    assert.deepEqual(lines.slice(1).map((l) => l.split(/\s{2,}/)[1]), ['cnn-lr-0.1']);
    assert.match(lines[1], /-Infinity\s+64$/);

    const ordered = cli(['runs', '--order-by', 'attributes.start_time DESC', '--limit', '2'], ws);
    assert.equal(ordered.code, 0, ordered.stderr);
    assert.deepEqual(ordered.stdout.trimEnd().split('\n').slice(1, 3).map((l) => l.split(/\s{2,}/)[1]), ['cnn-running', 'cnn-lr-0.1']);
    assert.match(ordered.stdout, /\(2 of 3 matching runs; raise --limit to see more\)/);

    const json = cli(['runs', '--experiment', 'cnn-sweep', '--filter', "attributes.status IN ('FAILED', 'KILLED')", '--json'], ws);
    assert.equal(json.code, 0, json.stderr);
    const runs = JSON.parse(json.stdout) as Array<Record<string, unknown>>;
    assert.deepEqual(runs.map((r) => r.name), ['cnn-lr-0.1']);
    assert.deepEqual(runs[0].metrics, { 'train/loss': '-Infinity', val_loss: 1.5 });
    assert.deepEqual(runs[0].params, { batch_size: '64', 'optimizer/name': 'adam' });
    assert.equal(cli(['runs', '--filter', "params.batch_size = 'nope'"], ws).stdout, 'No runs match.\n');
  });

  it('shows a filter syntax error with a caret under the offending token and exits 2', () => {
    assert.equal(cli(['ingest', 'proj'], ws).code, 0);
    const bad = cli(['runs', '--filter', 'metrics.f1 0.9'], ws);
    assert.equal(bad.code, 2);
    assert.equal(bad.stdout, '');
    assert.deepEqual(bad.stderr.split('\n'), [
      'modelcloud: invalid --filter: expected a comparison operator (=, !=, <, <=, >, >=, LIKE, ILIKE, IN, NOT IN, IS NULL or IS NOT NULL) after metrics.f1 at column 12',
      '  metrics.f1 0.9',
      '             ^^^',
      '',
    ]);
    const or = cli(['runs', '--filter', "params.a = 'x' OR params.b = 'y'"], ws);
    assert.equal(or.code, 2);
    assert.match(or.stderr, /MLflow search supports only AND/);
    assert.match(or.stderr, /\n {17}\^\^\n$/);
    const order = cli(['runs', '--order-by', 'metrics.f1 DOWN'], ws);
    assert.equal(order.code, 2);
    assert.match(order.stderr, /^modelcloud: invalid --order-by: expected ASC, DESC or ','/);
    const hostile = cli(['runs', '--filter', "params.lr = '; DROP TABLE runs; --'"], ws);
    assert.equal(hostile.code, 0, hostile.stderr);
    assert.equal(cli(['runs', '--json'], ws).stdout.includes('bright-fox-12'), true, 'runs intact');
  });

  it('exits 2 with one line and a hint on bad usage, 1 for a missing folder', () => {
    const bad = cli(['runs', '--bogus'], ws);
    assert.equal(bad.code, 2);
    assert.equal(bad.stdout, '');
    assert.deepEqual(bad.stderr.trimEnd().split('\n'), ['modelcloud: unknown option --bogus', "Run 'modelcloud --help' for usage."]);
    const missing = cli(['ingest', 'nope'], ws);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /folder not found: .*nope/);
    const noStore = cli(['experiments'], ws);
    assert.equal(noStore.code, 1);
    assert.match(noStore.stderr, /no tracking store.*run 'modelcloud ingest' first/);
  });

  it('prints help and the package version', () => {
    const help = cli(['--help'], ws);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /Usage: modelcloud \[--store DIR\] <command>/);
    const version = cli(['--version'], ws);
    assert.equal(version.stdout.trim(), (require(join(REPO, 'package.json')) as { version: string }).version);
  });

  it('honours --store and reports problems in the ingest summary (in-process)', async () => {
    mkdirSync(join(ws, 'store', 'runs'), { recursive: true });
    const { writeFileSync } = await import('node:fs');
    writeFileSync(join(ws, 'store', 'runs', `${'e'.repeat(32)}.jsonl`), 'garbage\n');
    const ingest = await inProcess(['--store', 'store', 'ingest', 'proj'], ws);
    assert.equal(ingest.code, 0, ingest.err);
    assert.match(ingest.out, /1 problem\(s\)/);
    assert.match(ingest.out, new RegExp(`problem: ${ws}/store/runs/${'e'.repeat(32)}\\.jsonl:1: not valid JSON`));
    const exps = await inProcess(['--store', 'store', 'experiments', '--json'], ws);
    assert.deepEqual((JSON.parse(exps.out) as Array<{ name: string }>).map((e) => e.name), ['Default', 'cnn-sweep']);
    const unknown = await inProcess(['--store', 'store', 'runs', '--experiment', 'nope'], ws);
    assert.equal(unknown.code, 1);
    assert.match(unknown.err, /no experiment named 'nope'/);
  });
});
