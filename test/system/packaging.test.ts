// Package the seed's service (test/fixtures/services/seed: cloud_model.py unchanged, a
// scikit-learn model.pkl from train.py), build it with a real podman, run the container, call
// /predict, then change only the model and check the rebuild came from the cache down to the
// model layer. ~2-3 min on a fresh machine (the base image and the dependency layer), well
// under a minute once the cache folder holds them.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { LABELS } from '../../src/core/services/dockerfile';
import { packageService, type PackageResult } from '../../src/platform/packaging/packageService';
import { parseBuildSteps, provisionContainerEngine, type ContainerTestEnv } from './support/containers';

const REPO = process.env.MODELCLOUD_REPO ?? resolve(__dirname, '../../..');
const PYTHON = process.env.MODELCLOUD_PYTHON ?? 'python3';

async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolvePort(port));
    });
  });
}

async function waitFor(url: string, timeoutMs: number, logs: () => Promise<string>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    try {
      const r = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (r.status === 200) return;
      last = `HTTP ${r.status}`;
    } catch (e) {
      last = (e as Error).message;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${url} did not answer 200 within ${timeoutMs} ms (last: ${last}). Container log:\n${await logs()}`);
}

async function predict(port: number): Promise<number> {
  const r = await fetch(`http://127.0.0.1:${port}/predict`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ year: 2020, month: 6, day: 15 }),
  });
  const body = await r.text();
  assert.equal(r.status, 200, body);
  const yhat = (JSON.parse(body) as { yhat: unknown }).yhat;
  assert.equal(typeof yhat, 'number', body);
  return yhat as number;
}

