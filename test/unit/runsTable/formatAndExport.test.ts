import { strict as assert } from 'node:assert';
import { cellText, cellValue, formatStat, formatValue } from '../../../src/core/runsTable/format';
import { csvField, runsToCsv, runsToJson } from '../../../src/core/runsTable/exportRows';
import type { RunRow } from '../../../src/protocol/runsDashboard';

const START = Date.UTC(2026, 10, 22, 9, 30, 0);

function row(overrides: Partial<RunRow> = {}): RunRow {
  return {
    id: 'abc123def4567890', name: 'rf-depth-3', experiment: 'wine-quality', status: 'FINISHED',
    startMs: START, endMs: START + 185_000,
    params: { max_depth: '3', note: 'a "quoted", multi\nline value' },
    metrics: { f1: 0.912345, nan: null, inf: Infinity, ninf: -Infinity },
    tags: { formula: '=HYPERLINK("http://evil")' },
    ...overrides,
  };
}

describe('runs table formatting', () => {
  it('formats NaN, ±Infinity, null and missing values', () => {
    assert.equal(formatValue(Number.NaN), 'NaN');
    assert.equal(formatValue(null), 'NaN');
    assert.equal(formatValue(Infinity), '∞');
    assert.equal(formatValue(-Infinity), '-∞');
    assert.equal(formatValue(undefined), '—');
    assert.equal(formatValue(0.912345), '0.9123');
    assert.equal(formatValue('text'), 'text');
    assert.equal(formatStat(null), '—');
    assert.equal(formatStat(1.5), '1.5');
  });

  it('shows each column kind as the user reads it', () => {
    const r = row();
    assert.equal(cellText(r, 'metrics.f1', 0), '0.9123');
    assert.equal(cellText(r, 'metrics.nan', 0), 'NaN');
    assert.equal(cellText(r, 'metrics.inf', 0), '∞');
    assert.equal(cellText(r, 'metrics.never', 0), '—');
    assert.equal(cellText(r, 'params.max_depth', 0), '3');
    assert.equal(cellText(r, 'attributes.duration', 0), '3 m 05 s');
    assert.match(cellText(r, 'attributes.start_time', 0), /^2026-11-2\d \d\d:\d\d$/);
    assert.equal(cellText(row({ name: '  ' }), 'attributes.run_name', 0), 'abc123de');
    assert.equal(cellText(row({ startMs: null }), 'attributes.start_time', 0), '—');
    // a running run's duration grows with the clock
    assert.equal(cellValue(row({ status: 'RUNNING', endMs: null }), 'attributes.duration', START + 5000), 5000);
  });
});

describe('runs export', () => {
  it('quotes CSV fields per RFC 4180 and defuses spreadsheet formulas', () => {
    assert.equal(csvField('plain'), 'plain');
    assert.equal(csvField('a,b'), '"a,b"');
    assert.equal(csvField('say "hi"'), '"say ""hi"""');
    assert.equal(csvField('two\nlines'), '"two\nlines"');
    assert.equal(csvField('cr\rx'), '"cr\rx"');
    assert.equal(csvField('=1+2'), "'=1+2");
    assert.equal(csvField('@SUM(A1)'), "'@SUM(A1)");
    assert.equal(csvField(-1.5), '-1.5', 'negative numbers stay numbers');
    assert.equal(csvField(null), 'NaN');
    assert.equal(csvField(Number.NaN), 'NaN');
    assert.equal(csvField(-Infinity), '-Infinity');
    assert.equal(csvField(undefined), '');
  });

  it('writes a header and one line per run, run id first', () => {
    const csv = runsToCsv([row()], ['attributes.run_name', 'attributes.start_time', 'params.note', 'metrics.f1', 'metrics.nan', 'metrics.never', 'tags.formula'], 0);
    const [header, line, end] = csv.split('\r\n');
    assert.equal(header, 'run_id,run,started,params.note,metrics.f1,metrics.nan,metrics.never,tags.formula');
    assert.equal(line, `abc123def4567890,rf-depth-3,${new Date(START).toISOString()},"a ""quoted"", multi\nline value",0.912345,NaN,,"'=HYPERLINK(""http://evil"")"`);
    assert.equal(end, '');
  });

  it('writes JSON that round-trips, with NaN and infinities as strings', () => {
    const parsed = JSON.parse(runsToJson([row()])) as Array<Record<string, unknown>>;
    assert.equal(parsed.length, 1);
    assert.deepEqual(parsed[0].metrics, { f1: 0.912345, nan: 'NaN', inf: 'Infinity', ninf: '-Infinity' });
    assert.equal(parsed[0].startTime, new Date(START).toISOString());
    assert.deepEqual(parsed[0].params, row().params);
  });
});
