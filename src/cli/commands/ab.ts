// `modelcloud ab ...`: the A/B statistics from the command line (pure computation, no store).
//   ab sample-size  users per group for a t-test (--effect) or two rates (--proportions P1,P2)
//   ab test         Welch's t-test (--a n,mean,var --b n,mean,var) or the two-proportion z-test
//                   (--proportions --a successes,n --b successes,n)
//   ab boundaries   Lan-DeMets group-sequential boundaries for planned looks
import {
  ALTERNATIVES, expectedDuration, fixedHorizonVerdict, formatP, proportionsZTest, sampleSizeProportions, sampleSizeTTest,
  sequentialBoundaries, welchTTest, type Alternative, type SampleSizeResult, type SpendingFunction, type TestResult,
} from '../../core/abtest/statistics';
import type { CliIo } from '../runCli';
import type { Subcommand } from './registry';
import { parseFlags, usageError } from './services';

const SAMPLE_SIZE_USAGE = 'ab sample-size --effect E | --proportions P1,P2 [--alpha A] [--power P] [--ratio R] [--alternative two-sided|larger|smaller] [--rate USERS_PER_DAY --weights W1,W2] [--json]';

export const abCommand: Subcommand = {
  usage: [
    SAMPLE_SIZE_USAGE,
    '                                   minimum users per group (statsmodels TTestIndPower / NormalIndPower), alpha 0.05 and power 0.8 by default',
    'ab test --a n,mean,var --b n,mean,var [--alpha A] [--alternative ALT] [--planned N] [--json]',
    '                                   Welch\'s t-test of mean a - mean b (sample variances) with a confidence interval',
    'ab test --proportions --a successes,n --b successes,n [--alpha A] [--alternative ALT] [--planned N] [--json]',
    '                                   two-proportion z-test (pooled) with a Wald interval for p_a - p_b',
    'ab boundaries --looks K | --looks T1,T2,... [--alpha A] [--one-sided] [--spending obrien-fleming|pocock] [--json]',
    '                                   group-sequential (Lan-DeMets alpha spending) z boundaries for planned looks',
  ],
  async run(argv, io) {
    const [action, ...rest] = argv;
    try {
      switch (action) {
        case 'sample-size': return sampleSize(rest, io);
        case 'test': return test(rest, io);
        case 'boundaries': return boundaries(rest, io);
        default:
          return usageError(io, 'ab', action === undefined ? 'missing action: sample-size, test or boundaries' : `unknown action '${action}' (expected sample-size, test or boundaries)`);
      }
    } catch (error) {
      // Range errors carry the exact problem with the inputs ("alpha must be between 0 and 1 ...").
      if (error instanceof RangeError) return usageError(io, `ab ${action}`, error.message);
      io.err(`modelcloud ab ${action}: ${(error as Error).message}\n`);
      return 1;
    }
  },
};

function numberFlag(flags: Map<string, string | true>, name: string, fallback?: number): number | undefined {
  const raw = flags.get(name);
  if (raw === undefined) return fallback;
  const value = raw === true ? NaN : Number(raw);
  if (!Number.isFinite(value)) throw new RangeError(`${name} needs a number, got '${raw === true ? '' : raw}'`);
  return value;
}

function listFlag(flags: Map<string, string | true>, name: string, count: number | undefined, what: string): number[] | undefined {
  const raw = flags.get(name);
  if (raw === undefined) return undefined;
  const parts = raw === true ? [] : raw.split(',').map((p) => p.trim());
  const values = parts.map(Number);
  if (!parts.length || parts.some((p) => p === '') || values.some((v) => !Number.isFinite(v)) || (count !== undefined && values.length !== count)) {
    throw new RangeError(`${name} needs ${what}, got '${raw === true ? '' : raw}'`);
  }
  return values;
}

function alternativeFlag(flags: Map<string, string | true>): Alternative {
  const raw = flags.get('--alternative');
  if (raw === undefined) return 'two-sided';
  if (raw === true || !(ALTERNATIVES as readonly string[]).includes(raw)) {
    throw new RangeError(`--alternative must be one of ${ALTERNATIVES.join(', ')}, got '${raw === true ? '' : raw}'`);
  }
  return raw as Alternative;
}

