// The A/B dashboard's view model: plan (sample size, duration, router config) and live rows from
// store sums. Reference values come from statsmodels / scipy (printed by the snippet in each test).
import * as assert from 'node:assert/strict';
import {
  compareWithControl, draftProblems, liveState, meanInterval, planOfDraft, planPreview, promotePlan, requiredPerGroup,
  routerConfigOfDraft, type AbPlan, type LiveInputs,
} from '../../../src/core/abtest/dashboardModel';
import { parseRouterConfig } from '../../../src/core/abtest/routerConfig';
import type { AbDraft, AbServiceOption } from '../../../src/protocol/abDashboard';

const close = (actual: number | null | undefined, expected: number, tol = 1e-6): void => {
  assert.ok(actual !== null && actual !== undefined && Math.abs(actual - expected) <= tol, `${actual} ≉ ${expected}`);
};

const services: AbServiceOption[] = [
  { name: 'wine-v1', state: 'healthy', url: 'http://127.0.0.1:9001', model: 'models:/wine/1', modelRef: 'models:/wine@champion' },
  { name: 'wine-v2', state: 'healthy', url: 'http://127.0.0.1:9002', model: 'models:/wine/2', modelRef: 'models:/wine/2' },
  { name: 'plain', state: 'healthy', url: 'http://127.0.0.1:9003', model: null, modelRef: null },
  { name: 'down', state: 'stopped', url: null, model: null, modelRef: null },
];

function draft(overrides: Partial<AbDraft> = {}): AbDraft {
  return {
    experiment: 'wine-v2-vs-v1', title: 'Wine v2', variants: [{ service: 'wine-v1', weight: 50 }, { service: 'wine-v2', weight: 50 }],
    control: 0, userKey: { kind: 'header', name: 'x-user-id' }, kpi: { name: 'converted', type: 'proportion' },
    mde: 0.02, baseline: 0.1, alpha: 0.05, power: 0.8, alias: 'champion', ...overrides,
  };
}

// a = [3.1,2.9,4.0,3.5,3.3,2.8,3.9,4.2], b = [2.5,2.7,3.0,2.2,2.9,3.1,2.4]
const A = { variant: 'wine-v2', n: 8, sum: 27.7, sumSquares: 97.85 };
const B = { variant: 'wine-v1', n: 7, sum: 18.8, sumSquares: 51.16 };

