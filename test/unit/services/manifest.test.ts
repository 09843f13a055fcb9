import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CPU_PATTERN, MANIFEST_FIELDS, MEMORY_PATTERN, MODEL_URI_PATTERN, PYTHON_VERSION_PATTERN, RESOURCE_FIELDS,
  SERVICE_NAME_PATTERN, didYouMean, parseManifest, sanitizeServiceName, type ManifestProblem,
} from '../../../src/core/services/manifest';

const FILE = '/work/power-forecast/modelcloud.yaml';

function problems(text: string): ManifestProblem[] {
  return parseManifest(text, FILE).problems;
}

function only(text: string, severity: 'error' | 'warning'): ManifestProblem {
  const found = problems(text).filter((p) => p.severity === severity);
  assert.equal(found.length, 1, JSON.stringify(found));
  return found[0];
}

describe('parseManifest', () => {
  it("reads the seed's manifest exactly as written (python: 3.7 stays '3.7', not the number)", () => {
    const seed = 'python: 3.7\ncuda: 9.2\nentrypoint: python cloud_model.py\nbuild_steps:\n  - pip install -r requirements.txt\n';
    const { manifest, problems: found } = parseManifest(seed, FILE);
    assert.deepEqual(found, []);
    assert.deepEqual(manifest, {
      name: 'power-forecast', python: '3.7', cuda: '9.2', entrypoint: 'python cloud_model.py',
      build_steps: ['pip install -r requirements.txt'], models: [],
    });
  });

  it('keeps versions as written where YAML would lose digits (3.10, 12.4.1)', () => {
    assert.equal(parseManifest('python: 3.10\n', FILE).manifest?.python, '3.10');
    assert.equal(parseManifest('python: "3.12"\ncuda: 12.4.1\n', FILE).manifest?.cuda, '12.4.1');
  });

  it('applies defaults to an empty file and names the service after its folder', () => {
    assert.deepEqual(parseManifest('', '/x/My Service_1/modelcloud.yaml').manifest, {
      name: 'my-service-1', python: '3.11', entrypoint: 'python cloud_model.py', build_steps: [], models: [],
    });
    assert.equal(parseManifest('# only a comment\n', FILE).manifest?.name, 'power-forecast');
    assert.equal(parseManifest('', FILE, { name: 'Given' }).manifest?.name, 'given');
  });

  it('reads every field', () => {
    const text = [
      'name: wine', 'python: "3.11"', 'entrypoint: python serve.py', 'requirements: deps/req.txt', 'models: [models/, extra.pkl]',
      'features: features', 'port: 9000', 'model: models:/wine@champion', 'workers: 4', 'replicas: 3',
      'resources: {cpu: 500m, memory: 1Gi}', 'env: {LOG_LEVEL: debug, THRESHOLD: 0.50, DEBUG: false}',
    ].join('\n');
    const { manifest, problems: found } = parseManifest(text, FILE);
    assert.deepEqual(found, []);
    assert.deepEqual(manifest, {
      name: 'wine', python: '3.11', entrypoint: 'python serve.py', build_steps: [], requirements: 'deps/req.txt',
      models: ['models/', 'extra.pkl'], features: 'features', port: 9000, model: 'models:/wine@champion', workers: 4, replicas: 3,
      resources: { cpu: '500m', memory: '1Gi' }, env: { LOG_LEVEL: 'debug', THRESHOLD: '0.50', DEBUG: 'false' },
    });
    assert.deepEqual(parseManifest('models: model.pkl\nresources: {cpu: 2}\n', FILE).manifest?.models, ['model.pkl']);
    assert.deepEqual(parseManifest('resources: {cpu: 1.5}\n', FILE).manifest?.resources, { cpu: '1.5' });
  });

  it('warns about unknown keys with the line, the column and a suggestion, and still yields the manifest', () => {
    const text = 'python: "3.11"\n  \nbuild_step:\n  - make\nresources:\n  cpus: 1\n';
    const result = parseManifest(text, FILE);
    assert.ok(result.manifest);
    assert.deepEqual(result.problems.map((p) => [p.severity, p.line, p.column]), [['warning', 3, 1], ['warning', 6, 3]]);
    assert.match(result.problems[0].message, /^\/work\/power-forecast\/modelcloud.yaml:3:1: unknown key 'build_step' is ignored; did you mean 'build_steps'\?$/);
    assert.match(result.problems[1].message, /unknown key 'resources.cpus'.*did you mean 'cpu'/);
    assert.doesNotMatch(only('frobnicate: 1\n', 'warning').message, /did you mean/);
  });

  it('reports wrong types and bad values as errors at the value, with no manifest', () => {
    const cases: Array<[string, number, number, RegExp]> = [
      ['port: "9000"\n', 1, 7, /port must be a whole number from 1 to 65535, got the text '9000'/],
      ['port: 70000\n', 1, 7, /port must be a whole number/],
      ['workers: 0\n', 1, 10, /workers must be a whole number from 1 to 64/],
      ['name: Power_Forecast\n', 1, 7, /name 'Power_Forecast' must be lowercase.*try 'power-forecast'/],
      ['python: 2.7\n', 1, 9, /python '2.7' is not a Python 3 version/],
      ['python:\n', 1, 1, /python must be a non-empty text, got nothing/],
      ['cuda: latest\n', 1, 7, /cuda 'latest' is not a CUDA version/],
      ['build_steps:\n  - pip install x\n  - 3\n', 3, 5, /build_steps\[2\]|build_steps\[1\] must be a non-empty text, got number 3/],
      ['build_steps: {a: 1}\n', 1, 14, /build_steps must be a list of texts/],
      ['entrypoint: [python, x.py]\n', 1, 13, /entrypoint must be a non-empty text, got a list/],
      ['models: [/etc/passwd]\n', 1, 10, /models\[0\] '\/etc\/passwd' must be a path inside the service folder/],
      ['requirements: ../req.txt\n', 1, 15, /requirements '..\/req.txt' must be a path inside/],
      ['model: wine@champion\n', 1, 8, /model 'wine@champion' is not a registry model URI; write models:\/NAME@alias/],
      ['resources: {memory: lots}\n', 1, 21, /resources.memory must be a quantity like 512Mi/],
      ['resources: 2\n', 1, 12, /resources must be a mapping/],
      ['env: {1X: a}\n', 1, 7, /env name '1X'/],
      ['env: {A: [1]}\n', 1, 10, /env.A must be a text, number or boolean, got a list/],
      ['env:\n  MODELCLOUD_ADMIN_TOKEN: s3cret\n', 2, 3, /MODELCLOUD_ADMIN_TOKEN must not be written in the manifest/],
      ['- python: 3.11\n', 1, 1, /must be a mapping of keys/],
      ['python: "3.11"\npython: "3.12"\n', 2, 1, /YAML syntax: Map keys must be unique/],
      ['python: [3.11\n', 2, 1, /YAML syntax: Flow sequence/],
    ];
    for (const [text, line, column, message] of cases) {
      const result = parseManifest(text, FILE);
      assert.equal(result.manifest, undefined, text);
      const error = result.problems.find((p) => p.severity === 'error');
      assert.ok(error, `no error for ${JSON.stringify(text)}`);
      assert.match(error.message, message, text);
      assert.deepEqual([error.line, error.column], [line, column], `${text} → ${error.message}`);
    }
  });

  it('reports every problem at once, not only the first', () => {
    const found = problems('port: x\nworkers: y\nnmae: a\n');
    assert.deepEqual(found.map((p) => `${p.severity}@${p.line}`), ['error@1', 'error@2', 'warning@3']);
  });

  it('checks model URIs: @alias, /version, /Stage', () => {
    for (const ok of ['models:/wine@champion', 'models:/wine/3', 'models:/wine/Production', 'models:/my.model-1@v2_b']) {
      assert.ok(MODEL_URI_PATTERN.test(ok), ok);
    }
    for (const bad of ['models:/wine', 'models:/wine@', 'models:/wine/3/x', 'runs:/abc/model', 'models:/@a', 'models:/wine/ 3']) {
      assert.ok(!MODEL_URI_PATTERN.test(bad), bad);
    }
  });

  it('sanitises names and suggests close keys only', () => {
    assert.equal(sanitizeServiceName('My  Model__v2!'), 'my-model-v2');
    assert.equal(sanitizeServiceName('---'), 'service');
    assert.equal(sanitizeServiceName('a'.repeat(80)).length, 63);
    assert.ok(SERVICE_NAME_PATTERN.test(sanitizeServiceName(`x-${'b'.repeat(70)}`)));
    assert.equal(didYouMean('replica', MANIFEST_FIELDS), "; did you mean 'replicas'?");
    assert.equal(didYouMean('Python', MANIFEST_FIELDS), "; did you mean 'python'?");
    assert.equal(didYouMean('zzzzzz', MANIFEST_FIELDS), '');
  });
});