/** JSON has no Infinity/NaN: the run-log convention spells them as strings. */
function jsonSafe(value: unknown): unknown {
  if (typeof value === 'number') return Number.isFinite(value) ? value : Number.isNaN(value) ? 'NaN' : value > 0 ? 'Infinity' : '-Infinity';
  if (Array.isArray(value)) return value.map(jsonSafe);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, jsonSafe(v)]));
  return value;
}

function printJson(io: CliIo, value: unknown): void {
  io.out(`${JSON.stringify(jsonSafe(value), null, 2)}\n`);
}

function sampleSize(argv: string[], io: CliIo): number {
  const parsed = parseFlags(argv, { values: ['--effect', '--alpha', '--power', '--ratio', '--alternative', '--proportions', '--rate', '--weights'], switches: ['--json'] });
  if (!parsed.ok) return usageError(io, 'ab sample-size', parsed.error);
  if (parsed.positional.length) return usageError(io, 'ab sample-size', `unexpected argument '${parsed.positional[0]}'`);
  const { flags } = parsed;
  const common = { alpha: numberFlag(flags, '--alpha', 0.05)!, power: numberFlag(flags, '--power', 0.8)!, ratio: numberFlag(flags, '--ratio', 1)!, alternative: alternativeFlag(flags) };
  const effect = numberFlag(flags, '--effect');
  const proportions = listFlag(flags, '--proportions', 2, 'two rates, e.g. --proportions 0.10,0.12');
  if ((effect === undefined) === (proportions === undefined)) {
    return usageError(io, 'ab sample-size', 'pass --effect E (standardized mean difference) or --proportions P1,P2 (two rates), one of them');
  }
  const result: SampleSizeResult = proportions
    ? sampleSizeProportions(proportions[0], proportions[1], common)
    : sampleSizeTTest({ ...common, effect: effect! });
  const rate = numberFlag(flags, '--rate');
  const weights = listFlag(flags, '--weights', 2, 'two traffic weights, e.g. --weights 50,50') ?? [1, 1];
  const duration = rate === undefined ? undefined : expectedDuration({ required: result.perGroup, weights, rate });
  if (flags.has('--json')) {
    printJson(io, { ...result, ...(duration ? { durationDays: duration.duration, rate, weights } : {}) });
    return 0;
  }
  const what = result.kind === 'proportions'
    ? `rates ${result.proportions![0]} vs ${result.proportions![1]} (Cohen's h ${result.effect.toFixed(4)})`
    : `effect size ${result.effect}`;
  io.out(`To detect ${what} with alpha ${result.alpha} and power ${result.power} (${result.alternative}):\n`);
  io.out(`  nobs1 = ${result.nobs1.toFixed(4)}, nobs2 = ${result.nobs2.toFixed(4)} (ratio ${result.ratio})\n`);
  io.out(`  users needed: ${result.perGroup[0]} in A and ${result.perGroup[1]} in B, ${result.total} in total\n`);
  if (duration) io.out(`  at ${rate} users/day split ${weights.join('/')}: ${duration.duration.toFixed(1)} days\n`);
  return 0;
}

