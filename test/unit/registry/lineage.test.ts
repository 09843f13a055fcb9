// Lineage of a model version (data inputs from run tags, services from revisions), signature
// tables, the Compare Versions plan, and Track Data File and the registry's change detection
// against a real SQLite file.
import * as assert from 'node:assert/strict';
import { appendFileSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import {
  dataInputsOfRunTags, deploymentsOfVersion, signatureTables, isDatasetModel, RESOLVED_MODEL_CONFIG_KEY, type RevisionOfService,
} from '../../../src/core/registry/lineage';
import { explainPlan, planVersionCompare } from '../../../src/core/registry/compareVersions';
import { RegistryStore, RegistryError } from '../../../src/platform/registry/registryStore';
import { trackDataFile, defaultDatasetName } from '../../../src/platform/registry/trackDataFile';
import { resolvedModelConfig } from '../../../src/platform/registry/deployedModel';
import { MODEL_FILES_DIGEST_CONFIG_KEY, modelFilesDigest } from '../../../src/core/registry/filesDigest';
import { runCli } from '../../../src/cli/runCli';

const SHA = 'c'.repeat(64);

describe('model version lineage', () => {
  it('reads data inputs from modelcloud.input.<name>.* tags, names with dots included', () => {
    const inputs = dataInputsOfRunTags({
      'modelcloud.input.wine.csv.sha256': SHA, 'modelcloud.input.wine.csv.size': '1234',
      'modelcloud.input.wine.csv.path': 'data/wine.csv', 'modelcloud.input.wine.csv.context': 'training',
      'modelcloud.input.labels.sha256': 'not-a-sha', 'mlflow.user': 'x', 'modelcloud.input.bad': 'no field',
    });
    assert.deepEqual(inputs, [
      { name: 'labels', sha256: null, size: null, path: null, context: null },
      { name: 'wine.csv', sha256: SHA, size: 1234, path: 'data/wine.csv', context: 'training' },
    ]);
  });

  it('finds the revisions that serve a version: exact URIs, recorded resolutions, and unknown older alias deploys', () => {
    const rev = (service: string, revision: number, modelVersion: string | undefined, config: Record<string, unknown> = {}): RevisionOfService =>
      ({ service, revision, status: 'previous', target: 'local', createdAt: revision, modelVersion, config });
    const found = deploymentsOfVersion([
      rev('api', 1, 'models:/wine/3'),
      rev('api', 2, 'models:/wine@champion', { [RESOLVED_MODEL_CONFIG_KEY]: 'models:/wine/3' }),
      rev('api', 3, 'models:/wine@champion', { [RESOLVED_MODEL_CONFIG_KEY]: 'models:/wine/4' }),
      rev('old', 1, 'models:/wine/Production'),
      rev('other', 1, 'models:/beer/3'),
      rev('files', 1, 'sha256:0123456789ab'),
      rev('none', 1, undefined),
    ], 'wine', 3);
    assert.deepEqual(found.map((d) => [d.service, d.revision, d.match]), [['api', 2, 'serves'], ['api', 1, 'serves'], ['old', 1, 'unknown']]);
  });

  it('turns signatures into input and output tables, keeping odd shapes raw', () => {
    assert.equal(signatureTables(null), null);
    assert.deepEqual(signatureTables({ inputs: [{ name: 'alcohol', type: 'double' }], outputs: { type: 'tensor', dtype: 'int64', shape: [-1] } }),
      { inputs: [{ name: 'alcohol', type: 'double' }], outputs: [{ name: 'tensor [n]', type: 'int64' }] });
    const odd = signatureTables({ inputs: 'x' });
    assert.ok(odd?.raw?.includes('"x"'));
  });

  it('plans Compare Versions: distinct runs, and says which versions are left out and why', () => {
    const plan = planVersionCompare([
      { version: 3, runId: 'r2' }, { version: 1, runId: 'r1' }, { version: 2, runId: null }, { version: 4, runId: 'r2' }, { version: 5, runId: 'gone' },
    ], (id) => id !== 'gone');
    assert.deepEqual(plan.runIds, ['r1', 'r2']);
    assert.equal(explainPlan('wine', plan),
      "wine: v2 has no source run (registered from a file); the run of v5 is not in this workspace's tracking store; v4 comes from the same run as v3.");
    assert.equal(explainPlan('wine', planVersionCompare([{ version: 1, runId: 'a' }, { version: 2, runId: 'b' }], () => true)), undefined);
  });
});

describe('Track Data File and registry change detection (real SQLite)', () => {
  let dir: string;
  let registry: RegistryStore;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'mc-track-'));
    registry = new RegistryStore(join(dir, 'tracking.db'));
  });
  afterEach(() => {
    registry.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('stores the bytes content-addressed, tags the model a dataset, and creates nothing for unchanged bytes', async () => {
    const file = join(dir, 'wine quality.csv');
    writeFileSync(file, 'a,b\n1,2\n');
    const name = defaultDatasetName(file);
    assert.equal(name, 'wine-quality.csv');
    const first = await trackDataFile(registry, dir, file, name);
    const sha = createHash('sha256').update('a,b\n1,2\n').digest('hex');
    assert.equal(first.unchanged, false);
    assert.deepEqual(first.version.files, [{ path: 'wine quality.csv', sha256: sha, size: 8 }]);
    assert.ok(existsSync(join(dir, 'artifacts', sha.slice(0, 2), sha.slice(2))));
    assert.ok(isDatasetModel(registry.getModel(name)!.tags));
    const again = await trackDataFile(registry, dir, file, name);
    assert.equal(again.unchanged, true);
    assert.equal(again.version.version, 1);
    appendFileSync(file, '3,4\n');
    assert.equal((await trackDataFile(registry, dir, file, name)).version.version, 2);
    assert.equal(registry.getModel(name)!.versions.length, 2);
  });

  it('refuses to add a data file to a registered model that is not a dataset', async () => {
    registry.createVersion('wine', { runId: null, files: [{ path: 'm.pkl', sha256: SHA, size: 1 }] });
    const file = join(dir, 'd.csv');
    writeFileSync(file, 'x');
    await assert.rejects(trackDataFile(registry, dir, file, 'wine'), (e: unknown) => e instanceof RegistryError && /not a dataset/.test(e.message));
  });

  it('sees commits of another connection through data_version, and only registry edits change the fingerprint', () => {
    const other = new RegistryStore(registry.path);
    try {
      const version = registry.dataVersion();
      const fingerprint = registry.changeFingerprint();
      registry.createVersion('own', { runId: null, files: [{ path: 'm', sha256: SHA, size: 1 }] });
      assert.equal(registry.dataVersion(), version, "this connection's own writes do not move data_version");
      other.createVersion('wine', { runId: null, files: [{ path: 'm', sha256: SHA, size: 1 }] });
      assert.notEqual(registry.dataVersion(), version);
      const before = registry.changeFingerprint();
      assert.notEqual(before, fingerprint);
      other.transitionStage('wine', 1, 'Staging');
      assert.notEqual(registry.changeFingerprint(), before, 'a stage change elsewhere changes the fingerprint');
    } finally {
      other.close();
    }
  });

  it('records what an alias URI resolved to at deploy time, with its files\' digest, and nothing for URIs that do not resolve', () => {
    const files = [{ path: 'm', sha256: SHA, size: 1 }];
    registry.createVersion('wine', { runId: null, files });
    registry.createVersion('wine', { runId: null, files });
    registry.setAlias('wine', 1, 'champion');
    const digest = { [MODEL_FILES_DIGEST_CONFIG_KEY]: modelFilesDigest(files) };
    assert.deepEqual(resolvedModelConfig(registry.path, 'models:/wine@champion'), { [RESOLVED_MODEL_CONFIG_KEY]: 'models:/wine/1', ...digest });
    assert.deepEqual(resolvedModelConfig(registry.path, 'models:/wine/latest'), { [RESOLVED_MODEL_CONFIG_KEY]: 'models:/wine/2', ...digest });
    assert.deepEqual(resolvedModelConfig(registry.path, 'models:/wine@nobody'), {});
    assert.deepEqual(resolvedModelConfig(registry.path, 'sha256:abc'), {});
    // A version number is pinned as it is, even when this store does not know it (yet).
    assert.deepEqual(resolvedModelConfig(registry.path, 'models:/wine/9'), { [RESOLVED_MODEL_CONFIG_KEY]: 'models:/wine/9' });
  });
});

