import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import {
  assign, assignmentPlan, bucketFromDigest, bucketOf, userKeyFromHeaders, userKeyFromJson, userKeySourceProblems,
  normaliseUserKey, variantIndexForBucket, type HexHash,
} from '../../../src/core/abtest/assignment';

const sha1: HexHash = (text) => createHash('sha1').update(text, 'utf8').digest('hex');
const USERS = 100_000;

function split(plan: ReturnType<typeof assignmentPlan>, users = USERS): Map<string, number> {
  const counts = new Map<string, number>(plan.variants.map((v) => [v, 0]));
  for (let i = 0; i < users; i++) {
    const v = assign(plan, `user-${i}`, sha1).variant;
    counts.set(v, counts.get(v)! + 1);
  }
  return counts;
}

describe('A/B assignment: the bucket rule', () => {
  it('matches the seed: the first 7 hex digits of sha1(salt:key) over 16^7 (values from Python hashlib)', () => {
    // python3 -c "from hashlib import sha1; h=sha1(b'checkout-2026:user-42').hexdigest(); print(int(h[:7],16))"
    assert.equal(bucketOf('checkout-2026', 'user-42', sha1), 143753184 / 16 ** 7);
    assert.equal(bucketOf('a', '1', sha1), 233348090 / 16 ** 7);
    assert.equal(bucketFromDigest('0000000ffff'), 0);
    assert.equal(bucketFromDigest('fffffff'), (16 ** 7 - 1) / 16 ** 7);
    assert.throws(() => bucketFromDigest('12z'), /not a hex digest/);
  });

  it('picks the variant by cumulative weights; the last range reaches 1', () => {
    const plan = assignmentPlan('e', [{ name: 'A', weight: 90 }, { name: 'B', weight: 10 }]);
    assert.deepEqual(plan.upperBounds, [0.9, 1]);
    assert.equal(variantIndexForBucket(plan, 0), 0);
    assert.equal(variantIndexForBucket(plan, 0.8999999), 0);
    assert.equal(variantIndexForBucket(plan, 0.9), 1);
    assert.equal(variantIndexForBucket(plan, 0.9999999), 1);
    // Weights are relative: 0.9/0.1 is the same plan as 90/10; a 0 weight gets no users.
    assert.deepEqual(assignmentPlan('e', [{ name: 'A', weight: 0.9 }, { name: 'B', weight: 0.1 }]).shares.map((s) => Math.round(s * 1e9) / 1e9), [0.9, 0.1]);
    const zero = assignmentPlan('e', [{ name: 'A', weight: 1 }, { name: 'B', weight: 0 }]);
    assert.equal(split(zero, 2000).get('B'), 0);
  });

  it('is sticky: the same user gets the same variant every time, from a fresh plan too', () => {
    const variants = [{ name: 'A', weight: 50 }, { name: 'B', weight: 30 }, { name: 'C', weight: 20 }];
    const first = assignmentPlan('sticky', variants);
    const again = assignmentPlan('sticky', variants);
    for (let i = 0; i < 5000; i++) {
      const v = assign(first, `u${i}`, sha1).variant;
      assert.equal(assign(first, `u${i}`, sha1).variant, v);
      assert.equal(assign(again, `u${i}`, sha1).variant, v);
    }
  });

  for (const [label, weights] of [['50/50', [50, 50]], ['90/10', [90, 10]], ['70/20/10', [70, 20, 10]]] as const) {
    it(`splits ${USERS.toLocaleString('en')} users within ±1 % of ${label}`, () => {
      const plan = assignmentPlan('dist-check', weights.map((w, i) => ({ name: `v${i}`, weight: w })));
      const counts = split(plan);
      weights.forEach((w, i) => {
        const share = counts.get(`v${i}`)! / USERS;
        const expected = w / weights.reduce((a, b) => a + b, 0);
        assert.ok(Math.abs(share - expected) < 0.01, `v${i}: ${share} vs ${expected}`);
      });
    });
  }

  it('salts experiments independently: bucket correlation ~0 and the joint split is the product of the marginals', () => {
    const variants = [{ name: 'A', weight: 50 }, { name: 'B', weight: 50 }];
    const p1 = assignmentPlan('experiment-one', variants);
    const p2 = assignmentPlan('experiment-two', variants);
    let sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0;
    const joint = new Map<string, number>();
    for (let i = 0; i < USERS; i++) {
      const a = assign(p1, `user-${i}`, sha1);
      const b = assign(p2, `user-${i}`, sha1);
      sx += a.bucket; sy += b.bucket; sxx += a.bucket ** 2; syy += b.bucket ** 2; sxy += a.bucket * b.bucket;
      const key = `${a.variant}${b.variant}`;
      joint.set(key, (joint.get(key) ?? 0) + 1);
    }
    const n = USERS;
    const r = (n * sxy - sx * sy) / Math.sqrt((n * sxx - sx ** 2) * (n * syy - sy ** 2));
    // |r| of two independent uniforms over 100k users: standard error 1/sqrt(n) ≈ 0.003.
    assert.ok(Math.abs(r) < 0.01, `correlation ${r}`);
    for (const key of ['AA', 'AB', 'BA', 'BB']) assert.ok(Math.abs(joint.get(key)! / n - 0.25) < 0.01, `${key}: ${joint.get(key)! / n}`);
  });

  it('rejects bad variant lists with what is wrong and how to fix it', () => {
    assert.throws(() => assignmentPlan('e', [{ name: 'A', weight: 1 }]), /at least two variants/);
    assert.throws(() => assignmentPlan('e', [{ name: 'A', weight: 1 }, { name: 'A', weight: 1 }]), /'A' is used twice/);
    assert.throws(() => assignmentPlan('e', [{ name: 'A', weight: -1 }, { name: 'B', weight: 1 }]), /variant 1 \(A\) needs a weight >= 0/);
    assert.throws(() => assignmentPlan('e', [{ name: 'A', weight: NaN }, { name: 'B', weight: 1 }]), /needs a weight >= 0/);
    assert.throws(() => assignmentPlan('e', [{ name: 'A', weight: 0 }, { name: 'B', weight: 0 }]), /all weights are 0/);
    assert.throws(() => assignmentPlan('e', [{ name: 'has space', weight: 1 }, { name: 'B', weight: 1 }]), /variant 1 has no valid name/);
    assert.throws(() => assignmentPlan('', [{ name: 'A', weight: 1 }, { name: 'B', weight: 1 }]), /salt \(experiment id\) is empty/);
  });
});

