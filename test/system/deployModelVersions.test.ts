// Serving registry versions for real: two versions of a model logged by the Python client and
// ingested into the registry, a service whose setup() is `modelcloud.load_model()` (no URI), and
// local deploys that pin what `model: models:/scaler@champion` resolved to. One folder serves
// another version as its own service (`deploy --model models:/scaler/2 --name ...`), an alias move
// only reaches a service when it is redeployed, and a rollback brings the old version back.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createServiceManager } from '../../src/platform/deploy/createServiceManager';
import { DeployError, type ServiceManager } from '../../src/platform/deploy/serviceManager.api';
import { PYTHON, REPO, killEverything, tempRoot } from './support/deployFixture';

const SERVICE = 'scaler-svc';
const VARIANT = 'scaler-svc-v2';

const SERVICE_CODE = `import modelcloud
from modelcloud.data_types import number


@modelcloud.setup
def setup():
    return modelcloud.load_model()   # the version this revision was deployed with


@modelcloud.command('predict', inputs={'x': number()}, outputs={'y': number()})
def predict(model, input):
    return {'y': input['x'] * model['factor']}


if __name__ == '__main__':
    modelcloud.run(port=9000, runenv="prod")
`;

describe('deploy: registry model versions served by load_model() (system)', function () {
  this.timeout(180_000);
  const root = tempRoot('modelcloud-deploy-models-');
  const storeDir = join(root, '.modelcloud');
  const src = join(root, 'scaler');
  let manager: ServiceManager;
  const urls = new Map<string, string>();

  const cli = (...args: string[]): string => {
    const r = spawnSync(process.execPath, [join(REPO, 'dist', 'cli.js'), '--store', storeDir, ...args], {
      encoding: 'utf8', env: { ...process.env, MODELCLOUD_PYTHON: PYTHON }, timeout: 90_000,
    });
    assert.equal(r.status, 0, `modelcloud ${args.join(' ')} failed:\n${r.stdout}\n${r.stderr}`);
    return r.stdout;
  };
  const predict = async (service: string, x = 10): Promise<number> => {
    const res = await fetch(`${urls.get(service)}/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ x }) });
    assert.equal(res.status, 200, await res.clone().text());
    return ((await res.json()) as { y: number }).y;
  };

  before(() => {
    // Two versions (factor 1 and 2) logged by the Python client, registered by a real ingest.
    const log = spawnSync(PYTHON, ['-c', [
      'import modelcloud',
      'for factor in (1, 2):',
      '    with modelcloud.start_run():',
      '        modelcloud.log_model({"factor": factor}, name="scaler")',
    ].join('\n')], { encoding: 'utf8', env: { ...process.env, PYTHONPATH: join(REPO, 'src', 'python'), MODELCLOUD_DIR: storeDir } });
    assert.equal(log.status, 0, log.stderr);
    const empty = join(root, 'nothing-else');
    mkdirSync(empty);
    cli('ingest', empty);
    cli('alias', 'scaler', '1', 'champion');
    mkdirSync(src);
    writeFileSync(join(src, 'cloud_model.py'), SERVICE_CODE);
    writeFileSync(join(src, 'modelcloud.yaml'), `name: ${SERVICE}\nentrypoint: python cloud_model.py\nmodel: models:/scaler@champion\nworkers: 1\n`);
    manager = createServiceManager({ storeDir, python: PYTHON, readyTimeoutMs: 30_000, drainTimeoutMs: 2_000 });
  });
  after(async () => {
    for (const name of [SERVICE, VARIANT]) { try { await manager.stop(name); } catch { /* not deployed */ } }
    manager.dispose();
    killEverything(storeDir);
  });

  it('deploys the manifest\'s models:/scaler@champion: load_model() gets v1, pinned in the revision', async () => {
    const result = await manager.deploy({ dir: src, target: 'local' });
    urls.set(SERVICE, result.url!);
    assert.equal(await predict(SERVICE), 10);
    const [revision] = await manager.revisions(SERVICE);
    const spec = revision.config.spec as { env: Record<string, string> };
    assert.equal(spec.env.MODELCLOUD_MODEL_URI, 'models:/scaler/1', 'the alias is resolved at deploy time');
    assert.match(spec.env.MODELCLOUD_MODEL_DIGEST, /^[0-9a-f]{64}$/, 'and the files, should a sync renumber the version');
  });

  it('the same folder serves v2 as its own service with --model and --name (CLI)', async () => {
    const out = cli('deploy', src, '--target', 'local', '--model', 'models:/scaler/2', '--name', VARIANT, '--json');
    const result = JSON.parse(out) as { service: string; url: string };
    assert.equal(result.service, VARIANT);
    urls.set(VARIANT, result.url);
    assert.notEqual(result.url, urls.get(SERVICE), 'a separate service on its own port');
    assert.equal(await predict(VARIANT), 20);
    assert.equal(await predict(SERVICE), 10, 'the first service is untouched');
    const listed = await manager.list();
    assert.deepEqual(listed.map((s) => [s.name, s.modelVersion, s.modelOverride]), [
      [SERVICE, 'models:/scaler@champion', undefined],
      [VARIANT, 'models:/scaler/2', 'models:/scaler/2'],
    ]);
  });

  it('refuses a model that does not resolve and a bad service name, deploying nothing', async () => {
    await assert.rejects(manager.deploy({ dir: src, target: 'local', model: 'models:/scaler/9', name: 'scaler-svc-v9' }),
      (e: unknown) => e instanceof DeployError && /models:\/scaler\/9 does not resolve/.test(e.message) && /modelcloud models/.test(e.message));
    await assert.rejects(manager.deploy({ dir: src, target: 'local', model: 'scaler v2' }),
      (e: unknown) => e instanceof DeployError && /not a registry model URI/.test(e.message));
    await assert.rejects(manager.deploy({ dir: src, target: 'local', name: 'Scaler_V2' }),
      (e: unknown) => e instanceof DeployError && /service name 'Scaler_V2' is not valid/.test(e.message));
    assert.deepEqual((await manager.list()).map((s) => s.name), [SERVICE, VARIANT]);
  });

  it('moving champion to v2 reaches the service only when it is redeployed; a rollback serves v1 again', async () => {
    cli('alias', 'scaler', '2', 'champion');
    assert.equal(await predict(SERVICE), 10, 'the running revision keeps the version it was deployed with');
    const redeployed = await manager.deploy({ dir: src, target: 'local' });
    assert.equal(redeployed.revision, 2);
    assert.equal(await predict(SERVICE), 20);
    await manager.rollback(SERVICE);
    assert.equal(await predict(SERVICE), 10, 'revision 1 still loads models:/scaler/1');
  });

  it('a redeploy of the variant keeps its --model and --name', async () => {
    const [variant] = (await manager.list()).filter((s) => s.name === VARIANT);
    const result = await manager.deploy({ dir: variant.dir, target: 'local', name: variant.name, model: variant.modelOverride });
    assert.equal(result.service, VARIANT);
    assert.equal(result.revision, 2);
    assert.equal(await predict(VARIANT), 20);
  });
});
