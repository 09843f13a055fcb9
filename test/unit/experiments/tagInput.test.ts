import { strict as assert } from 'node:assert';
import { parseTagInput, MAX_TAG_KEY_LENGTH, MAX_TAG_VALUE_LENGTH } from '../../../src/core/experiments/tagInput';
import { validateName } from '../../../src/core/experiments/nameInput';

describe('parseTagInput', () => {
  it('splits at the first "=" and trims the key only', () => {
    assert.deepEqual(parseTagInput('dataset=mnist-v2'), { ok: true, key: 'dataset', value: 'mnist-v2' });
    assert.deepEqual(parseTagInput('  note = a=b c '), { ok: true, key: 'note', value: ' a=b c ' });
    assert.deepEqual(parseTagInput('train/split=0.8'), { ok: true, key: 'train/split', value: '0.8' });
  });

  it('allows an empty value', () => {
    assert.deepEqual(parseTagInput('reviewed='), { ok: true, key: 'reviewed', value: '' });
  });

  it('explains what to type when "=" or the key is missing', () => {
    const noEq = parseTagInput('dataset');
    assert.equal(noEq.ok, false);
    assert.match(!noEq.ok ? noEq.error : '', /key=value/);
    const noKey = parseTagInput('  =x');
    assert.equal(noKey.ok, false);
    assert.match(!noKey.ok ? noKey.error : '', /key .* is empty/);
  });

  it('rejects keys with characters MLflow does not accept, naming the key', () => {
    const result = parseTagInput('bad*key=1');
    assert.equal(result.ok, false);
    assert.match(!result.ok ? result.error : '', /"bad\*key"/);
  });

  it('enforces length limits and single-line values', () => {
    assert.equal(parseTagInput(`${'k'.repeat(MAX_TAG_KEY_LENGTH + 1)}=v`).ok, false);
    assert.equal(parseTagInput(`k=${'v'.repeat(MAX_TAG_VALUE_LENGTH + 1)}`).ok, false);
    assert.equal(parseTagInput(`k=${'v'.repeat(MAX_TAG_VALUE_LENGTH)}`).ok, true);
    assert.equal(parseTagInput('k=line1\nline2').ok, false);
  });
});

describe('validateName', () => {
  it('accepts ordinary names and rejects empty, multi-line and overlong ones', () => {
    assert.equal(validateName('baseline v2', 'run'), undefined);
    assert.match(validateName('   ', 'run') ?? '', /run name cannot be empty/);
    assert.match(validateName('a\nb', 'experiment') ?? '', /single line/);
    assert.match(validateName('x'.repeat(251), 'run') ?? '', /limit is 250/);
  });
});