describe('A/B dashboard model: plan', () => {
  it("needs the seed's 6281 per group for a mean KPI (d = 0.05 / 1), and statsmodels' n for two rates", () => {
    assert.equal(requiredPerGroup(draft({ kpi: { name: 'revenue', type: 'mean' }, mde: 0.05, baseline: 1 })), 6281);
    // NormalIndPower().solve_power(proportion_effectsize(0.12, 0.10), alpha=0.05, power=0.8) = 3834.5957
    assert.equal(requiredPerGroup(draft()), 3835);
    // Three variants: two comparisons, Bonferroni alpha 0.025 -> 4643.7275
    assert.equal(requiredPerGroup(draft({ variants: [...draft().variants, { service: 'plain', weight: 50 }] })), 4644);
  });

  it('previews the duration at the measured traffic from the weights (the slowest variant decides)', () => {
    const even = planPreview(draft(), services, 10);
    assert.deepEqual(even.problems, []);
    assert.equal(even.requiredPerGroup, 3835);
    assert.equal(even.total, 7670);
    close(even.durationSeconds, 3835 / 5);
    const skewed = planPreview(draft({ variants: [{ service: 'wine-v1', weight: 90 }, { service: 'wine-v2', weight: 10 }] }), services, 10);
    close(skewed.durationSeconds, 3835 / 1);
    assert.equal(planPreview(draft(), services, null).durationSeconds, null);
  });

  it('names every problem of a draft and still shows the sample size when only services are missing', () => {
    const p = planPreview(draft({ experiment: 'bad id!', variants: [{ service: 'wine-v1', weight: 50 }, { service: 'wine-v1', weight: 0 }, { service: 'down', weight: 1 }] }), services, null);
    assert.ok(p.problems.some((x) => x.startsWith('Experiment id')));
    assert.ok(p.problems.some((x) => /chosen twice/.test(x)));
    assert.ok(p.problems.some((x) => /weight must be a positive/.test(x)));
    assert.ok(p.problems.some((x) => /'down' is stopped and has no URL/.test(x)));
    assert.equal(p.requiredPerGroup, 4644, 'three variants: Bonferroni sample size still shown');
    assert.ok(draftProblems(draft({ baseline: 0.99, mde: 0.02 }), services).some((x) => /must stay below 1/.test(x)));
    assert.ok(draftProblems(draft({ power: 0.04 }), services).some((x) => x.startsWith('Power')));
  });

  it('turns a draft into a router config the router accepts, and a plan with services and models', () => {
    const config = routerConfigOfDraft(draft({ control: 1, userKey: { kind: 'jsonField', name: 'user_id' } }), services);
    const parsed = parseRouterConfig(config);
    assert.ok(parsed.ok, JSON.stringify(parsed));
    if (!parsed.ok) return;
    assert.equal(parsed.config.control, 'wine-v2');
    assert.deepEqual(parsed.config.userKey, { jsonField: 'user_id' });
    assert.deepEqual(parsed.config.variants.map((v) => [v.name, v.upstreams[0]]), [['wine-v1', 'http://127.0.0.1:9001'], ['wine-v2', 'http://127.0.0.1:9002']]);
    const plan = planOfDraft(draft(), services, 5);
    assert.equal(plan.requiredPerGroup, 3835);
    assert.equal(plan.control, 'wine-v1');
    assert.equal(plan.variants[1].model, 'models:/wine/2');
  });
});