describe('media/schemas/modelcloud.schema.json', () => {
  type SchemaNode = { type?: string | string[]; pattern?: string; description?: string; properties?: Record<string, SchemaNode>; additionalProperties?: unknown };
  const schema = JSON.parse(readFileSync(join(__dirname, '../../../../media/schemas/modelcloud.schema.json'), 'utf8')) as SchemaNode & { $schema: string };

  it('is draft-07 and describes exactly the fields the parser knows, each with a description', () => {
    assert.equal(schema.$schema, 'http://json-schema.org/draft-07/schema#');
    assert.equal(schema.additionalProperties, false);
    assert.deepEqual(Object.keys(schema.properties ?? {}), [...MANIFEST_FIELDS]);
    assert.deepEqual(Object.keys(schema.properties?.resources.properties ?? {}), [...RESOURCE_FIELDS]);
    for (const [key, prop] of Object.entries(schema.properties ?? {})) assert.ok((prop.description ?? '').length > 20, `${key} needs a description`);
  });

  it('uses the same patterns as the parser', () => {
    const p = schema.properties ?? {};
    const same = (pattern: string | undefined, expected: RegExp): void => assert.equal(new RegExp(pattern ?? '').source, expected.source);
    same(p.name.pattern, SERVICE_NAME_PATTERN);
    same(p.python.pattern, PYTHON_VERSION_PATTERN);
    same(p.model.pattern, MODEL_URI_PATTERN);
    same(p.resources.properties?.cpu.pattern, CPU_PATTERN);
    same(p.resources.properties?.memory.pattern, MEMORY_PATTERN);
  });

  it('gives the integer fields the type the parser requires', () => {
    for (const key of ['port', 'workers', 'replicas']) assert.equal(schema.properties?.[key].type, 'integer', key);
    for (const key of ['build_steps']) assert.equal(schema.properties?.[key].type, 'array', key);
    for (const key of ['resources', 'env']) assert.equal(schema.properties?.[key].type, 'object', key);
  });
});
