import * as assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { runCli } from '../../../src/cli/runCli';

// `modelcloud ab sample-size|test|boundaries` in process: pure computation, no store is touched.
async function ab(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(['ab', ...args], { out: (t) => { out += t; }, err: (t) => { err += t; }, cwd: tmpdir(), version: '9.9.9' });
  return { code, out, err };
}

describe('modelcloud ab (statistics CLI)', function () {
  this.timeout(30_000);

  it("sample-size prints the seed's 6280.05 per group, and JSON with --json", async () => {
    const text = await ab('sample-size', '--effect', '0.05', '--alpha', '0.05', '--power', '0.8');
    assert.equal(text.code, 0, text.err);
    assert.match(text.out, /nobs1 = 6280\.0489/);
    assert.match(text.out, /6281 in A and 6281 in B, 12562 in total/);
    const json = await ab('sample-size', '--effect', '0.05', '--alpha', '0.05', '--power', '0.8', '--ratio', '2', '--json');
    const result = JSON.parse(json.out);
    assert.equal(result.kind, 't-test');
    assert.equal(result.ratio, 2);
    assert.ok(Math.abs(result.nobs2 - 2 * result.nobs1) < 1e-9);
  });

  it('sample-size for proportions with the expected duration at current traffic', async () => {
    const json = await ab('sample-size', '--proportions', '0.10,0.12', '--rate', '2000', '--weights', '90,10', '--json');
    assert.equal(json.code, 0, json.err);
    const result = JSON.parse(json.out);
    assert.deepEqual(result.perGroup, [3835, 3835]);
    assert.ok(Math.abs(result.durationDays - 3835 / 200) < 1e-9);
  });

  it("test runs Welch's t-test and the z-test; --planned gives the fixed-horizon verdict", async () => {
    const welch = await ab('test', '--a', '500,3.2,1.7', '--b', '480,3.0,1.9', '--planned', '6281');
    assert.equal(welch.code, 0, welch.err);
    assert.match(welch.out, /Welch's t-test \(two-sided\)/);
    assert.match(welch.out, /not significant yet — 480 of 6281/);
    const z = JSON.parse((await ab('test', '--proportions', '--a', '120,1000', '--b', '100,1000', '--alternative', 'larger', '--json')).out);
    assert.equal(z.test, 'two-proportion z-test');
    assert.ok(Math.abs(z.pValue - 0.076458890931973) < 1e-9);
  });

  it('boundaries prints the O’Brien–Fleming table and infinite CI ends survive JSON', async () => {
    const table = await ab('boundaries', '--looks', '5');
    assert.equal(table.code, 0, table.err);
    assert.match(table.out, /4\.8769/);
    const oneSided = JSON.parse((await ab('test', '--a', '50,1,1', '--b', '50,0.5,1', '--alternative', 'larger', '--json')).out);
    assert.equal(oneSided.ci[1], 'Infinity');
  });

  it('bad usage exits 2 with one line that says what to fix', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['sample-size', '--effect', '0.1', '--alpha', '2'], /alpha must be between 0 and 1/],
      [['sample-size'], /pass --effect E .* or --proportions P1,P2/],
      [['sample-size', '--effect', '0.1', '--alternative', 'bigger'], /--alternative must be one of two-sided, larger, smaller/],
      [['test', '--a', '5,1', '--b', '4,1,1'], /--a needs n,mean,variance/],
      [['boundaries', '--looks', '0.5,0.4'], /must increase/],
      [['frobnicate'], /unknown subcommand 'frobnicate' \(expected sample-size, test, boundaries, start/],
    ];
    for (const [args, pattern] of cases) {
      const r = await ab(...args);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.out}${r.err}`);
      assert.match(r.err, pattern);
    }
  });
});
