import * as assert from 'node:assert/strict';
import { AlertEvaluator, alertMessage, parseAlertRules, DEFAULT_ALERT_RULES, type AlertRule } from '../../../src/core/monitoring/alerts';
import type { MonitoringSample } from '../../../src/core/monitoring/sample';

function sample(ms: number, requests: number, errors: number, p99: number | null = 20, up = true): MonitoringSample {
  return {
    service: 'wine-api', ms, intervalMs: 5000, up, requests, errors, rps: requests / 5,
    p50: p99 === null ? null : p99 / 2, p95: p99, p99, errorRate: requests > 0 ? errors / requests : null,
    modelVersion: 'v1', restarted: false,
  };
}

const ERRORS: AlertRule = { metric: 'errorRate', above: 5, forSeconds: 30 };
const LATENCY: AlertRule = { metric: 'p99', above: 500, forSeconds: 10 };

/** Feeds samples every 5 s from t0; returns all events. */
function feed(ev: AlertEvaluator, t0: number, samples: Array<[number, number, (number | null)?]>) {
  return samples.flatMap(([req, err, p99], i) => ev.observe(sample(t0 + 5000 * (i + 1), req, err, p99 ?? 20)));
}

describe('monitoring alerts: rules over samples', () => {
  it('fires once the error rate has stayed above the threshold for the whole window', () => {
    const ev = new AlertEvaluator([ERRORS]);
    // 5 breaching samples = 25 s: not yet.
    assert.deepEqual(feed(ev, 0, [[100, 12], [100, 12], [100, 12], [100, 12], [100, 12]]), []);
    const fired = feed(ev, 25_000, [[100, 12]]);
    assert.equal(fired.length, 1);
    assert.equal(fired[0].kind, 'fire');
    assert.equal(fired[0].message, 'wine-api: error rate 12% > 5% for 30 s');
    assert.equal(Math.round(fired[0].value), 12);
  });

  it('a dip under the threshold restarts the window (no alert for a short burst)', () => {
    const ev = new AlertEvaluator([ERRORS]);
    const events = feed(ev, 0, [[100, 50], [100, 50], [100, 50], [100, 1], [100, 50], [100, 50], [100, 50], [100, 50], [100, 50]]);
    assert.deepEqual(events, [], 'never 30 s in a row');
  });

  it('debounces: one incident gives one notification however long it lasts', () => {
    const ev = new AlertEvaluator([ERRORS]);
    const events = feed(ev, 0, Array.from({ length: 40 }, () => [100, 30] as [number, number]));
    assert.equal(events.filter((e) => e.kind === 'fire').length, 1);
    assert.deepEqual(ev.firing().map((f) => f.service), ['wine-api']);
  });

  it('recovery (below for recoverSeconds) ends the incident, and a new breach fires again', () => {
    const ev = new AlertEvaluator([{ ...ERRORS, forSeconds: 10, recoverSeconds: 15 }]);
    const first = feed(ev, 0, [[100, 20], [100, 20]]);
    assert.deepEqual(first.map((e) => e.kind), ['fire']);
    // 10 s fine: not recovered yet; a relapse keeps the same incident open (no second fire).
    assert.deepEqual(feed(ev, 10_000, [[100, 0], [100, 0], [100, 20], [100, 20], [100, 20]]), []);
    const recovered = feed(ev, 35_000, [[100, 0], [100, 0], [100, 0]]);
    assert.deepEqual(recovered.map((e) => e.kind), ['resolve']);
    assert.deepEqual(ev.firing(), []);
    const again = feed(ev, 50_000, [[100, 20], [100, 20]]);
    assert.deepEqual(again.map((e) => e.kind), ['fire']);
  });

  it('p99 rule: fires on sustained latency and reports the worst p99', () => {
    const ev = new AlertEvaluator([LATENCY]);
    const events = feed(ev, 0, [[10, 0, 800], [10, 0, 1200]]);
    assert.equal(events.length, 1);
    assert.equal(events[0].value, 1200);
    assert.equal(events[0].message, 'wine-api: p99 latency 1200 ms > 500 ms for 10 s');
  });

  it('gaps and idle samples neither breach nor recover; minRequests ignores thin traffic', () => {
    const ev = new AlertEvaluator([{ ...ERRORS, forSeconds: 10, minRequests: 20 }]);
    assert.deepEqual(feed(ev, 0, [[5, 5], [5, 5], [5, 5]]), [], 'under minRequests');
    assert.deepEqual(ev.observe(sample(20_000, 0, 0, null, false)), []);
    assert.equal(feed(ev, 20_000, [[100, 50], [100, 50]]).length, 1);
    // Down while firing: still firing (a dead service has not recovered).
    ev.observe(sample(40_000, 0, 0, null, false));
    assert.equal(ev.firing().length, 1);
  });

  it('keeps services apart', () => {
    const ev = new AlertEvaluator([{ ...ERRORS, forSeconds: 5 }]);
    assert.equal(ev.observe(sample(5000, 100, 50)).length, 1);
    assert.equal(ev.observe({ ...sample(5000, 100, 50), service: 'other' }).length, 1);
    assert.equal(ev.observe({ ...sample(10000, 100, 50), service: 'other' }).length, 0);
  });

  it('parses rules from settings, naming the bad entry; defaults when unset', () => {
    assert.deepEqual(parseAlertRules(undefined).rules, DEFAULT_ALERT_RULES);
    const { rules, problems } = parseAlertRules([{ metric: 'errorRate', above: 2, forSeconds: 60 }, { metric: 'cpu', above: 1, forSeconds: 1 }, { metric: 'p99', above: -1, forSeconds: 1 }]);
    assert.equal(rules.length, 1);
    assert.equal(problems.length, 2);
    assert.match(problems[0], /alerts\[1\]\.metric/);
    assert.match(problems[1], /alerts\[2\]\.above/);
    assert.equal(alertMessage('x', ERRORS, 5.55, 30.4), 'x: error rate 5.6% > 5% for 30 s');
  });
});