describe('A/B dashboard model: live view', () => {
  it("gives each variant's mean a t interval and the difference Welch's test (statsmodels to 1e-9)", () => {
    // DescrStatsW(a).tconfint_mean() = (3.022523955166019, 3.902476044833981)
    const ci = meanInterval('mean', A.n, A.sum, A.sumSquares, 0.05)!;
    close(ci[0], 3.022523955166019, 1e-9);
    close(ci[1], 3.902476044833981, 1e-9);
    // ttest_ind(a, b, usevar='unequal') p = 0.004776980388265754; tconfint_diff = (0.28681415, 1.26675728)
    const c = compareWithControl('mean', A, B, 0.05);
    assert.equal(c.test, 'welch');
    close(c.pValue, 0.004776980388265754, 1e-9);
    close(c.ci![0], 0.2868141506764255, 1e-9);
    close(c.ci![1], 1.2667572778950034, 1e-9);
    close(c.lift, (27.7 / 8 - 18.8 / 7) / (18.8 / 7), 1e-12);
  });

  it('uses the two-proportion z-test for a rate KPI and refuses non-0/1 values', () => {
    // proportions_ztest([130, 100], [1000, 1000]) p = 0.03548845046647471
    const c = compareWithControl('proportion', { variant: 'b', n: 1000, sum: 130, sumSquares: 130 }, { variant: 'a', n: 1000, sum: 100, sumSquares: 100 }, 0.05);
    close(c.pValue, 0.03548845046647471, 1e-9);
    close(c.difference, 0.03, 1e-12);
    const bad = compareWithControl('proportion', A, B, 0.05);
    assert.equal(bad.pValue, null);
    assert.match(bad.note!, /only the values 0 and 1/);
    assert.match(compareWithControl('mean', { ...A, n: 1 }, B, 0.05).note!, /at least 2/);
  });

  const plan: AbPlan = {
    experiment: 'e', title: 't', kpi: { name: 'revenue', type: 'mean' }, mde: 0.5, baseline: 1, alpha: 0.05, power: 0.8,
    requiredPerGroup: 8, alias: 'champion', control: 'wine-v1', createdMs: 0,
    variants: [
      { name: 'wine-v1', service: 'wine-v1', weight: 50, url: 'http://127.0.0.1:9001', model: 'models:/wine/1', modelRef: 'models:/wine@champion' },
      { name: 'wine-v2', service: 'wine-v2', weight: 50, url: 'http://127.0.0.1:9002', model: 'models:/wine/2', modelRef: null },
    ],
  };
  const inputs = (over: Partial<LiveInputs> = {}): LiveInputs => ({
    experiment: 'e', title: 't', status: 'running', routerRunning: true, routerUrl: 'http://127.0.0.1:7000',
    variants: [{ name: 'wine-v1', weight: 50 }, { name: 'wine-v2', weight: 50 }], control: 'wine-v1', plan,
    traffic: [{ variant: 'wine-v1', users: 7, requests: 20, errors: 1, latencyMeanMs: 3 }, { variant: 'wine-v2', users: 8, requests: 10, errors: 0, latencyMeanMs: 4 }],
    kpi: [B, A], startedMs: 1, nowMs: 2, trusted: true, notice: null, ...over,
  });

  it('holds the verdict until every variant reaches the planned n, then names the winner', () => {
    const collecting = liveState(inputs());
    assert.equal(collecting.verdict.status, 'collecting');
    assert.match(collecting.verdict.message, /collecting — 7 of 8 per variant \(87\.5 %\); p-values before the horizon are not evidence/);
    assert.equal(collecting.verdict.winner, null);
    assert.equal(collecting.variants[0].progress, 7 / 8);
    assert.equal(collecting.variants[1].progress, 1);
    assert.equal(collecting.variants[0].errorRate, 0.05);
    assert.equal(collecting.variants[0].isControl, true);
    assert.equal(collecting.comparisons.length, 1);
    close(collecting.comparisons[0].pValue, 0.004776980388265754, 1e-9);

    const done = liveState(inputs({ plan: { ...plan, requiredPerGroup: 7 } }));
    assert.equal(done.verdict.status, 'significant');
    assert.equal(done.verdict.winner, 'wine-v2');
    const stopped = liveState(inputs({ status: 'stopped' }));
    assert.equal(stopped.verdict.status, 'ended');
    const noPlan = liveState(inputs({ plan: null }));
    assert.equal(noPlan.requiredPerGroup, null);
    assert.match(noPlan.verdict.message, /no sample size was planned/);
  });

  it('keeps the control when the difference is not significant at the horizon (Bonferroni with two challengers)', () => {
    const same = { n: 10, sum: 30, sumSquares: 92 };
    const s = liveState(inputs({
      variants: [{ name: 'wine-v1', weight: 1 }, { name: 'wine-v2', weight: 1 }, { name: 'c', weight: 2 }],
      kpi: [{ variant: 'wine-v1', ...same }, { variant: 'wine-v2', ...same }, { variant: 'c', ...same }],
    }));
    assert.equal(s.verdict.status, 'not-significant');
    assert.match(s.verdict.message, /alpha 0\.05\/2 per comparison/);
    assert.equal(s.variants[2].share, 0.5);
  });
});

describe('A/B dashboard model: Promote Winner', () => {
  const plan = planOfDraft(draft(), services, 0);
  it('moves the alias to the winner\'s model version and redeploys the services that follow the alias', () => {
    assert.deepEqual(promotePlan('wine-v2', plan, services), { kind: 'registry', winner: 'wine-v2', model: 'wine', version: 2, alias: 'champion', followers: ['wine-v1'] });
  });
  it('treats a variant without a registry model as a plain service', () => {
    const p = planOfDraft(draft({ variants: [{ service: 'wine-v1', weight: 1 }, { service: 'plain', weight: 1 }] }), services, 0);
    assert.deepEqual(promotePlan('plain', p, services), { kind: 'service', winner: 'plain', url: 'http://127.0.0.1:9003' });
  });
});
