// The pure parsers, against the real fixture files where there are some.
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseRunLogChunk, metricValueFromJson } from '../../../src/core/ingest/runLogParser';
import { parseFlatYaml, parseMlflowMetricLine, parseMlflowFloat, mlflowStatus } from '../../../src/core/ingest/mlflowFormat';
import { parseSeedTimestamp, parseSeedMetricValue } from '../../../src/core/ingest/seedFormat';
import { metricColumns } from '../../fixtures/runLogEvents';

const MLRUNS = resolve(__dirname, '../../../../test/fixtures/mlruns');
const RUN = 'a'.repeat(32);
const start = JSON.stringify({ v: 1, t: 'run_start', ts: 1, run: RUN, experiment: 'e', name: 'n' });

describe('parseRunLogChunk', () => {
  it('parses complete lines and leaves a trailing partial line unconsumed', () => {
    const metrics = JSON.stringify({ v: 1, t: 'metrics', ts: 2, ...metricColumns([['loss', 0.5, 1, 2], ['loss', 'NaN', 2, 3]]) });
    const text = `${start}\n${metrics}\n{"v":1,"t":"par`;
    const parsed = parseRunLogChunk(text, 1);
    assert.deepEqual(parsed.events.map((e) => [e.line, e.event.t]), [[1, 'run_start'], [2, 'metrics']]);
    assert.equal(parsed.consumed, start.length + metrics.length + 2);
    assert.equal(parsed.lines, 2);
    assert.deepEqual(parsed.problems, []);
  });

  it('skips and reports garbage, unknown events and invalid fields with their line numbers', () => {
    const lines = [
      'not json at all',
      JSON.stringify({ v: 1, t: 'telemetry', ts: 1 }),
      JSON.stringify({ v: 2, t: 'params', ts: 1, params: {} }),
      JSON.stringify({ v: 1, t: 'params', ts: 1, params: { lr: 0.1 } }),
      JSON.stringify({ v: 1, t: 'metrics', ts: 1, ...metricColumns([['loss', 'nan' as 'NaN', 1, 1]]) }),
      JSON.stringify({ v: 1, t: 'run_start', ts: 1, run: 'XYZ', experiment: 'e', name: 'n' }),
      JSON.stringify({ v: 1, t: 'run_end', ts: 1, status: 'DONE' }),
      '[1,2]',
      '',
      JSON.stringify({ v: 1, t: 'params', ts: 1, params: { lr: '0.1' } }),
    ];
    const parsed = parseRunLogChunk(`${lines.join('\n')}\n`, 10);
    assert.deepEqual(parsed.events.map((e) => e.line), [19]);
    assert.deepEqual(parsed.problems.map((p) => p.line), [10, 11, 12, 13, 14, 15, 16, 17]);
    const [json, unknown, newer, params, point, run, end] = parsed.problems.map((p) => p.message);
    assert.match(json, /not valid JSON.*Run log format/);
    assert.match(unknown, /unknown event type t="telemetry"/);
    assert.match(newer, /v2 is newer.*update/);
    assert.match(params, /map strings to strings/);
    assert.match(point, /point 0 must be/);
    const ragged = parseRunLogChunk(`${JSON.stringify({ v: 1, t: 'metrics', ts: 1, keys: ['a'], values: [1, 2], steps: [0], times: [1] })}\n`, 1);
    assert.match(ragged.problems[0].message, /columns differ in length \(keys 1, values 2/);
    assert.match(run, /32 lowercase hex/);
    assert.match(end, /FINISHED, FAILED or KILLED/);
  });

  it('converts the JSON spellings of non-finite values', () => {
    assert.ok(Number.isNaN(metricValueFromJson('NaN')));
    assert.equal(metricValueFromJson('Infinity'), Infinity);
    assert.equal(metricValueFromJson('-Infinity'), -Infinity);
    assert.equal(metricValueFromJson(1.5), 1.5);
  });
});

describe('parseFlatYaml', () => {
  it('reads a real MLflow run meta.yaml', () => {
    const { values, problems } = parseFlatYaml(readFileSync(join(MLRUNS, '0/a1b2c3d4e5f60718293a4b5c6d7e8f90/meta.yaml'), 'utf8'));
    assert.deepEqual(problems, []);
    assert.equal(values.run_id, 'a1b2c3d4e5f60718293a4b5c6d7e8f90');
    assert.equal(values.experiment_id, '0');
    assert.equal(values.status, 3);
    assert.equal(values.start_time, 1700000001000);
    assert.equal(values.entry_point_name, '');
    assert.deepEqual(values.tags, []);
  });

  it('reads quoting, null and reports nested YAML instead of throwing', () => {
    const { values, problems } = parseFlatYaml("a: 'it''s'\nb: \"x\\ty\"\nc: null\nd:\ne: -1.5e3\nnested:\n  - x\nf: {a: 1}\n");
    assert.deepEqual(values, { a: "it's", b: 'x\ty', c: null, d: null, e: -1500, nested: null });
    assert.deepEqual(problems.map((p) => p.line), [7, 8]);
  });
});

describe('MLflow metric lines and statuses', () => {
  it('parses 3-field and legacy 2-field lines and Python float spellings', () => {
    assert.deepEqual(parseMlflowMetricLine('1700000003000 0.5 1'), { ts: 1700000003000, value: 0.5, step: 1 });
    assert.deepEqual(parseMlflowMetricLine('1700000002000 0.9'), { ts: 1700000002000, value: 0.9, step: 0 });
    assert.ok(Number.isNaN((parseMlflowMetricLine('1 nan 3') as { value: number }).value));
    for (const [text, value] of [['inf', Infinity], ['-inf', -Infinity], ['Infinity', Infinity], ['1e-05', 1e-5], ['-0.25', -0.25]] as const) {
      assert.equal(parseMlflowFloat(text), value, text);
    }
    assert.ok(Number.isNaN(parseMlflowFloat('NaN')!));
    assert.match(parseMlflowMetricLine('1 2 3 4') as string, /got 4 field/);
    assert.match(parseMlflowMetricLine('x 2 3') as string, /timestamp/);
    assert.match(parseMlflowMetricLine('1 abc 3') as string, /value "abc"/);
    assert.match(parseMlflowMetricLine('1 2 1.5') as string, /step/);
  });

  it('maps status ints 1-5', () => {
    assert.deepEqual([1, 2, 3, 4, 5].map((n) => mlflowStatus(n)), ['RUNNING', 'SCHEDULED', 'FINISHED', 'FAILED', 'KILLED']);
    assert.equal(mlflowStatus('FAILED'), 'FAILED');
    assert.equal(mlflowStatus(9), undefined);
  });
});

describe('seed values', () => {
  it('parses UTC timestamps and text or real metric values', () => {
    assert.equal(parseSeedTimestamp('2026-11-22 03:35:22'), Date.UTC(2026, 10, 22, 3, 35, 22));
    assert.equal(parseSeedTimestamp('yesterday'), undefined);
    assert.equal(parseSeedMetricValue('0.1234'), 0.1234);
    assert.equal(parseSeedMetricValue(2.5), 2.5);
    assert.equal(parseSeedMetricValue('abc'), undefined);
    assert.equal(parseSeedMetricValue(null), undefined);
  });
});