function test(argv: string[], io: CliIo): number {
  const parsed = parseFlags(argv, { values: ['--a', '--b', '--alpha', '--alternative', '--planned'], switches: ['--proportions', '--json'] });
  if (!parsed.ok) return usageError(io, 'ab test', parsed.error);
  if (parsed.positional.length) return usageError(io, 'ab test', `unexpected argument '${parsed.positional[0]}'`);
  const { flags } = parsed;
  if (!flags.has('--a') || !flags.has('--b')) return usageError(io, 'ab test', 'needs --a and --b (n,mean,var each; or successes,n with --proportions)');
  const alpha = numberFlag(flags, '--alpha', 0.05)!;
  const alternative = alternativeFlag(flags);
  let result: TestResult & Record<string, unknown>;
  let counts: [number, number];
  if (flags.has('--proportions')) {
    const [sa, na] = listFlag(flags, '--a', 2, 'successes,n, e.g. --a 120,1000')!;
    const [sb, nb] = listFlag(flags, '--b', 2, 'successes,n, e.g. --b 100,1000')!;
    result = { test: 'two-proportion z-test', ...proportionsZTest({ successes: sa, n: na }, { successes: sb, n: nb }, alpha, alternative) };
    counts = [na, nb];
  } else {
    const [na, ma, va] = listFlag(flags, '--a', 3, 'n,mean,variance, e.g. --a 500,3.2,1.7')!;
    const [nb, mb, vb] = listFlag(flags, '--b', 3, 'n,mean,variance, e.g. --b 480,3.0,1.9')!;
    result = { test: "Welch's t-test", ...welchTTest({ n: na, mean: ma, variance: va }, { n: nb, mean: mb, variance: vb }, alpha, alternative) };
    counts = [na, nb];
  }
  const planned = numberFlag(flags, '--planned');
  const verdict = planned === undefined ? undefined : fixedHorizonVerdict(counts, [planned, planned], result.pValue, alpha);
  if (flags.has('--json')) {
    printJson(io, { ...result, ...(verdict ? { verdict } : {}) });
    return 0;
  }
  const level = `${((1 - alpha) * 100).toFixed(alpha * 100 % 1 === 0 ? 0 : 1)} %`;
  io.out(`${result.test as string} (${alternative}):\n`);
  io.out(`  difference a - b = ${result.difference.toPrecision(6)}, ${level} CI [${result.ci.map((v) => v.toPrecision(6)).join(', ')}]\n`);
  io.out(`  statistic = ${result.statistic.toFixed(4)}${'df' in result ? `, df = ${(result.df as number).toFixed(2)}` : ''}, p = ${formatP(result.pValue)}\n`);
  io.out(`  ${verdict ? verdict.message : result.pValue < alpha ? `significant at alpha ${alpha} — valid only if this is the planned, final look` : `not significant at alpha ${alpha}`}\n`);
  return 0;
}

function boundaries(argv: string[], io: CliIo): number {
  const parsed = parseFlags(argv, { values: ['--looks', '--alpha', '--spending'], switches: ['--one-sided', '--json'] });
  if (!parsed.ok) return usageError(io, 'ab boundaries', parsed.error);
  if (parsed.positional.length) return usageError(io, 'ab boundaries', `unexpected argument '${parsed.positional[0]}'`);
  const { flags } = parsed;
  const raw = flags.get('--looks');
  if (raw === undefined || raw === true) return usageError(io, 'ab boundaries', 'needs --looks K (K equally spaced looks) or --looks 0.25,0.5,1 (information fractions)');
  const fractions = /^\d+$/.test(raw)
    ? Array.from({ length: Number(raw) }, (_, i) => (i + 1) / Number(raw))
    : listFlag(flags, '--looks', undefined, 'a count or increasing fractions in (0, 1]')!;
  if (!fractions.length || fractions.length > 50) throw new RangeError(`--looks needs 1 to 50 looks, got ${fractions.length}`);
  const spending = (flags.get('--spending') ?? 'obrien-fleming') as SpendingFunction;
  if (spending !== 'obrien-fleming' && spending !== 'pocock') throw new RangeError(`--spending must be obrien-fleming or pocock, got '${String(spending)}'`);
  const alpha = numberFlag(flags, '--alpha', 0.05)!;
  const sides = flags.has('--one-sided') ? 1 : 2;
  const looks = sequentialBoundaries(fractions, { alpha, sides, spending });
  if (flags.has('--json')) {
    printJson(io, { alpha, sides, spending, looks });
    return 0;
  }
  io.out(`${spending} alpha spending, ${sides === 2 ? 'two-sided' : 'one-sided'} alpha ${alpha}:\n`);
  io.out('  LOOK  FRACTION  ALPHA SPENT  BOUNDARY |Z|  NOMINAL P\n');
  looks.forEach((l, i) => io.out(`  ${String(i + 1).padStart(4)}  ${l.fraction.toFixed(3).padStart(8)}  ${l.cumulativeAlpha.toExponential(3).padStart(11)}  ${l.z.toFixed(4).padStart(12)}  ${formatP(l.nominalP).padStart(9)}\n`));
  io.out('  Stop early only when the z statistic at a look is beyond its boundary.\n');
  return 0;
}