describe('packaging: a real image with podman', function () {
  this.timeout(15 * 60_000);
  let env: ContainerTestEnv;
  let work: string;
  let service: string;
  const containers: string[] = [];
  /** Images unique to this run; the first image stays (it is the next run's layer cache). */
  const images: string[] = [];
  let first: PackageResult;
  let firstLines: string[] = [];

  before(async function () {
    const t = performance.now();
    env = await provisionContainerEngine((line) => process.stdout.write(`      ${line}\n`));
    process.stdout.write(`      provisioned in ${((performance.now() - t) / 1000).toFixed(1)} s: ${env.notes.join('; ')}\n`);
    work = mkdtempSync(join(tmpdir(), 'modelcloud-packaging-'));
    // A fixed folder name: the service (and image) name, so warm runs hit the same cache.
    service = join(work, 'seed-service');
    cpSync(join(REPO, 'test', 'fixtures', 'services', 'seed'), service, { recursive: true });
    execFileSync(PYTHON, [join(service, 'train.py'), '--label', 'v1'], { stdio: 'ignore' });
  });

  after(async () => {
    for (const name of containers) await env?.engine.remove(name).catch(() => undefined);
    for (const image of images) await env?.engine.removeImage(image).catch(() => undefined);
    await env?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  async function runContainer(image: string): Promise<number> {
    const name = `modelcloud-systest-${process.pid}-${containers.length}`;
    containers.push(name);
    const port = await freePort();
    await env.engine.run({ image, name, hostPort: port, containerPort: 9000, env: { MODELCLOUD_ADMIN_TOKEN: 'systest-token' } });
    await waitFor(`http://127.0.0.1:${port}/readyz`, 90_000, () => env.engine.logs(name));
    return port;
  }

  it('builds the seed service into an image with labels, from the local base image and pip index', async () => {
    first = await packageService(service, {
      engine: env.engine, env: env.processEnv, sourceRun: 'run-systest', onLine: (l) => firstLines.push(l),
    });
    process.stdout.write(`      first build: ${first.buildSeconds?.toFixed(1)} s (${parseBuildSteps(firstLines).filter((s) => s.cached).length} cached steps)\n`);
    assert.equal(first.built, true, first.reason);
    assert.equal(first.baseImage, env.baseImage);
    const labels = await env.engine.imageLabels(first.imageTag);
    assert.ok(labels, `no image ${first.imageTag}`);
    assert.equal(labels[LABELS.service], 'seed-service');
    assert.equal(labels[LABELS.modelVersion], first.modelVersion);
    assert.match(first.modelVersion ?? '', /^sha256:[0-9a-f]{12}$/);
    assert.equal(labels[LABELS.sourceRun], 'run-systest');
    assert.equal(labels['org.opencontainers.image.title'], 'seed-service');
    // Build args configure pip during the build only.
    const envList = env.engine.exec(['image', 'inspect', '--format', '{{json .Config.Env}}', first.imageTag]);
    const imageEnv = JSON.parse((await envList).stdout) as string[];
    assert.ok(imageEnv.includes('MODELCLOUD_HOST=0.0.0.0') && imageEnv.includes('MODELCLOUD_RUNENV=prod'), imageEnv.join(' '));
    assert.ok(!imageEnv.some((e) => e.startsWith('PIP_INDEX_URL=')), imageEnv.join(' '));
  });

  it('runs as a non-root user, becomes ready, answers /predict and passes its HEALTHCHECK', async function () {
    if (!first?.built) this.skip();
    const port = await runContainer(first.imageTag);
    const yhat = await predict(port);
    assert.ok(yhat > 100 && yhat < 1000, `a plausible power forecast in MW, got ${yhat}`);
    const version = await (await fetch(`http://127.0.0.1:${port}/version`)).json() as { model_version?: string };
    assert.equal(version.model_version, first.modelVersion);
    // The admin token reached the container (passed by name, not on the command line).
    const admin = (auth?: string): Promise<Response> => fetch(`http://127.0.0.1:${port}/admin/model`, {
      method: 'POST', headers: { 'content-type': 'application/json', ...(auth ? { authorization: auth } : {}) }, body: '{}',
    });
    assert.equal((await admin()).status, 401);
    assert.equal((await admin('Bearer systest-token')).status, 202);
    const name = containers[containers.length - 1];
    assert.equal((await env.engine.exec(['exec', name, 'id', '-u'])).stdout.trim(), '10001');
    const health = await env.engine.exec(['healthcheck', 'run', name]);
    assert.equal(health.code, 0, `healthcheck: ${health.stdout}${health.stderr}`);
  });

  it('rebuilds only the model layer after a model-only change, and the new image serves the new model', async function () {
    if (!first?.built) this.skip();
    // A different model (predictions shifted by 50 MW; a unique label so no earlier run's layer matches).
    execFileSync(PYTHON, [join(service, 'train.py'), '--offset', '50', '--label', `v2-${Date.now()}`], { stdio: 'ignore' });
    const lines: string[] = [];
    const second = await packageService(service, { engine: env.engine, env: env.processEnv, sourceRun: 'run-systest', onLine: (l) => lines.push(l) });
    images.push(second.imageTag);
    assert.notEqual(second.modelVersion, first.modelVersion);
    assert.notEqual(second.imageTag, first.imageTag);
    const steps = parseBuildSteps(lines);
    const modelStep = steps.findIndex((s) => s.instruction.startsWith('COPY model/'));
    assert.ok(modelStep > 0, lines.join('\n'));
    const before = steps.slice(1, modelStep); // FROM is never "cached"
    const rebuilt = steps.filter((s) => !s.cached && !s.instruction.startsWith('FROM')).map((s) => s.instruction.split(' ')[0] + ' ' + (s.instruction.split(' ')[1] ?? ''));
    process.stdout.write(`      rebuild after a model change: ${second.buildSeconds?.toFixed(1)} s vs first ${first.buildSeconds?.toFixed(1)} s; ` +
      `rebuilt steps: ${rebuilt.join(', ')}\n`);
    assert.ok(before.every((s) => s.cached), `steps before the model layer should come from the cache:\n${before.map((s) => `${s.cached ? 'cached ' : 'BUILT  '} ${s.instruction.slice(0, 80)}`).join('\n')}`);
    assert.equal(steps[modelStep].cached, false);
    assert.ok(steps.slice(modelStep + 1).every((s) => /^(LABEL|ENV MODELCLOUD_MODEL_VERSION)/.test(s.instruction)));
    const labels = await env.engine.imageLabels(second.imageTag);
    assert.equal(labels?.[LABELS.modelVersion], second.modelVersion);

    const oldPort = await runContainer(first.imageTag).catch(() => undefined);
    const newPort = await runContainer(second.imageTag);
    const shifted = await predict(newPort);
    if (oldPort !== undefined) assert.ok(Math.abs(shifted - (await predict(oldPort)) - 50) < 1, `expected +50 MW, got ${shifted}`);
  });
});
