// The registry commands in-process over a real store: register from run artifacts, stage, alias,
// resolve, select by environment range, models --json, and the errors users hit.
import * as assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../../src/cli/runCli';
import { SqliteTrackingStore } from '../../../src/platform/store/sqliteTrackingStore';

const RUNS = ['1'.repeat(32), '2'.repeat(32), '3'.repeat(32)];
const F1 = [0.8, 0.9, 0.95];
const sha = (i: number) => String(i).repeat(64);

async function cli(args: string[], cwd: string): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(args, { out: (t) => { out += t; }, err: (t) => { err += t; }, cwd, version: '9.9.9' });
  return { code, out, err };
}

describe('modelcloud registry commands', function () {
  this.timeout(20_000);
  let ws: string;

  beforeEach(() => {
    ws = mkdtempSync(join(tmpdir(), 'mc-regcli-'));
    const store = new SqliteTrackingStore(join(ws, '.modelcloud', 'tracking.db'));
    store.apply({
      runs: RUNS.map((id) => ({ id, experiment: 'wine', name: id.slice(0, 4), status: 'FINISHED' as const, startMs: 1, origin: 'modelcloud' as const })),
      metrics: RUNS.map((runId, i) => ({ runId, key: 'f1', value: F1[i], step: 0, ts: 1 })),
      artifacts: RUNS.flatMap((runId, i) => [
        { runId, path: 'model/model.pkl', size: 10 + i, sha256: sha(i + 1) },
        { runId, path: 'model/MLmodel.json', size: 5, sha256: sha(7) },
        { runId, path: 'report.txt', size: 3, sha256: sha(8) },
      ]),
    });
    store.close();
    // One blob present, the others missing: register warns but proceeds.
    mkdirSync(join(ws, '.modelcloud', 'artifacts', '11'), { recursive: true });
    writeFileSync(join(ws, '.modelcloud', 'artifacts', '11', sha(1).slice(2)), 'x');
    writeFileSync(join(ws, 'modelcloud.yaml'), 'environments:\n  prod: "<=1"\n  int: "<=2"\n  dev: "*"\n  broken: "<=1.0"\n');
  });
  afterEach(() => rmSync(ws, { recursive: true, force: true }));

  it('registers, stages, aliases, resolves and selects like the tutorial', async () => {
    for (const [i, runId] of RUNS.entries()) {
      const r = await cli(['register', '--run', runId, '--artifact', 'model', '--name', 'wine'], ws);
      assert.equal(r.code, 0, r.err);
      assert.match(r.out, new RegExp(`registered wine version ${i + 1} \\(2 file\\(s\\)\\)`));
    }
    const single = await cli(['register', '--run', RUNS[0], '--artifact', 'report.txt', '--name', 'report', '--alias', 'latest-report', '--json'], ws);
    assert.equal(single.code, 0, single.err);
    assert.deepEqual(JSON.parse(single.out).files, [{ path: 'report.txt', sha256: sha(8), size: 3 }]);
    assert.equal(JSON.parse(single.out).flavor, 'file');

    assert.equal((await cli(['stage', 'wine', '1', 'production'], ws)).code, 0);
    const promote = await cli(['stage', 'wine', '2', 'Production', '--archive-existing', '--reason', 'better f1'], ws);
    assert.equal(promote.code, 0, promote.err);
    assert.equal(promote.out, 'wine version 2: None → Production\nwine version 1: Production → Archived\n');
    assert.equal((await cli(['alias', 'wine', '2', 'champion'], ws)).out, 'models:/wine@champion → version 2\n');

    const resolved = await cli(['resolve', 'models:/wine@champion', '--json'], ws);
    assert.equal(resolved.code, 0, resolved.err);
    const manifest = JSON.parse(resolved.out);
    assert.deepEqual({ ...manifest, createdMs: 0 }, {
      name: 'wine', version: 2, runId: RUNS[1], stage: 'Production', aliases: ['champion'], signature: null, flavor: 'pickle', createdMs: 0,
      files: [{ path: 'MLmodel.json', sha256: sha(7), size: 5 }, { path: 'model.pkl', sha256: sha(2), size: 11 }],
    });
    assert.equal(JSON.parse((await cli(['resolve', 'models:/wine/Production', '--json'], ws)).out).version, 2);

    const prod = await cli(['select', '--env', 'prod', '--metric', 'metrics.f1', '--model', 'wine', '--json'], ws);
    assert.equal(prod.code, 0, prod.err);
    const chosen = JSON.parse(prod.out);
    assert.equal(chosen.selected.version, 1);
    assert.equal(chosen.range, '<=1');
    assert.deepEqual(chosen.reasons.map((r: { status: string }) => r.status), ['selected', 'excluded-by-range', 'excluded-by-range']);
    assert.equal(JSON.parse((await cli(['select', '--env', 'int', '--metric', 'f1', '--model', 'wine', '--json'], ws)).out).selected.version, 2);
    assert.equal(JSON.parse((await cli(['select', '--env', 'dev', '--metric', 'f1', '--model', 'wine', '--json'], ws)).out).selected.version, 3);
    assert.equal(JSON.parse((await cli(['select', '--env', 'dev', '--metric', 'f1', '--min', '--model', 'wine', '--json'], ws)).out).selected.version, 1);

    const models = await cli(['models', '--json'], ws);
    const list = JSON.parse(models.out);
    assert.deepEqual(list.map((m: { name: string }) => m.name), ['report', 'wine']);
    assert.deepEqual(list[1].versions.map((v: { stage: string }) => v.stage), ['Archived', 'Production', 'None']);
    const table = await cli(['models'], ws);
    assert.match(table.out, /wine\s+2\s+Production\s+@champion/);
  });

  it('fails with clear messages on bad input, changing nothing', async () => {
    assert.equal((await cli(['register', '--run', RUNS[0], '--artifact', 'model', '--name', 'wine'], ws)).code, 0);
    const cases: Array<[string[], number, RegExp]> = [
      [['register', '--run', RUNS[0], '--name', 'wine'], 2, /needs --run ID, --artifact PATH and --name NAME/],
      [['register', '--run', 'f'.repeat(32), '--artifact', 'model', '--name', 'wine'], 1, /no run f{32}.*modelcloud ingest/],
      [['register', '--run', RUNS[0], '--artifact', 'nope', '--name', 'wine'], 1, /no artifact 'nope'.*it has: model\/MLmodel.json, model\/model.pkl, report.txt/],
      [['stage', 'wine', '1', 'Prod'], 2, /unknown stage 'Prod'/],
      [['stage', 'wine', 'x', 'Staging'], 2, /VERSION must be a version number/],
      [['stage', 'wine', '5', 'Staging'], 1, /version 5 does not exist/],
      [['stage', 'nope', '1', 'Staging'], 1, /no registered model 'nope' \(registered: wine\)/],
      [['alias', 'wine', '4', 'champion'], 1, /no version 4 \(versions: 1\)/],
      [['resolve', 'wine@champion'], 2, /must start with 'models:\/'/],
      [['resolve', 'models:/wine@champion'], 1, /no alias 'champion'.*modelcloud alias wine VERSION champion/],
      [['select', '--env', 'qa', '--metric', 'f1'], 1, /no environment 'qa'.*declared: prod, int, dev, broken/],
      [['select', '--env', 'broken', '--metric', 'f1'], 1, /environment 'broken': invalid version range '<=1.0'.*whole numbers/],
      [['select', '--env', 'prod', '--metric', 'auc', '--json'], 1, /no version of wine in environment 'prod'.*has metric 'auc'/],
      [['select', '--env', 'prod', '--metric', 'f1', '--max', '--min'], 2, /not both/],
    ];
    for (const [args, code, message] of cases) {
      const r = await cli(args, ws);
      assert.equal(r.code, code, `${args.join(' ')}: ${r.err}`);
      assert.match(r.err, message, args.join(' '));
    }
    const models = JSON.parse((await cli(['models', '--json'], ws)).out);
    assert.deepEqual(models[0].versions.map((v: { version: number; stage: string }) => [v.version, v.stage]), [[1, 'None']]);
    const empty = mkdtempSync(join(tmpdir(), 'mc-regcli-empty-'));
    try {
      const r = await cli(['models'], empty);
      assert.equal(r.code, 1);
      assert.match(r.err, /no tracking store at .*run 'modelcloud ingest' first/);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
