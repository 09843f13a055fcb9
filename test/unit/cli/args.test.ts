import * as assert from 'node:assert/strict';
import { parseCliArgs } from '../../../src/core/cli/args';
import { formatTable, formatMetric } from '../../../src/core/cli/table';

describe('parseCliArgs', () => {
  it('parses commands, options and the global --store in any position', () => {
    assert.deepEqual(parseCliArgs(['ingest']), { ok: true, command: { kind: 'ingest', store: undefined, dir: undefined } });
    assert.deepEqual(parseCliArgs(['--store', 's', 'ingest', 'proj']), { ok: true, command: { kind: 'ingest', store: 's', dir: 'proj' } });
    assert.deepEqual(parseCliArgs(['experiments', '--json', '--store=x']), { ok: true, command: { kind: 'experiments', store: 'x', json: true } });
    assert.deepEqual(parseCliArgs(['runs', '--experiment', 'cnn sweep', '--json']),
      { ok: true, command: { kind: 'runs', store: undefined, json: true, experiment: 'cnn sweep' } });
    assert.deepEqual(parseCliArgs(['runs', '--experiment=a']), { ok: true, command: { kind: 'runs', store: undefined, json: false, experiment: 'a' } });
    assert.deepEqual(parseCliArgs(['runs', '--filter', "metrics.f1 > 0.9", '--order-by=metrics.f1 DESC', '--limit', '5']),
      { ok: true, command: { kind: 'runs', store: undefined, json: false, experiment: undefined, search: { filter: 'metrics.f1 > 0.9', orderBy: 'metrics.f1 DESC', limit: 5 } } });
    assert.deepEqual(parseCliArgs(['runs', '--limit=3', '--json']),
      { ok: true, command: { kind: 'runs', store: undefined, json: true, experiment: undefined, search: { limit: 3 } } });
    assert.deepEqual(parseCliArgs(['runs', '-h']), { ok: true, command: { kind: 'help' } });
    assert.deepEqual(parseCliArgs(['--version']), { ok: true, command: { kind: 'version' } });
    assert.deepEqual(parseCliArgs(['-V']), { ok: true, command: { kind: 'version' } });
  });

  it('explains bad usage in one line', () => {
    const error = (argv: string[]): string => {
      const parsed = parseCliArgs(argv);
      assert.equal(parsed.ok, false, argv.join(' '));
      return (parsed as { error: string }).error;
    };
    assert.match(error([]), /missing command/);
    assert.match(error(['frobnicate']), /unknown command 'frobnicate'/);
    assert.match(error(['runs', '--color']), /unknown option --color/);
    assert.match(error(['--store']), /--store needs a folder/);
    assert.match(error(['runs', '--experiment']), /--experiment needs a name/);
    assert.match(error(['ingest', 'a', 'b']), /at most one folder/);
    assert.match(error(['ingest', '--json']), /--json does not apply to 'ingest'/);
    assert.match(error(['experiments', '--experiment', 'x']), /--experiment does not apply/);
    assert.match(error(['runs', 'cnn']), /did you mean --experiment cnn/);
    assert.match(error(['runs', '--filter']), /--filter needs an expression/);
    assert.match(error(['runs', '--order-by', '--json']), /--order-by needs fields/);
    assert.match(error(['runs', '--limit', 'ten']), /--limit needs a positive whole number of runs, got 'ten'/);
    assert.match(error(['runs', '--limit', '0']), /--limit needs a positive whole number/);
    assert.match(error(['experiments', '--filter', 'x']), /--filter does not apply to 'experiments'/);
    for (const argv of [[], ['x'], ['runs', '--color']]) assert.ok(!error(argv).includes('\n'));
  });
});

describe('formatTable', () => {
  it('aligns columns, numbers to the right', () => {
    assert.equal(formatTable(['NAME', 'RUNS'], [['a', '1'], ['longer', '100']], [1]), 'NAME    RUNS\na          1\nlonger   100');
    assert.deepEqual([formatMetric(null), formatMetric(Infinity), formatMetric(-Infinity), formatMetric(1 / 3)], ['NaN', 'Infinity', '-Infinity', '0.333333']);
  });
});
