// Run logs with `t:'model'` events ingested into a real SQLite store: registration, numbering,
// aliases, idempotence under re-ingest (also after the log was replaced and read from 0).
import * as assert from 'node:assert/strict';
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteTrackingStore } from '../../../src/platform/store/sqliteTrackingStore';
import { WorkspaceIngest } from '../../../src/platform/ingest/workspaceIngest';
import { RegistryStore } from '../../../src/platform/registry/registryStore';
import { validateRunEvent } from '../../../src/core/ingest/runLogParser';

const RUN_1 = '1'.repeat(32);
const RUN_2 = '2'.repeat(32);
const SHA = 'ab'.repeat(32);

function runLog(run: string, f1: number, alias: string | null, register = true): string {
  const files = [{ path: 'model.pkl', sha256: SHA, size: 12 }];
  return [
    { v: 1, t: 'run_start', ts: 1000, run, experiment: 'wine', name: `run-${run[0]}` },
    { v: 1, t: 'metrics', ts: 1001, keys: ['f1'], values: [f1], steps: [0], times: [1001] },
    { v: 1, t: 'artifact', ts: 1002, path: 'model/model.pkl', size: 12, sha256: SHA },
    { v: 1, t: 'model', ts: 1003, name: 'wine', path: 'model', files, flavor: 'pickle', signature: { inputs: [{ name: 'x', type: 'double' }] }, register, alias },
    { v: 1, t: 'run_end', ts: 1004, status: 'FINISHED' },
  ].map((e) => `${JSON.stringify(e)}\n`).join('');
}

describe('ingest of model events', () => {
  let ws: string;
  let storeDir: string;
  let store: SqliteTrackingStore;

  beforeEach(() => {
    ws = mkdtempSync(join(tmpdir(), 'mc-model-ingest-'));
    storeDir = join(ws, '.modelcloud');
    mkdirSync(join(storeDir, 'runs'), { recursive: true });
    store = new SqliteTrackingStore(join(storeDir, 'tracking.db'));
  });
  afterEach(() => {
    store.close();
    rmSync(ws, { recursive: true, force: true });
  });

  const ingest = () => new WorkspaceIngest(store, ws, storeDir, () => undefined).ingestAll();
  const registry = <T>(fn: (r: RegistryStore) => T): T => {
    const r = new RegistryStore(join(storeDir, 'tracking.db'));
    try { return fn(r); } finally { r.close(); }
  };

  it('registers version 1, then 2 from a second run, with alias, and never duplicates on re-ingest', async () => {
    writeFileSync(join(storeDir, 'runs', `${RUN_1}.jsonl`), runLog(RUN_1, 0.8, null));
    let report = await ingest();
    assert.deepEqual(report.problems, []);
    registry((r) => {
      const v1 = r.resolve('models:/wine/1');
      assert.equal(v1.runId, RUN_1);
      assert.equal(v1.flavor, 'pickle');
      assert.deepEqual(v1.files, [{ path: 'model.pkl', sha256: SHA, size: 12 }]);
      assert.deepEqual(v1.signature, { inputs: [{ name: 'x', type: 'double' }] });
      assert.equal(v1.createdMs, 1003);
    });
    writeFileSync(join(storeDir, 'runs', `${RUN_2}.jsonl`), runLog(RUN_2, 0.9, 'champion'));
    report = await ingest();
    assert.deepEqual(report.problems, []);
    await ingest();
    registry((r) => {
      assert.deepEqual(r.getModel('wine')!.versions.map((v) => [v.version, v.runId, v.aliases]), [[1, RUN_1, []], [2, RUN_2, ['champion']]]);
      assert.equal(r.resolve('models:/wine@champion').version, 2);
      assert.deepEqual(r.versionsWithMetric('wine', 'f1').map((v) => v.metric), [0.8, 0.9]);
    });
    // The log replaced (read again from 0): the run is reset, the registration is recognised.
    writeFileSync(join(storeDir, 'runs', `${RUN_1}.jsonl`), runLog(RUN_1, 0.7, 'old').replace('"run-1"', '"renamed-run"'));
    await ingest();
    registry((r) => {
      assert.deepEqual(r.getModel('wine')!.versions.map((v) => [v.version, v.aliases]), [[1, ['old']], [2, ['champion']]]);
    });
    assert.equal(store.listRegisteredModels()[0].versions.length, 2);
  });

  it('numbers versions in the order the run logs were written, not by file name', async () => {
    writeFileSync(join(storeDir, 'runs', `${RUN_2}.jsonl`), runLog(RUN_2, 0.9, null));
    writeFileSync(join(storeDir, 'runs', `${RUN_1}.jsonl`), runLog(RUN_1, 0.8, null));
    utimesSync(join(storeDir, 'runs', `${RUN_2}.jsonl`), 1000, 1000);
    utimesSync(join(storeDir, 'runs', `${RUN_1}.jsonl`), 2000, 2000);
    await ingest();
    registry((r) => assert.deepEqual(r.getModel('wine')!.versions.map((v) => [v.version, v.runId]), [[1, RUN_2], [2, RUN_1]]));
  });

  it('skips unregistered models and reports malformed model events without losing the rest', async () => {
    const path = join(storeDir, 'runs', `${RUN_1}.jsonl`);
    writeFileSync(path, runLog(RUN_1, 0.8, null, false));
    appendFileSync(path, `${JSON.stringify({ v: 1, t: 'model', ts: 5, name: 'wine', path: 'model', files: [], flavor: 'pickle', signature: null, register: true, alias: null })}\n`);
    const report = await ingest();
    assert.equal(report.problems.length, 1);
    assert.match(report.problems[0].message, /model: "files" must be a non-empty array/);
    assert.deepEqual(store.listRegisteredModels(), []);
    assert.equal(store.getRun(RUN_1)!.status, 'FINISHED');
  });

  it('validates every field of a model event', () => {
    const good = { v: 1, t: 'model', ts: 1, name: 'wine', path: 'model', files: [{ path: 'a', sha256: SHA, size: 1 }], flavor: 'joblib', register: true };
    const ok = validateRunEvent(good);
    assert.equal(typeof ok, 'object');
    assert.deepEqual([(ok as { signature: unknown }).signature, (ok as { alias: unknown }).alias], [null, null]);
    const bad: Array<[Record<string, unknown>, RegExp]> = [
      [{ name: 'a/b' }, /"name"/], [{ path: '' }, /"path"/], [{ files: [{ path: 'a', sha256: 'x', size: 1 }] }, /files\[0\]/],
      [{ flavor: 'onnx' }, /"flavor"/], [{ signature: [1] }, /"signature"/], [{ register: 'yes' }, /"register"/], [{ alias: '3' }, /"alias"/],
    ];
    for (const [patch, message] of bad) assert.match(validateRunEvent({ ...good, ...patch }) as string, message);
  });
});