describe('modelcloud track-data (in-process CLI, fresh folder)', () => {
  let ws: string;
  beforeEach(() => { ws = mkdtempSync(join(tmpdir(), 'mc-trackcli-')); });
  afterEach(() => rmSync(ws, { recursive: true, force: true }));

  async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
    let out = '';
    let err = '';
    const code = await runCli(args, { out: (t) => { out += t; }, err: (t) => { err += t; }, cwd: ws, version: '0' });
    return { code, out, err };
  }

  it('creates the store, tracks, says unchanged for the same bytes, and prints --json', async () => {
    writeFileSync(join(ws, 'train.csv'), 'x,y\n1,2\n');
    const first = await cli(['track-data', 'train.csv']);
    assert.equal(first.code, 0, first.err);
    assert.match(first.out, /^tracked train\.csv as train\.csv v1: 8 bytes, sha256 [0-9a-f]{64} \(models:\/train\.csv\/1\)\n$/);
    const again = await cli(['track-data', 'train.csv', '--json']);
    const json = JSON.parse(again.out) as { version: number; unchanged: boolean; uri: string };
    assert.deepEqual([json.version, json.unchanged, json.uri], [1, true, 'models:/train.csv/1']);
    appendFileSync(join(ws, 'train.csv'), '3,4\n');
    assert.match((await cli(['track-data', 'train.csv', '--name', 'train.csv'])).out, /as train\.csv v2/);
  });

  it('explains a missing file, a bad name and a missing argument', async () => {
    const missing = await cli(['track-data', 'nope.csv']);
    assert.equal(missing.code, 1);
    assert.match(missing.err, /cannot track .*nope\.csv: it is not a regular file/);
    writeFileSync(join(ws, 'a.csv'), 'a');
    const bad = await cli(['track-data', 'a.csv', '--name', 'has space']);
    assert.equal(bad.code, 1);
    assert.match(bad.err, /invalid dataset name 'has space'/);
    assert.equal((await cli(['track-data'])).code, 2);
  });
});
