// Alert rules over monitoring samples: "error rate above X % for W seconds", "p99 above Y ms for
// W seconds". Pure and incremental: feed each target's samples in time order, get fire/resolve
// events. One incident gives one 'fire' (debounced while it lasts); it ends ('resolve') once the
// condition has been false for `recoverSeconds`, and only then can the rule fire again.
import type { MonitoringSample } from './sample';

export type AlertMetric = 'errorRate' | 'p99';

export interface AlertRule {
  metric: AlertMetric;
  /** errorRate: percent (5 = 5 %); p99: milliseconds. */
  above: number;
  /** The condition must hold this long, without a break, before the alert fires. */
  forSeconds: number;
  /** How long the condition must be false before the incident ends. Default: forSeconds. */
  recoverSeconds?: number;
  /** Samples with fewer requests say nothing (neither breach nor recovery). Default 1. */
  minRequests?: number;
}

export const DEFAULT_ALERT_RULES: readonly AlertRule[] = [
  { metric: 'errorRate', above: 5, forSeconds: 30 },
  { metric: 'p99', above: 1000, forSeconds: 60 },
];

export interface AlertEvent {
  kind: 'fire' | 'resolve';
  service: string;
  rule: AlertRule;
  /** errorRate in percent over the breach, or the highest p99 in ms seen during it. */
  value: number;
  /** How long the condition held (fire) or had been false (resolve), in seconds. */
  seconds: number;
  ms: number;
  message: string;
}

interface RuleState {
  firing: boolean;
  breachSinceMs?: number;
  okSinceMs?: number;
  requests: number;
  errors: number;
  worstP99: number;
}

/** Validates rules from settings; returns the usable ones and a message per rejected entry. */
export function parseAlertRules(raw: unknown): { rules: AlertRule[]; problems: string[] } {
  if (raw === undefined || raw === null) return { rules: [...DEFAULT_ALERT_RULES], problems: [] };
  if (!Array.isArray(raw)) return { rules: [...DEFAULT_ALERT_RULES], problems: ['modelcloud.monitoring.alerts must be an array of rules; using the defaults'] };
  const rules: AlertRule[] = [];
  const problems: string[] = [];
  raw.forEach((entry: unknown, i) => {
    const r = entry as Partial<AlertRule> | null;
    const where = `modelcloud.monitoring.alerts[${i}]`;
    if (!r || typeof r !== 'object') { problems.push(`${where} is not an object`); return; }
    if (r.metric !== 'errorRate' && r.metric !== 'p99') { problems.push(`${where}.metric must be "errorRate" or "p99"`); return; }
    if (typeof r.above !== 'number' || !(r.above >= 0)) { problems.push(`${where}.above must be a number ≥ 0 (percent for errorRate, ms for p99)`); return; }
    if (typeof r.forSeconds !== 'number' || !(r.forSeconds >= 0)) { problems.push(`${where}.forSeconds must be a number of seconds ≥ 0`); return; }
    if (r.recoverSeconds !== undefined && !(typeof r.recoverSeconds === 'number' && r.recoverSeconds >= 0)) { problems.push(`${where}.recoverSeconds must be a number of seconds ≥ 0`); return; }
    if (r.minRequests !== undefined && !(typeof r.minRequests === 'number' && r.minRequests >= 0)) { problems.push(`${where}.minRequests must be a number ≥ 0`); return; }
    rules.push({ metric: r.metric, above: r.above, forSeconds: r.forSeconds, recoverSeconds: r.recoverSeconds, minRequests: r.minRequests });
  });
  return { rules, problems };
}

/** What a rule reads from a sample; undefined when the sample says nothing (down, too little traffic). */
function reading(rule: AlertRule, s: MonitoringSample): number | undefined {
  if (!s.up || s.requests < Math.max(1, rule.minRequests ?? 1)) return undefined;
  const v = rule.metric === 'errorRate' ? (s.errorRate === null ? null : s.errorRate * 100) : s.p99;
  return v === null ? undefined : v;
}

