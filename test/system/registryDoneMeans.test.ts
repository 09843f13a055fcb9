// Issue #5's "done means", end to end with real components and nothing in between: the sample
// project (media/sample/train.py) trains in a real Python, the CLI ingests it and registers its
// two best runs as wine v1 and v2, promotes v2 to Production with alias champion, pushes it to a
// real S3 (Ceph radosgw), the local blob cache is deleted, and a second workspace with an empty
// store pulls models:/wine@champion and gets byte-identical, sha256-verified files;
// `select --env prod` honours the workspace's version range.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { runCli } from '../../src/cli/runCli';
import { connectRemote } from '../../src/platform/remote/s3Remote';
import { startRadosgw, type Radosgw } from './support/radosgw';

const REPO = process.env.MODELCLOUD_REPO ?? join(__dirname, '..', '..', '..');
const PYTHON = process.env.MODELCLOUD_PYTHON ?? 'python3';
const BUCKET = 'team-models';

interface VersionJson { name: string; version: number; stage: string; aliases: string[]; files: Array<{ path: string; sha256: string; size: number }> }

async function cli(cwd: string, ...args: string[]): Promise<string> {
  let out = '';
  let err = '';
  const code = await runCli(args, { out: (t) => { out += t; }, err: (t) => { err += t; }, cwd, version: 'test' });
  assert.equal(code, 0, `modelcloud ${args.join(' ')} failed (${code}): ${err}${out}`);
  return out;
}

describe('registry done-means: sample best runs → wine v1/v2 → Production + champion → radosgw → empty workspace (system)', function () {
  this.timeout(300_000);
  let rgw: Radosgw;
  let work: string;
  const savedEnv = { ...process.env };

  before(async function () {
    rgw = await startRadosgw((line) => console.log(`      ${line}`));
    work = mkdtempSync(join(tmpdir(), 'mc-done5-'));
    // The product reads S3 credentials from the AWS default chain (or SecretStorage in VS Code).
    Object.assign(process.env, { AWS_ACCESS_KEY_ID: rgw.credentials.accessKeyId, AWS_SECRET_ACCESS_KEY: rgw.credentials.secretAccessKey, AWS_REGION: rgw.region });
    const s3 = connectRemote({ name: 'setup', url: `s3://${BUCKET}`, endpoint: rgw.endpoint, region: rgw.region });
    await s3.client.send(new CreateBucketCommand({ Bucket: BUCKET }));
    s3.client.destroy();
  });

  after(async function () {
    process.env = savedEnv;
    await rgw?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('registers, promotes, pushes, forgets the cache, pulls into another workspace verified, and selects per environment', async function () {
    const a = join(work, 'sample');
    cpSync(join(REPO, 'media', 'sample'), a, { recursive: true });
    const trained = spawnSync(PYTHON, ['train.py'], {
      cwd: a, encoding: 'utf8', timeout: 240_000,
      env: { ...process.env, PYTHONPATH: join(REPO, 'src', 'python'), MODELCLOUD_DIR: join(a, '.modelcloud'), PYTHONWARNINGS: 'ignore' },
    });
    assert.equal(trained.status, 0, `the sample's train.py failed: ${trained.stderr}`);
    await cli(a, 'ingest', '.');

    const best = JSON.parse(await cli(a, 'runs', '--experiment', 'wine-quality', '--order-by', 'metrics.f1 DESC', '--limit', '2', '--json')) as Array<{ id: string; metrics: Record<string, number> }>;
    assert.equal(best.length, 2);
    assert.ok(best[0].metrics.f1 >= best[1].metrics.f1);
    // v1 = the runner-up, v2 = the best run.
    await cli(a, 'register', '--run', best[1].id, '--artifact', 'model', '--name', 'wine');
    await cli(a, 'register', '--run', best[0].id, '--artifact', 'model', '--name', 'wine');
    await cli(a, 'stage', 'wine', '2', 'Production', '--archive-existing');
    await cli(a, 'alias', 'wine', '2', 'champion');
    const champion = JSON.parse(await cli(a, 'resolve', 'models:/wine@champion', '--json')) as VersionJson;
    assert.deepEqual([champion.version, champion.stage, champion.aliases], [2, 'Production', ['champion']]);
    assert.ok(champion.files.length > 0);

    await cli(a, 'remote', 'add', 'central', `s3://${BUCKET}/wine-team`, '--endpoint', rgw.endpoint, '--region', rgw.region);
    assert.match(await cli(a, 'push', 'models:/wine@champion', '--remote', 'central'), /models:\/wine\/2 → /);

    // Forget every local blob: what comes back must come from the remote.
    rmSync(join(a, '.modelcloud', 'artifacts'), { recursive: true, force: true });

    const b = join(work, 'colleague');
    mkdirSync(b, { recursive: true });
    await cli(b, 'remote', 'add', 'central', `s3://${BUCKET}/wine-team`, '--endpoint', rgw.endpoint, '--region', rgw.region);
    await cli(b, 'pull', 'models:/wine@champion', '--remote', 'central', '--to', 'model');
    for (const f of champion.files) {
      const path = join(b, 'model', f.path);
      assert.ok(existsSync(path), `pulled file ${f.path} is missing`);
      const bytes = readFileSync(path);
      assert.equal(bytes.length, f.size, f.path);
      assert.equal(createHash('sha256').update(bytes).digest('hex'), f.sha256, `${f.path} differs from the registered version`);
    }

    writeFileSync(join(a, 'modelcloud.yaml'), 'environments:\n  prod: "<=1"\n  int: "<=2"\n');
    const prod = JSON.parse(await cli(a, 'select', '--env', 'prod', '--metric', 'f1', '--model', 'wine', '--json'));
    const int = JSON.parse(await cli(a, 'select', '--env', 'int', '--metric', 'f1', '--model', 'wine', '--json'));
    assert.equal(prod.selected.version, 1, JSON.stringify(prod));
    assert.equal(int.selected.version, 2, JSON.stringify(int));
  });
});
