import * as assert from 'node:assert/strict';
import { ErrorWindow, shouldAutoRollback, validateAutoRollback, DEFAULT_AUTO_ROLLBACK } from '../../../src/core/deploy/errorWindow';

describe('ErrorWindow', () => {
  it('counts requests and errors inside the window and forgets older ones', () => {
    const w = new ErrorWindow(5000);
    w.record(1000, false);
    w.record(1500, true);
    w.record(3000, true);
    assert.deepEqual(w.snapshot(3000), { requests: 3, errors: 2, rate: 2 / 3 });
    // At 6.5 s the bucket of second 1 is older than 5 s.
    assert.deepEqual(w.snapshot(6500), { requests: 1, errors: 1, rate: 1 });
    assert.deepEqual(w.snapshot(20_000), { requests: 0, errors: 0, rate: 0 });
  });

  it('keeps constant memory: one bucket per second however many requests', () => {
    const w = new ErrorWindow(2000);
    for (let i = 0; i < 10_000; i++) w.record(1000 + (i % 1000), i % 10 === 0);
    assert.deepEqual(w.snapshot(1999), { requests: 10_000, errors: 1000, rate: 0.1 });
  });

  it('rejects windows under a second', () => {
    assert.throws(() => new ErrorWindow(10), /at least 1000 ms/);
  });
});

describe('shouldAutoRollback', () => {
  const on = { ...DEFAULT_AUTO_ROLLBACK, enabled: true, minRequests: 10, threshold: 0.5, graceMs: 1000 };
  const bad = { requests: 20, errors: 15, rate: 0.75 };
  it('triggers above the threshold with enough requests and a previous revision', () => {
    assert.equal(shouldAutoRollback(on, bad, 0, 5000, true), true);
  });
  it('does not trigger when off, without a previous revision, in the grace period, with few requests or a low rate', () => {
    assert.equal(shouldAutoRollback({ ...on, enabled: false }, bad, 0, 5000, true), false);
    assert.equal(shouldAutoRollback(on, bad, 0, 5000, false), false);
    assert.equal(shouldAutoRollback(on, bad, 4500, 5000, true), false);
    assert.equal(shouldAutoRollback(on, { requests: 5, errors: 5, rate: 1 }, 0, 5000, true), false);
    assert.equal(shouldAutoRollback(on, { requests: 20, errors: 9, rate: 0.45 }, 0, 5000, true), false);
  });
  it('validates user settings and names the bad one', () => {
    assert.equal(validateAutoRollback(on), undefined);
    assert.match(validateAutoRollback({ ...on, threshold: 1.5 })!, /threshold must be in \(0, 1\], got 1.5/);
    assert.match(validateAutoRollback({ ...on, minRequests: 0 })!, /minimum requests/);
    assert.match(validateAutoRollback({ ...on, windowMs: 10 })!, /window must be at least 1 s/);
  });
});
