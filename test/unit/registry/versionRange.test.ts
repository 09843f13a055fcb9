import * as assert from 'node:assert/strict';
import { parseVersionRange, VersionRangeError } from '../../../src/core/registry/versionRange';
import { selectBest } from '../../../src/core/registry/select';
import { parseEnvironments } from '../../../src/core/registry/environments';

const allowed = (range: string) => [1, 2, 3, 4, 5, 6, 7].filter((v) => parseVersionRange(range).matches(v));

describe('version ranges', () => {
  it('implements the documented grammar', () => {
    assert.deepEqual(allowed('<=1'), [1]);
    assert.deepEqual(allowed('<= 2'), [1, 2]);
    assert.deepEqual(allowed('3'), [3]);
    assert.deepEqual(allowed('==3'), [3]);
    assert.deepEqual(allowed('*'), [1, 2, 3, 4, 5, 6, 7]);
    assert.deepEqual(allowed('2-4'), [2, 3, 4]);
    assert.deepEqual(allowed('2 - 4'), [2, 3, 4]);
    assert.deepEqual(allowed('>=2 <5'), [2, 3, 4]);
    assert.deepEqual(allowed('>=2, <5, !=3'), [2, 4]);
    assert.deepEqual(allowed('1-2 || 6 || >=7'), [1, 2, 6, 7]);
    assert.deepEqual(allowed('>5||<2'), [1, 6, 7]);
  });
  it('reports syntax errors with the offset of the offending text', () => {
    const cases: Array<[string, number, RegExp]> = [
      ['', 0, /empty/],
      ['<=', 2, /needs a version number/],
      ['<=1.0', 2, /whole numbers \(write 1\)/],
      ['>=2 ||', 6, /ends where a clause/],
      ['|| 2', 0, /needs a clause on both sides/],
      ['1,,2', 2, /clause is missing/],
      ['5-2', 2, /write the lower version first/],
      ['v2', 0, /unexpected 'v'/],
      ['2-', 2, /'-' needs a version number/],
      ['-2', 0, /between two version numbers/],
    ];
    for (const [text, offset, message] of cases) {
      assert.throws(() => parseVersionRange(text), (e: unknown) => {
        assert.ok(e instanceof VersionRangeError, text);
        assert.equal(e.offset, offset, `offset for '${text}': ${e.message}`);
        assert.match(e.message, message);
        assert.match(e.message, /at column \d+/);
        return true;
      });
    }
  });
});

describe('selectBest', () => {
  const versions = [
    { version: 1, metric: 0.80 }, { version: 2, metric: 0.90 }, { version: 3, metric: 0.95 },
    { version: 4, metric: undefined }, { version: 5, metric: null },
  ];
  it('picks the best version inside the range and explains every version', () => {
    const result = selectBest({ versions, range: parseVersionRange('<=2'), metric: 'f1', direction: 'max' });
    assert.equal(result.best?.version, 2);
    assert.deepEqual(result.reasons.map((r) => [r.version, r.status]), [
      [1, 'candidate'], [2, 'selected'], [3, 'excluded-by-range'], [4, 'excluded-by-range'], [5, 'excluded-by-range'],
    ]);
    const all = selectBest({ versions, range: parseVersionRange('*'), metric: 'f1', direction: 'max' });
    assert.equal(all.best?.version, 3);
    assert.match(all.reasons[3].detail, /logged no 'f1'/);
    assert.match(all.reasons[4].detail, /NaN/);
    assert.equal(selectBest({ versions, range: parseVersionRange('*'), metric: 'f1', direction: 'min' }).best?.version, 1);
  });
  it('prefers the newer version on a tie and returns none when nothing qualifies', () => {
    const tie = selectBest({ versions: [{ version: 1, metric: 1 }, { version: 2, metric: 1 }], range: parseVersionRange('*'), metric: 'm', direction: 'max' });
    assert.equal(tie.best?.version, 2);
    assert.equal(selectBest({ versions, range: parseVersionRange('>=4'), metric: 'f1', direction: 'max' }).best, undefined);
  });
});

describe('parseEnvironments', () => {
  it('parses ranges per environment; a bad one spoils only itself', () => {
    const envs = parseEnvironments({ prod: '<=1', int: 2, bad: '<=x', odd: ['1'] }, 'modelcloud.yaml');
    const prod = envs.get('prod')!;
    assert.ok(!('error' in prod) && prod.matches(1) && !prod.matches(2));
    const int = envs.get('int')!;
    assert.ok(!('error' in int) && int.matches(2) && !int.matches(1));
    assert.match((envs.get('bad') as { error: string }).error, /modelcloud.yaml: environment 'bad': invalid version range '<=x'/);
    assert.match((envs.get('odd') as { error: string }).error, /needs a version range string/);
    assert.equal(parseEnvironments(undefined, 'x').size, 0);
    assert.throws(() => parseEnvironments(['prod'], 'modelcloud.yaml'), /must map environment names to version ranges/);
  });
});
