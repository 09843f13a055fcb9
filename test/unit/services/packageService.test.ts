// Packaging on real folders (no container engine needed: the build itself is in test/system).
import * as assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../../src/cli/runCli';
import { parsePackageArgs } from '../../../src/cli/commands/package';
import { detectEngineWithReasons, noEngineMessage } from '../../../src/platform/containers/engine';
import { contextDigest, locateRuntimePackage, packageService, pipBuildArgsFromEnv } from '../../../src/platform/packaging/packageService';
import { loadServiceFolder, ServiceFolderError } from '../../../src/platform/packaging/serviceFolder';

/** An environment in which neither podman nor docker can be found. */
function noEngineEnv(dir: string): NodeJS.ProcessEnv {
  const bin = join(dir, 'empty-bin');
  mkdirSync(bin, { recursive: true });
  return { ...process.env, PATH: bin, MODELCLOUD_CONTAINER_ENGINE: '' };
}

function write(path: string, text: string | Buffer): void {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, text);
}

describe('packageService and the service folder', () => {
  let root: string;
  let svc: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'modelcloud-pkg-'));
    svc = join(root, 'Power Forecast');
    write(join(svc, 'cloud_model.py'), 'import modelcloud\n');
    write(join(svc, 'forecast_model.py'), 'class M: pass\n');
    write(join(svc, 'requirements.txt'), 'pandas\n');
    write(join(svc, 'model.pkl'), Buffer.from([1, 2, 3]));
    write(join(svc, 'models', 'scaler.joblib'), 'x');
    write(join(svc, '__pycache__', 'cloud_model.cpython-311.pyc'), 'junk');
    write(join(svc, '.venv', 'bin', 'python'), 'junk');
    write(join(svc, 'mlruns', '0', 'meta.yaml'), 'junk');
    write(join(svc, 'secret.txt'), 'mine only');
    chmodSync(join(svc, 'secret.txt'), 0o600);
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('finds the defaults of a folder without modelcloud.yaml', async () => {
    const folder = await loadServiceFolder(svc);
    assert.equal(folder.manifest.name, 'power-forecast');
    assert.equal(folder.manifest.python, '3.11');
    assert.equal(folder.manifest.entrypoint, 'python cloud_model.py');
    assert.equal(folder.requirementsFile, 'requirements.txt');
    assert.deepEqual(folder.modelFiles, ['model.pkl', 'models/scaler.joblib']);
    assert.equal(folder.manifestFile, undefined);
  });

  it('writes a context with deps, runtime, code and model separated, readable by the service user', async () => {
    const result = await packageService(svc, { build: false, baseImage: 'localhost/py-base:bookworm', env: noEngineEnv(root) });
    const ctx = result.contextDir;
    assert.equal(ctx, join(svc, '.modelcloud', 'build', 'power-forecast'));
    assert.equal(result.built, false);
    assert.match(result.reason ?? '', /--no-build/);
    assert.equal(readFileSync(join(ctx, 'Dockerfile'), 'utf8'), result.dockerfile);
    assert.match(result.dockerfile, /^FROM localhost\/py-base:bookworm$/m);
    assert.ok(existsSync(join(ctx, '.dockerignore')));
    assert.ok(existsSync(join(ctx, 'deps', 'requirements.txt')));
    assert.ok(existsSync(join(ctx, 'runtime', 'modelcloud', '__init__.py')));
    assert.ok(existsSync(join(ctx, 'code', 'cloud_model.py')));
    assert.ok(existsSync(join(ctx, 'code', 'forecast_model.py')));
    assert.ok(existsSync(join(ctx, 'model', 'model.pkl')));
    assert.ok(existsSync(join(ctx, 'model', 'models', 'scaler.joblib')));
    for (const gone of ['code/model.pkl', 'code/__pycache__', 'code/.venv', 'code/mlruns', 'code/.modelcloud', 'code/requirements.txt']) {
      assert.ok(!existsSync(join(ctx, gone)), gone);
    }
    assert.equal(statSync(join(ctx, 'code', 'secret.txt')).mode & 0o777, 0o644);
    assert.match(result.modelVersion ?? '', /^sha256:[0-9a-f]{12}$/);
    assert.match(result.digest, /^[0-9a-f]{64}$/);
    assert.equal(result.imageTag, `modelcloud/power-forecast:${result.digest.slice(0, 12)}`);
    assert.equal(contextDigest(ctx), result.digest);
  });

  it('gives the same digest for the same folder, and another when only the model changes', async () => {
    const env = noEngineEnv(root);
    const first = await packageService(svc, { build: false, env });
    const again = await packageService(svc, { build: false, env });
    assert.equal(again.digest, first.digest);
    write(join(svc, 'model.pkl'), Buffer.from([9, 9]));
    const changed = await packageService(svc, { build: false, env });
    assert.notEqual(changed.digest, first.digest);
    assert.notEqual(changed.modelVersion, first.modelVersion);
    // Only the model layer and the version lines of the Dockerfile differ.
    const diff = changed.dockerfile.split('\n').filter((l, i) => l !== first.dockerfile.split('\n')[i]);
    assert.ok(diff.length > 0 && diff.every((l) => l.includes(changed.modelVersion ?? '?')), diff.join('\n'));
  });

  it('without an engine, writes the context and says why nothing was built and how to build it', async () => {
    const env = noEngineEnv(root);
    const detection = await detectEngineWithReasons('auto', env);
    assert.equal(detection.engine, undefined);
    assert.deepEqual(detection.tried.map((t) => t.name), ['podman', 'docker']);
    assert.match(noEngineMessage(detection.tried), /podman: podman is not installed; docker: docker is not installed/);
    const result = await packageService(svc, { env });
    assert.equal(result.built, false);
    assert.match(result.reason ?? '', /no container engine answered .*The context is ready: docker build -t modelcloud\/power-forecast:/);
    assert.ok(existsSync(join(result.contextDir, 'Dockerfile')));
    const onlyDocker = await detectEngineWithReasons('auto', { ...env, MODELCLOUD_CONTAINER_ENGINE: 'docker' });
    assert.deepEqual(onlyDocker.tried.map((t) => t.name), ['docker']);
  });

  it('follows modelcloud.yaml: listed models, requirements path, base image from the environment', async () => {
    write(join(svc, 'modelcloud.yaml'), 'name: power\nrequirements: deps/reqs.txt\nmodels: [models/]\nmodel: models:/power@champion\nbuild_stepz: []\n');
    write(join(svc, 'deps', 'reqs.txt'), 'numpy\n');
    const result = await packageService(svc, { build: false, env: { ...noEngineEnv(root), MODELCLOUD_BASE_IMAGE: 'my/base:1' }, outDir: join(root, 'ctx') });
    assert.equal(result.contextDir, join(root, 'ctx'));
    assert.equal(result.manifest.name, 'power');
    assert.equal(result.modelVersion, 'models:/power@champion');
    assert.equal(result.baseImage, 'my/base:1');
    assert.ok(existsSync(join(root, 'ctx', 'deps', 'deps', 'reqs.txt')));
    assert.ok(existsSync(join(root, 'ctx', 'code', 'model.pkl')), 'model.pkl is code when the manifest lists models/ only');
    assert.ok(existsSync(join(root, 'ctx', 'model', 'models', 'scaler.joblib')));
    assert.match(result.dockerfile, /RUN pip install -r deps\/reqs.txt/);
    assert.match(result.warnings.join('\n'), /modelcloud.yaml:5:1: unknown key 'build_stepz' is ignored; did you mean 'build_steps'\?/);
  });

  it('refuses to empty an output folder it did not write', async () => {
    write(join(root, 'precious', 'thesis.tex'), 'x');
    await assert.rejects(packageService(svc, { build: false, outDir: join(root, 'precious') }), /is not a Modelcloud build context/);
    assert.ok(existsSync(join(root, 'precious', 'thesis.tex')));
  });

  it('explains what is wrong with a folder', async () => {
    await assert.rejects(loadServiceFolder(join(root, 'nope')), /service folder not found/);
    rmSync(join(svc, 'cloud_model.py'));
    await assert.rejects(loadServiceFolder(svc), (e: Error) => e instanceof ServiceFolderError && /cloud_model.py is missing/.test(e.message));
    write(join(svc, 'cloud_model.py'), '');
    write(join(svc, 'modelcloud.yaml'), 'port: high\nreplicas: -1\n');
    await assert.rejects(loadServiceFolder(svc), (e: Error) => e instanceof ServiceFolderError
      && /is invalid \(2 problems\).*\n.*modelcloud.yaml:1:7: port must be a whole number.*\n.*:2:11: replicas/.test(e.message));
    write(join(svc, 'modelcloud.yaml'), 'models: [missing.pkl]\n');
    await assert.rejects(loadServiceFolder(svc), /model path 'missing.pkl' does not exist/);
    write(join(svc, 'modelcloud.yaml'), 'requirements: nope.txt\n');
    await assert.rejects(loadServiceFolder(svc), /requirements 'nope.txt' does not exist/);
  });

  it('finds the modelcloud package to vendor, from the environment or upwards from the code', () => {
    const found = locateRuntimePackage({});
    assert.ok(existsSync(join(found.dir, '__init__.py')));
    assert.match(found.version ?? '', /^\d+\.\d+/);
    const parent = join(found.dir, '..');
    assert.equal(locateRuntimePackage({ MODELCLOUD_PYTHON_PACKAGE_DIR: parent }).dir, found.dir);
    assert.throws(() => locateRuntimePackage({ MODELCLOUD_PYTHON_PACKAGE_DIR: root }), /set MODELCLOUD_PYTHON_PACKAGE_DIR/);
  });

  it('turns MODELCLOUD_PIP_* variables into build args', () => {
    assert.deepEqual(pipBuildArgsFromEnv({ MODELCLOUD_PIP_INDEX_URL: 'http://i/simple', MODELCLOUD_PIP_FIND_LINKS: '', PIP_INDEX_URL: 'ignored' }),
      { PIP_INDEX_URL: 'http://i/simple' });
  });
});

