import * as assert from 'node:assert/strict';
import {
  HEALTHCHECK_SCRIPT, LABELS, baseImageFor, buildSteps, entrypointArgv, generateDockerfile, generateDockerignore,
} from '../../../src/core/services/dockerfile';
import type { ServiceManifest } from '../../../src/core/services/manifest';

const manifest: ServiceManifest = { name: 'power', python: '3.11', entrypoint: 'python cloud_model.py', build_steps: [], models: ['model.pkl'] };

/** Instruction lines (continuations joined), without comments and blanks. */
function instructions(dockerfile: string): string[] {
  return dockerfile.replace(/ ?\\\n\s*/g, ' ').split('\n').filter((l) => l.trim() && !l.startsWith('#'));
}

function indexOf(lines: string[], prefix: string): number {
  const i = lines.findIndex((l) => l.startsWith(prefix));
  assert.ok(i >= 0, `no line starting with ${prefix}:\n${lines.join('\n')}`);
  return i;
}

describe('generateDockerfile', () => {
  const text = generateDockerfile({
    manifest: { ...manifest, build_steps: ['apt-get --version'] }, requirementsFile: 'requirements.txt', hasModels: true,
    modelVersion: 'models:/power@champion', sourceRun: 'run-42', runtimeVersion: '0.1.0',
  });
  const lines = instructions(text);

  it('orders layers dependencies → runtime → code → model, with the model-dependent labels last', () => {
    const order = ['FROM python:3.11-slim', 'COPY deps/ /app/', 'RUN pip install -r requirements.txt', 'USER 10001:10001',
      'COPY runtime/ /opt/modelcloud-runtime/', 'COPY code/ /app/', 'COPY model/ /app/', `LABEL ${LABELS.modelVersion}=`, 'ENV MODELCLOUD_MODEL_VERSION='];
    const positions = order.map((p) => indexOf(lines, p));
    assert.deepEqual([...positions].sort((a, b) => a - b), positions, `out of order:\n${lines.join('\n')}`);
    assert.equal(positions[positions.length - 1], lines.length - 1);
    // Nothing after the model COPY except metadata that changes with the model.
    assert.ok(lines.slice(indexOf(lines, 'COPY model/') + 1).every((l) => /^(LABEL|ENV MODELCLOUD_MODEL_VERSION)/.test(l)));
  });

  it('runs build_steps after the requirements install, in the dependency layer', () => {
    assert.ok(lines.includes('RUN pip install -r requirements.txt && apt-get --version'));
  });

  it('declares the pip options as build args (not ENV) so a build can use another index', () => {
    for (const arg of ['PIP_INDEX_URL', 'PIP_EXTRA_INDEX_URL', 'PIP_FIND_LINKS']) {
      assert.ok(lines.includes(`ARG ${arg}`), arg);
      assert.ok(!lines.some((l) => l.startsWith('ENV') && l.includes(`${arg}=`)), arg);
    }
    assert.ok(indexOf(lines, 'ARG PIP_INDEX_URL') < indexOf(lines, 'RUN pip install'));
    // Declared after the base layers: another index URL must not invalidate the venv layer's cache.
    assert.ok(indexOf(lines, 'ARG PIP_INDEX_URL') > indexOf(lines, 'RUN python3 -m venv'));
  });

  it('sets the container env, a non-root user, the port, a python HEALTHCHECK on /healthz and the command', () => {
    const env = lines.filter((l) => l.startsWith('ENV ')).join(' ');
    assert.match(env, /MODELCLOUD_HOST=0\.0\.0\.0/);
    assert.match(env, /MODELCLOUD_RUNENV=prod/);
    assert.match(env, /MODELCLOUD_PORT=9000/);
    assert.match(env, /PATH=\/opt\/venv\/bin:\$PATH/);
    assert.ok(lines.some((l) => l.includes('useradd --system --uid 10001')));
    assert.ok(lines.includes('EXPOSE 9000'));
    const health = lines[indexOf(lines, 'HEALTHCHECK')];
    assert.doesNotMatch(health, /curl|wget/);
    const argv = JSON.parse(health.slice(health.indexOf('CMD ') + 4)) as string[];
    assert.deepEqual(argv, ['python', '-c', HEALTHCHECK_SCRIPT]);
    assert.match(HEALTHCHECK_SCRIPT, /urllib\.request\.urlopen\('http:\/\/127\.0\.0\.1:%s\/healthz'/);
    assert.ok(lines.includes('CMD ["python","cloud_model.py"]'));
  });

  it('labels the image with OCI and modelcloud labels', () => {
    const labels = lines.filter((l) => l.startsWith('LABEL ')).join(' ');
    for (const expected of [
      'org.opencontainers.image.title="power"', `${LABELS.service}="power"`, `${LABELS.modelVersion}="models:/power@champion"`,
      `${LABELS.sourceRun}="run-42"`, 'org.opencontainers.image.version="models:/power@champion"', `${LABELS.runtime}="modelcloud/0.1.0"`,
      'org.opencontainers.image.base.name="python:3.11-slim"',
    ]) assert.ok(labels.includes(expected), expected);
  });

  it('leaves out what the folder does not have', () => {
    const bare = instructions(generateDockerfile({ manifest: { ...manifest, models: [] }, hasModels: false }));
    assert.ok(!bare.some((l) => l.startsWith('COPY deps/') || l.startsWith('COPY model/') || l.startsWith('RUN pip')));
    assert.ok(!bare.some((l) => l.includes(LABELS.modelVersion)));
    assert.equal(bare[bare.length - 1], 'COPY code/ /app/');
    assert.ok(bare.includes('USER 10001:10001'));
  });

  it('uses the configured base image, or a CUDA runtime image with python installed when cuda is set', () => {
    assert.ok(instructions(generateDockerfile({ manifest, hasModels: false, baseImage: 'localhost/py-base:bookworm' })).includes('FROM localhost/py-base:bookworm'));
    const cuda: ServiceManifest = { ...manifest, cuda: '12.4.1' };
    assert.equal(baseImageFor(cuda), 'nvidia/cuda:12.4.1-cudnn-runtime-ubuntu22.04');
    assert.equal(baseImageFor({ ...manifest, python: '3.12' }), 'python:3.12-slim');
    const cudaLines = instructions(generateDockerfile({ manifest: cuda, hasModels: false }));
    assert.equal(cudaLines[0], 'FROM nvidia/cuda:12.4.1-cudnn-runtime-ubuntu22.04');
    assert.ok(indexOf(cudaLines, 'RUN command -v python3') < indexOf(cudaLines, 'RUN python3 -m venv'));
  });

  it('quotes label values so quotes, dollars and newlines cannot break the Dockerfile', () => {
    const nasty = generateDockerfile({ manifest, hasModels: true, modelVersion: 'a"b$HOME\nFROM evil', sourceRun: 'r' });
    assert.ok(nasty.includes(`${LABELS.modelVersion}="a\\"b\\$HOME FROM evil"`));
    assert.ok(!nasty.split('\n').some((l) => l.startsWith('FROM evil')));
  });

  it('writes a .dockerignore that keeps caches out', () => {
    assert.match(generateDockerignore(), /\*\*\/__pycache__/);
  });
});

describe('buildSteps', () => {
  it('installs the requirements first unless a step already does', () => {
    assert.deepEqual(buildSteps(manifest, 'requirements.txt'), ['pip install -r requirements.txt']);
    assert.deepEqual(buildSteps({ ...manifest, build_steps: ['pip install -r requirements.txt'] }, 'requirements.txt'), ['pip install -r requirements.txt']);
    assert.deepEqual(buildSteps({ ...manifest, build_steps: ['pip3 install --no-deps -r ./requirements.txt'] }, 'requirements.txt'), ['pip3 install --no-deps -r ./requirements.txt']);
    assert.deepEqual(buildSteps({ ...manifest, build_steps: ['pip install -r requirements.txt.bak'] }, 'requirements.txt'),
      ['pip install -r requirements.txt', 'pip install -r requirements.txt.bak']);
    assert.deepEqual(buildSteps({ ...manifest, build_steps: ['make'] }), ['make']);
    assert.deepEqual(buildSteps(manifest, 'my reqs.txt'), ["pip install -r 'my reqs.txt'"]);
  });
});

describe('entrypointArgv', () => {
  it('uses exec form for plain words and sh -c for shell syntax', () => {
    assert.deepEqual(entrypointArgv('python cloud_model.py'), ['python', 'cloud_model.py']);
    assert.deepEqual(entrypointArgv('  python  -u serve.py --port=9000 '), ['python', '-u', 'serve.py', '--port=9000']);
    assert.deepEqual(entrypointArgv('python serve.py > /tmp/log'), ['/bin/sh', '-c', 'exec python serve.py > /tmp/log']);
  });
});