describe('A/B assignment: the user key', () => {
  it('reads a header case-insensitively (first of repeated values) and a dotted JSON path', () => {
    assert.equal(userKeyFromHeaders({ 'x-user-id': 'u1' }, 'X-User-Id'), 'u1');
    assert.equal(userKeyFromHeaders({ 'x-user-id': ['u1', 'u2'] }, 'x-user-id'), 'u1');
    assert.equal(userKeyFromHeaders({}, 'x-user-id'), undefined);
    assert.equal(userKeyFromJson({ user_id: 'u7' }, 'user_id'), 'u7');
    assert.equal(userKeyFromJson({ user_id: 42 }, 'user_id'), '42');
    assert.equal(userKeyFromJson({ context: { user: { id: 'deep' } } }, 'context.user.id'), 'deep');
    assert.equal(userKeyFromJson({ context: ['x'] }, 'context.user'), undefined);
    assert.equal(userKeyFromJson('not an object', 'user_id'), undefined);
  });

  it('treats empty, too long, boolean and non-finite keys as missing', () => {
    for (const bad of ['', '   ', 'x'.repeat(257), true, null, undefined, NaN, Infinity, { id: 1 }]) assert.equal(normaliseUserKey(bad), undefined, String(bad));
    assert.equal(normaliseUserKey('  u1 '), 'u1');
  });

  it('validates the key source config', () => {
    assert.deepEqual(userKeySourceProblems({ header: 'x-user-id' }), []);
    assert.deepEqual(userKeySourceProblems({ jsonField: 'context.user.id' }), []);
    assert.match(userKeySourceProblems({ header: 'bad header' })[0], /HTTP header name/);
    assert.match(userKeySourceProblems({ jsonField: 'a..b' })[0], /dotted path/);
    assert.match(userKeySourceProblems({ header: 'x', jsonField: 'y' })[0], /exactly one/);
    assert.match(userKeySourceProblems('x-user-id')[0], /must be/);
  });
});