describe('modelcloud package (CLI)', () => {
  it('parses its options and explains bad usage', () => {
    assert.deepEqual(parsePackageArgs(['svc', '--no-build', '--engine=podman', '--base-image', 'b:1', '--json']),
      { ok: true, args: { dir: 'svc', build: false, engine: 'podman', baseImage: 'b:1', json: true } });
    assert.match((parsePackageArgs([]) as { error: string }).error, /needs the service folder/);
    assert.match((parsePackageArgs(['a', 'b']) as { error: string }).error, /one service folder/);
    assert.match((parsePackageArgs(['a', '--engine', 'rkt']) as { error: string }).error, /--engine must be docker or podman, got 'rkt'/);
    assert.match((parsePackageArgs(['a', '--colour']) as { error: string }).error, /unknown option --colour/);
  });

  it('packages a folder with --no-build --json, and fails clearly on a bad folder', async () => {
    const root = mkdtempSync(join(tmpdir(), 'modelcloud-pkgcli-'));
    try {
      write(join(root, 'svc', 'cloud_model.py'), 'import modelcloud\n');
      let out = '';
      let err = '';
      const io = { out: (t: string) => { out += t; }, err: (t: string) => { err += t; }, cwd: root, version: '0.0.0' };
      assert.equal(await runCli(['package', 'svc', '--no-build', '--json'], io), 0, err);
      const json = JSON.parse(out) as { contextDir: string; built: boolean; imageTag: string };
      assert.equal(json.built, false);
      assert.equal(json.contextDir, join(root, 'svc', '.modelcloud', 'build', 'svc'));
      assert.match(json.imageTag, /^modelcloud\/svc:[0-9a-f]{12}$/);
      out = '';
      assert.equal(await runCli(['package', 'missing'], io), 1);
      assert.match(err, /service folder not found: .*missing/);
      assert.equal(await runCli(['package'], io), 2);
      out = '';
      assert.equal(await runCli(['--help'], io), 0);
      assert.match(out, /package DIR \[--no-build\]/);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
