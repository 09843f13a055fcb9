import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  PrometheusParseError, bucketsIncrease, counterRate, histogramQuantile, histogramSeries, mergeHistograms,
  parsePrometheusText, seriesKey, sumSamples, type ParsedMetrics, type Sample,
} from '../../../src/core/monitoring/prometheusText';

// Real prometheus_client output and its own parser's reading of it, made by
// test/fixtures/monitoring/generate_prometheus_client.py.
const FIXTURES = resolve(__dirname, '../../../../test/fixtures/monitoring');
const realText = readFileSync(resolve(FIXTURES, 'prometheus_client_output.txt'), 'utf8');
const expected = JSON.parse(readFileSync(resolve(FIXTURES, 'prometheus_client_expected.json'), 'utf8'));

function allSamples(parsed: ParsedMetrics): Array<Sample & { type: string }> {
  return parsed.families.flatMap((f) => f.samples.map((s) => ({ ...s, type: f.type })));
}

function jsonNumber(v: number | string): number {
  return v === 'NaN' ? NaN : v === 'Infinity' ? Infinity : v === '-Infinity' ? -Infinity : (v as number);
}

describe('Prometheus text parser on real prometheus_client output', () => {
  const parsed = parsePrometheusText(realText);

  it(`reads the same ${expected.samples.length} samples, labels and values as prometheus_client's parser`, () => {
    const ours = allSamples(parsed);
    assert.equal(ours.length, expected.samples.length);
    for (const e of expected.samples) {
      const match = ours.find((s) => s.name === e.name && seriesKey('', s.labels) === seriesKey('', e.labels));
      assert.ok(match, `sample ${seriesKey(e.name, e.labels)} missing`);
      assert.ok(Object.is(match.value, jsonNumber(e.value)) || match.value === jsonNumber(e.value),
        `${seriesKey(e.name, e.labels)}: ${match.value} vs ${e.value}`);
      assert.equal(match.type, e.type, `type of ${e.name}`);
    }
  });

  it('unescapes label values with quotes, backslashes and newlines, and HELP text', () => {
    const requests = parsed.get('demo_requests_total')!;
    assert.equal(requests.type, 'counter');
    const commands = requests.samples.map((s) => s.labels.command);
    assert.ok(commands.includes('say "hi"'));
    assert.ok(commands.includes('multi\nline \\ path'));
    assert.ok(commands.includes(''));
    assert.equal(requests.help, 'Requests handled, by "command" and code.\nSecond line \\ backslash.');
  });

  it('keeps NaN and infinities', () => {
    const odd = parsed.get('demo_odd_values')!;
    const by = Object.fromEntries(odd.samples.map((s) => [s.labels.kind, s.value]));
    assert.ok(Number.isNaN(by.nan));
    assert.equal(by.pinf, Infinity);
    assert.equal(by.ninf, -Infinity);
    assert.equal(by.tiny, 1.5e-12);
  });

  it('groups histogram _bucket/_sum/_count per label set and computes p50/p95/p99 like histogram_quantile', () => {
    const series = histogramSeries(parsed.get('demo_latency_seconds')!);
    const predict = series.find((s) => s.labels.command === 'predict')!;
    assert.equal(predict.count, 200);
    assert.equal(predict.buckets.length, 9);
    assert.equal(predict.buckets[8].le, Infinity);
    assert.ok(Math.abs(predict.sum - 20) < 1e-9);
    assert.ok(Math.abs(histogramQuantile(0.5, predict.buckets) - 0.1) < 1e-12);
    assert.ok(Math.abs(histogramQuantile(0.95, predict.buckets) - 0.235) < 1e-12);
    assert.ok(Math.abs(histogramQuantile(0.99, predict.buckets) - 0.247) < 1e-12);
    // train: 0.3, 0.7, 2.0 → the top third lies in +Inf: the answer is the highest finite bound.
    const train = series.find((s) => s.labels.command === 'train')!;
    assert.equal(histogramQuantile(0.99, train.buckets), 1);
    const all = mergeHistograms(series);
    assert.equal(all.count, 203);
    assert.equal(all.buckets[all.buckets.length - 1].count, 203);
  });

  it('groups summary quantile samples with their _sum and _count', () => {
    const summary = parsed.get('demo_payload_bytes')!;
    assert.equal(summary.type, 'summary');
    assert.equal(sumSamples(summary, 'demo_payload_bytes_count'), 4);
    assert.equal(sumSamples(summary, 'demo_payload_bytes_sum'), 2044);
  });
});

describe('Prometheus text parser: format details and errors', () => {
  it('reads timestamps, untyped metrics, blank lines, comments and CRLF', () => {
    const parsed = parsePrometheusText('# a comment\r\n\nup 1 1700000000000\r\nmetric_without_type{a="b",} -2.5e3\n');
    assert.equal(parsed.get('up')!.samples[0].timestampMs, 1700000000000);
    assert.equal(parsed.get('up')!.type, 'untyped');
    const m = parsed.get('metric_without_type')!.samples[0];
    assert.deepEqual(m.labels, { a: 'b' });
    assert.equal(m.value, -2500);
    assert.equal(m.line, 4);
  });

  it('names the line and column of a malformed sample', () => {
    const bad = '# TYPE x counter\nx_total 1\nx_total{code="200" 3\n';
    assert.throws(() => parsePrometheusText(bad), (err: unknown) => {
      assert.ok(err instanceof PrometheusParseError);
      assert.equal(err.line, 3);
      assert.match(err.message, /line 3, column 20: expected , or } after a label value/);
      return true;
    });
  });

  it('rejects bad values, escapes, timestamps, duplicate or late TYPE lines', () => {
    const cases: Array<[string, RegExp]> = [
      ['x 12abc\n', /line 1.*invalid sample value '12abc'/],
      ['x{a="\\t"} 1\n', /invalid escape \\t/],
      ['x 1 12.5\n', /invalid timestamp/],
      ['x{a="1"\n', /line 1/],
      ['x\n', /expected a space before the value/],
      ['# TYPE x gauge\n# TYPE x gauge\n', /line 2.*second TYPE line for x/],
      ['x 1\n# TYPE x gauge\n', /line 2.*TYPE for x after its samples/],
      ['# TYPE x histgram\n', /unknown metric type 'histgram'/],
      ['# TYPE h histogram\nh_bucket 1\n', /line 2.*without an 'le' label/],
      ['x{a="1",a="2"} 1\n', /label a appears twice/],
    ];
    for (const [text, pattern] of cases) assert.throws(() => parsePrometheusText(text), pattern, JSON.stringify(text));
  });

  it('computes the per-second rate of a counter between two scrapes, treating a drop as a restart', () => {
    assert.equal(counterRate(10, 40, 2), 15);
    assert.equal(counterRate(4, 1, 15), 1 / 15); // restarted: 1 since the restart
    assert.throws(() => counterRate(1, 2, 0), /positive/);
  });

  it('quantiles over the last interval from bucket increases', () => {
    const before = [{ le: 0.1, count: 90 }, { le: 1, count: 100 }, { le: Infinity, count: 100 }];
    const after = [{ le: 0.1, count: 90 }, { le: 1, count: 200 }, { le: Infinity, count: 200 }];
    const window = bucketsIncrease(before, after);
    assert.deepEqual(window.map((b) => b.count), [0, 100, 100]);
    assert.ok(Math.abs(histogramQuantile(0.5, window) - 0.55) < 1e-12);
    assert.ok(Number.isNaN(histogramQuantile(0.5, [{ le: 1, count: 0 }, { le: Infinity, count: 0 }])));
  });
});