export function describeRule(rule: AlertRule): string {
  return rule.metric === 'errorRate' ? `error rate > ${rule.above}% for ${rule.forSeconds} s` : `p99 latency > ${rule.above} ms for ${rule.forSeconds} s`;
}

/** The notification text: `wine-api: error rate 12% > 5% for 30 s`. */
export function alertMessage(service: string, rule: AlertRule, value: number, seconds: number): string {
  const shown = rule.metric === 'errorRate' ? `error rate ${formatNumber(value)}% > ${rule.above}%` : `p99 latency ${formatNumber(value)} ms > ${rule.above} ms`;
  return `${service}: ${shown} for ${Math.round(seconds)} s`;
}

function formatNumber(v: number): string {
  return v >= 10 ? String(Math.round(v)) : String(Math.round(v * 10) / 10);
}

/** Holds per target and rule whether an incident is open. */
export class AlertEvaluator {
  private readonly states = new Map<string, RuleState>();

  constructor(private rules: readonly AlertRule[]) {}

  setRules(rules: readonly AlertRule[]): void {
    this.rules = rules;
    this.states.clear();
  }

  /** Incidents open now, as `service` → rules. */
  firing(): Array<{ service: string; rule: AlertRule }> {
    const out: Array<{ service: string; rule: AlertRule }> = [];
    for (const [key, st] of this.states) {
      if (!st.firing) continue;
      const [service, index] = splitKey(key);
      const rule = this.rules[index];
      if (rule) out.push({ service, rule });
    }
    return out;
  }

  /** Feeds one sample (per target, in time order); returns the events it causes. */
  observe(sample: MonitoringSample): AlertEvent[] {
    const events: AlertEvent[] = [];
    this.rules.forEach((rule, index) => {
      const key = `${index}\u0000${sample.service}`;
      let st = this.states.get(key);
      if (!st) { st = { firing: false, requests: 0, errors: 0, worstP99: 0 }; this.states.set(key, st); }
      const v = reading(rule, sample);
      if (v === undefined) return;
      const start = sample.ms - sample.intervalMs;
      if (v > rule.above) {
        st.okSinceMs = undefined;
        if (st.breachSinceMs === undefined) { st.breachSinceMs = start; st.requests = 0; st.errors = 0; st.worstP99 = 0; }
        st.requests += sample.requests;
        st.errors += sample.errors;
        st.worstP99 = Math.max(st.worstP99, sample.p99 ?? 0);
        const held = (sample.ms - st.breachSinceMs) / 1000;
        if (!st.firing && held >= rule.forSeconds) {
          st.firing = true;
          const value = rule.metric === 'errorRate' ? (st.requests > 0 ? (100 * st.errors) / st.requests : v) : st.worstP99;
          events.push({ kind: 'fire', service: sample.service, rule, value, seconds: held, ms: sample.ms, message: alertMessage(sample.service, rule, value, held) });
        }
      } else {
        st.breachSinceMs = undefined;
        if (!st.firing) return;
        if (st.okSinceMs === undefined) st.okSinceMs = start;
        const ok = (sample.ms - st.okSinceMs) / 1000;
        if (ok >= (rule.recoverSeconds ?? rule.forSeconds)) {
          st.firing = false;
          st.okSinceMs = undefined;
          events.push({
            kind: 'resolve', service: sample.service, rule, value: v, seconds: ok, ms: sample.ms,
            message: `${sample.service}: ${rule.metric === 'errorRate' ? 'error rate' : 'p99 latency'} back under ${rule.above}${rule.metric === 'errorRate' ? '%' : ' ms'}`,
          });
        }
      }
    });
    return events;
  }
}

function splitKey(key: string): [string, number] {
  const at = key.indexOf('\u0000');
  return [key.slice(at + 1), Number(key.slice(0, at))];
}
