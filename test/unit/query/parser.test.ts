// The search language parser: every operator, quoting, aliases, and malformed or hostile input.
import * as assert from 'node:assert/strict';
import { parseSearchFilter, parseOrderBy, parseFieldRef, MAX_CONDITIONS } from '../../../src/core/query/parser';
import { QuerySyntaxError, formatQueryError } from '../../../src/core/query/errors';
import type { Condition } from '../../../src/core/query/ast';

/** Conditions without spans, for compact comparisons. */
function parse(text: string): unknown[] {
  return parseSearchFilter(text).conditions.map((c: Condition) => {
    const { span: _span, field, ...rest } = c;
    return { field: `${field.entity}:${field.key}`, ...rest };
  });
}

function syntaxError(text: string, parse: (t: string) => unknown = parseSearchFilter): QuerySyntaxError {
  try {
    parse(text);
  } catch (error) {
    assert.ok(error instanceof QuerySyntaxError, `expected QuerySyntaxError for ${text}, got ${String(error)}`);
    return error;
  }
  return assert.fail(`expected ${JSON.stringify(text)} to be rejected`);
}

describe('parseSearchFilter', () => {
  it('parses the issue example: metrics, params, tags LIKE and attributes with AND in any case', () => {
    assert.deepEqual(parse("metrics.f1 > 0.9 and params.max_depth = '5' AND tags.model_name LIKE 'Wine%' aNd attributes.status = 'FINISHED'"), [
      { field: 'metric:f1', kind: 'compare', op: '>', value: 0.9 },
      { field: 'param:max_depth', kind: 'compare', op: '=', value: '5' },
      { field: 'tag:model_name', kind: 'like', op: 'LIKE', pattern: 'Wine%' },
      { field: 'attribute:status', kind: 'compare', op: '=', value: 'FINISHED' },
    ]);
  });

  it('accepts every comparison operator, with or without spaces', () => {
    for (const op of ['=', '!=', '<', '<=', '>', '>=']) {
      assert.deepEqual(parse(`metrics.loss${op}1`), [{ field: 'metric:loss', kind: 'compare', op, value: 1 }]);
    }
    assert.deepEqual(parse("params.a <> 'x'"), [{ field: 'param:a', kind: 'compare', op: '!=', value: 'x' }]);
  });

  it('reads numbers in every notation', () => {
    const values = ['1', '-2', '+3', '0.5', '.5', '5.', '1e-4', '-2.5E+3', '1e999'].map((n) => (parse(`metrics.m = ${n}`)[0] as { value: number }).value);
    assert.deepEqual(values, [1, -2, 3, 0.5, 0.5, 5, 1e-4, -2500, Infinity]);
  });

  it('accepts LIKE, ILIKE, IN, NOT IN, IS NULL and IS NOT NULL, keywords in any case', () => {
    assert.deepEqual(parse(`tags.t ilike '%x%' and attributes.run_id in ('a', "b") and params.p NOT IN ('1') and
      metrics.m is null and tags.t IS NOT NULL and metrics.n in (1, 2.5)`), [
      { field: 'tag:t', kind: 'like', op: 'ILIKE', pattern: '%x%' },
      { field: 'attribute:run_id', kind: 'in', negated: false, values: ['a', 'b'] },
      { field: 'param:p', kind: 'in', negated: true, values: ['1'] },
      { field: 'metric:m', kind: 'null', negated: false },
      { field: 'tag:t', kind: 'null', negated: true },
      { field: 'metric:n', kind: 'in', negated: false, values: [1, 2.5] },
    ]);
  });

  it('quotes keys with backticks or double quotes, and strings with either quote and escapes', () => {
    assert.deepEqual(parse('metrics.`train/loss` < 0.1 and params."model class" = \'x\' and tags.`a``b` = "q"'), [
      { field: 'metric:train/loss', kind: 'compare', op: '<', value: 0.1 },
      { field: 'param:model class', kind: 'compare', op: '=', value: 'x' },
      { field: 'tag:a`b', kind: 'compare', op: '=', value: 'q' },
    ]);
    assert.deepEqual(parse(String.raw`params.a = 'it''s' and params.b = 'it\'s' and params.c = "say \"hi\"" and params.d = 'a\\b\nc'`)
      .map((c) => (c as { value: string }).value), ["it's", "it's", 'say "hi"', 'a\\b\nc']);
    // Unquoted keys keep the characters metric names usually have.
    assert.deepEqual(parse('metrics.train/loss < 1 and metrics.val.acc-top5 > 0')
      .map((c) => (c as { field: string }).field), ['metric:train/loss', 'metric:val.acc-top5']);
  });

  it('accepts the prefixes and attribute spellings MLflow accepts', () => {
    const fields = parse(`metric.a = 1 and param.b = 'x' and parameters.c = 'x' and tag.d = 'x' and attribute.status = 'RUNNING'
      and attr.user = 'ann' and run_name = 'r' and attributes.created > 5 and attributes.user_id = 'u' and status != 'FAILED'
      and attributes.end_time IS NULL and attributes.experiment = 'e' and attributes.experiment_id = 3 and attributes.\`run name\` LIKE 'x%'`)
      .map((c) => (c as { field: string }).field);
    assert.deepEqual(fields, ['metric:a', 'param:b', 'param:c', 'tag:d', 'attribute:status', 'attribute:user', 'attribute:run_name',
      'attribute:start_time', 'attribute:user', 'attribute:status', 'attribute:end_time', 'attribute:experiment',
      'attribute:experiment_id', 'attribute:run_name']);
  });

  it('treats empty or blank input as "every run"', () => {
    assert.deepEqual(parseSearchFilter('').conditions, []);
    assert.deepEqual(parseSearchFilter('  \n\t ').conditions, []);
  });

  it('keeps spans that point at each condition', () => {
    const text = "metrics.f1 > 0.9 and params.`a b` = 'x'";
    const [first, second] = parseSearchFilter(text).conditions;
    assert.equal(text.slice(first.span.offset, first.span.offset + first.span.length), 'metrics.f1 > 0.9');
    assert.equal(text.slice(second.span.offset, second.span.offset + second.span.length), "params.`a b` = 'x'");
    assert.equal(text.slice(second.field.span.offset, second.field.span.offset + second.field.span.length), 'params.`a b`');
  });

  it('points at the offending token with what was expected and how to fix it', () => {
    const cases: Array<[string, string, RegExp]> = [
      ['metrics.f1 0.9', '0.9', /^expected a comparison operator \(=, !=, <, <=, >, >=, LIKE, ILIKE, IN, NOT IN, IS NULL or IS NOT NULL\) after metrics\.f1 at column 12$/],
      ['metrics.f1 >', '', /expected a number after metrics\.f1 >/],
      ["metrics.f1 > '0.9'", "'0.9'", /metrics\.f1 is a number.*write 0\.9 without quotes/],
      ['params.lr = 0.1', '0.1', /quote the value, params\.lr = '0\.1'/],
      ['params.lr = abc', 'abc', /write 'abc'/],
      ['params.lr > \'1\'', '>', /compared as a string: use =, !=, LIKE, ILIKE or IN, not >/],
      ['metrics.f1 LIKE \'1%\'', 'LIKE', /LIKE applies to strings/],
      ["params.a = 'x' or params.b = 'y'", 'or', /MLflow search supports only AND/],
      ["(params.a = 'x')", '(', /parentheses are not supported: MLflow search supports only AND/],
      ["params.a = 'x' and (params.b = 'y')", '(', /parentheses are not supported/],
      ["params.a = 'x' params.b = 'y'", 'params.b', /expected AND before 'params\.b'/],
      ["params.a = 'x' and", '', /expected a condition after AND/],
      ["and params.a = 'x'", 'and', /expected a condition before AND/],
      ['foo = 1', 'foo', /unknown field 'foo': prefix it with metrics\., params\., tags\. or attributes\./],
      ['metricz.f1 > 1', 'metricz.f1', /unknown field type 'metricz'/],
      ['attributes.colour = \'x\'', 'attributes.colour', /unknown attribute 'colour': use one of attributes\.run_id/],
      ['metrics. > 1', 'metrics.', /missing key after 'metrics\.'/],
      ["params.a = 'unterminated", "'unterminated", /unterminated string: close it with '/],
      ['metrics.`open < 1', '`open < 1', /unterminated key/],
      ['`train/loss` < 1', '`train/loss`', /expected metrics\., params\., tags\. or attributes\. before the quoted key/],
      ['metrics.f1 == 1', '==', /compare with a single '='/],
      ['metrics.f1 > 1x', '1x', /'1x' is not a number/],
      ['metrics.f1 @ 1', '@', /unexpected character '@'/],
      ["attributes.status = 'DONE'", "'DONE'", /unknown status 'DONE': use one of RUNNING, SCHEDULED, FINISHED, FAILED, KILLED/],
      ["attributes.status IN ('FINISHED', 'finished')", "'finished'", /unknown status 'finished'/],
      ['attributes.run_id IS NULL', 'NULL', /always has a value/],
      ['params.a IN ()', ')', /IN needs at least one value/],
      ["params.a IN 'x'", "'x'", /expected '\(' after IN/],
      ["params.a IN ('x' 'y')", "'y'", /expected ',' or '\)'/],
      ['params.a IS 5', '5', /expected NULL after IS/],
      ["params.a NOT LIKE 'x'", 'NOT', /NOT only appears as NOT IN or IS NOT NULL/],
    ];
    for (const [text, token, message] of cases) {
      const error = syntaxError(text);
      assert.match(error.message, message, text);
      assert.match(error.message, / at column \d+$/, text);
      assert.equal(error.query, text);
      const underlined = text.slice(error.offset, error.offset + error.length);
      assert.equal(token === '' ? error.offset : underlined, token === '' ? text.length : token, `${text}: underlined ${JSON.stringify(underlined)}`);
      assert.ok(error.length >= 1);
    }
  });

  it('survives hostile input: SQL in values, unicode, 10,000 characters, endless ANDs', () => {
    assert.deepEqual(parse("params.p = '; DROP TABLE runs; --'"), [{ field: 'param:p', kind: 'compare', op: '=', value: '; DROP TABLE runs; --' }]);
    // SQL outside quotes is just a syntax error.
    assert.match(syntaxError("params.p = 'x'; DROP TABLE runs; --").message, /unexpected character ';'/);
    assert.deepEqual(parse("tags.`模型 🚀` = 'Ünïcødé ✓' and params.ключ = 'значение'"), [
      { field: 'tag:模型 🚀', kind: 'compare', op: '=', value: 'Ünïcødé ✓' },
      { field: 'param:ключ', kind: 'compare', op: '=', value: 'значение' },
    ]);
    const long = 'x'.repeat(10_000);
    assert.equal((parse(`params.p = '${long}'`)[0] as { value: string }).value.length, 10_000);
    assert.equal((parse(`metrics.\`${long}\` > 1`)[0] as { field: string }).field.length, 'metric:'.length + 10_000);
    assert.equal(parse(Array.from({ length: MAX_CONDITIONS }, (_, i) => `metrics.m${i} > ${i}`).join(' and ')).length, MAX_CONDITIONS);
    const started = performance.now();
    const endless = syntaxError(Array.from({ length: 5000 }, () => 'metrics.m > 1').join(' AND '));
    assert.match(endless.message, /too many conditions: at most 200/);
    assert.ok(performance.now() - started < 1000, 'rejected quickly');
    assert.match(syntaxError('metrics.m > 1 ' + 'AND '.repeat(3000)).message, /expected a condition/);
    assert.match(syntaxError('\u0000').message, /unexpected character/);
    assert.match(syntaxError("'".repeat(10_001)).message, /unterminated string|expected a field/);
  });
});

describe('parseOrderBy and parseFieldRef', () => {
  it('parses terms with optional direction', () => {
    const terms = parseOrderBy('metrics.f1 DESC, attributes.start_time, params.`lr rate` asc ,tags.t desc');
    assert.deepEqual(terms.map((t) => [`${t.field.entity}:${t.field.key}`, t.direction]),
      [['metric:f1', 'DESC'], ['attribute:start_time', 'ASC'], ['param:lr rate', 'ASC'], ['tag:t', 'DESC']]);
    assert.deepEqual(parseOrderBy('  '), []);
  });

  it('rejects bad order-by text with a pointed message', () => {
    assert.match(syntaxError('metrics.f1 DOWN', parseOrderBy).message, /expected ASC, DESC or ',' after metrics\.f1/);
    assert.match(syntaxError('metrics.f1 DESC,', parseOrderBy).message, /expected a field/);
    assert.match(syntaxError('f1 DESC', parseOrderBy).message, /unknown field 'f1'/);
  });

  it('parses a single field for group-by', () => {
    assert.deepEqual(parseFieldRef('params.seed'), { entity: 'param', key: 'seed', span: { offset: 0, length: 11 } });
    assert.equal(parseFieldRef('tags.`model name`').key, 'model name');
    assert.match(syntaxError('params.seed extra', parseFieldRef).message, /expected only a field name/);
  });
});

describe('formatQueryError', () => {
  it('puts a caret under the offending token', () => {
    const error = syntaxError('metrics.f1 0.9');
    assert.equal(formatQueryError(error), 'metrics.f1 0.9\n           ^^^');
    const end = syntaxError("params.a = 'x' and");
    assert.equal(formatQueryError(end), "params.a = 'x' and\n                  ^");
  });

  it('keeps the caret on screen for long queries and flattens newlines', () => {
    const text = `${"params.a = 'x' and ".repeat(20)}metrics.f1 ?? 1`;
    const [line, caret] = formatQueryError(syntaxError(text), 60).split('\n');
    assert.ok(line.length <= 62);
    assert.equal(line.slice(caret.indexOf('^'), caret.indexOf('^') + 1), '?');
    assert.ok(!formatQueryError(syntaxError('params.a\n= 5')).split('\n')[0].includes('\r'));
    assert.equal(formatQueryError(syntaxError('params.a\n= 5')).split('\n').length, 2);
  });
});
