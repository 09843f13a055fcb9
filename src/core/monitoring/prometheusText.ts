// Parser for the Prometheus text exposition format 0.0.4 (what /metrics of our services, the A/B
// router and prometheus_client's generate_latest() produce), plus the arithmetic the monitoring
// dashboard needs: group histogram/summary samples, quantiles from buckets, rates between scrapes.
// Pure: text in, data out. Errors name the line (and column) so a broken exporter is easy to find.

export type MetricType = 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';
const TYPES: readonly MetricType[] = ['counter', 'gauge', 'histogram', 'summary', 'untyped'];

export interface Sample {
  /** Full sample name, e.g. `http_request_duration_seconds_bucket`. */
  name: string;
  labels: Record<string, string>;
  /** May be NaN or ±Infinity. */
  value: number;
  /** Milliseconds since the epoch, when the exporter gave one. */
  timestampMs?: number;
  /** 1-based line in the scraped text. */
  line: number;
}

export interface MetricFamily {
  name: string;
  type: MetricType;
  help?: string;
  samples: Sample[];
}

export interface ParsedMetrics {
  /** In order of first appearance. */
  families: MetricFamily[];
  get(name: string): MetricFamily | undefined;
}

export class PrometheusParseError extends Error {
  constructor(readonly line: number, readonly column: number, readonly detail: string, readonly text: string) {
    super(`metrics text line ${line}, column ${column}: ${detail}: ${JSON.stringify(text.length > 120 ? `${text.slice(0, 117)}...` : text)}`);
    this.name = 'PrometheusParseError';
  }
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*/;

/** Parses a whole scrape. Throws PrometheusParseError on the first malformed line. */
export function parsePrometheusText(text: string): ParsedMetrics {
  const families: MetricFamily[] = [];
  const byName = new Map<string, MetricFamily>();
  const typeDeclared = new Set<string>();
  const helpDeclared = new Set<string>();
  const lines = text.split('\n');
  // A trailing newline leaves one empty string; a missing one is tolerated.
  lines.forEach((raw, index) => {
    const lineNo = index + 1;
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.trim() === '') return;
    const fail = (column: number, detail: string): never => { throw new PrometheusParseError(lineNo, column, detail, line); };
    const trimmed = line.replace(/^[ \t]+/, '');
    if (trimmed.startsWith('#')) {
      const m = /^#[ \t]+(HELP|TYPE)[ \t]+(\S+)(?:[ \t]+(.*))?$/.exec(trimmed);
      if (!m) return; // any other comment
      const [, keyword, name, rest = ''] = m;
      if (!METRIC_NAME.test(name) || METRIC_NAME.exec(name)![0] !== name) fail(line.indexOf(name) + 1, `invalid metric name '${name}'`);
      const family = familyFor(name);
      if (keyword === 'HELP') {
        if (helpDeclared.has(name)) fail(1, `second HELP line for ${name}`);
        helpDeclared.add(name);
        family.help = unescapeHelp(rest);
      } else {
        const type = rest.trim() as MetricType;
        if (!TYPES.includes(type)) fail(line.length - rest.length + 1, `unknown metric type '${rest.trim()}' (expected ${TYPES.join(', ')})`);
        if (typeDeclared.has(name)) fail(1, `second TYPE line for ${name}`);
        if (family.samples.length) fail(1, `TYPE for ${name} after its samples; TYPE must come before the first sample`);
        typeDeclared.add(name);
        family.type = type;
      }
      return;
    }
    const sample = parseSampleLine(line, lineNo, fail);
    const owner = owningFamily(sample.name);
    if (owner.type === 'histogram' && sample.name === `${owner.name}_bucket` && sample.labels.le === undefined) {
      fail(1, `histogram bucket without an 'le' label`);
    }
    owner.samples.push(sample);
  });
  return { families, get: (name) => byName.get(name) };

  function familyFor(name: string): MetricFamily {
    let family = byName.get(name);
    if (!family) {
      family = { name, type: 'untyped', samples: [] };
      byName.set(name, family);
      families.push(family);
    }
    return family;
  }

  /** The family a sample belongs to: its own name, or the histogram/summary/counter it is a part of. */
  function owningFamily(sampleName: string): MetricFamily {
    const exact = byName.get(sampleName);
    if (exact && typeDeclared.has(sampleName)) return exact;
    const suffix = /_(bucket|sum|count|total)$/.exec(sampleName);
    if (suffix) {
      const base = byName.get(sampleName.slice(0, -suffix[0].length));
      if (base) {
        if (base.type === 'histogram' && suffix[1] !== 'total') return base;
        if (base.type === 'summary' && (suffix[1] === 'sum' || suffix[1] === 'count')) return base;
        if (base.type === 'counter' && suffix[1] === 'total') return base;
      }
    }
    return familyFor(sampleName);
  }
}

function parseSampleLine(line: string, lineNo: number, fail: (column: number, detail: string) => never): Sample {
  let pos = 0;
  const skipBlanks = () => { while (line[pos] === ' ' || line[pos] === '\t') pos++; };
  skipBlanks();
  const nameMatch = METRIC_NAME.exec(line.slice(pos));
  if (!nameMatch) fail(pos + 1, 'expected a metric name');
  const name = nameMatch![0];
  pos += name.length;
  const labels: Record<string, string> = {};
  let peek = pos;
  while (line[peek] === ' ' || line[peek] === '\t') peek++;
  if (line[peek] === '{') {
    pos = peek + 1;
    for (;;) {
      skipBlanks();
      if (line[pos] === '}') { pos++; break; }
      const labelMatch = LABEL_NAME.exec(line.slice(pos));
      if (!labelMatch) fail(pos + 1, 'expected a label name or }');
      const label = labelMatch![0];
      pos += label.length;
      skipBlanks();
      if (line[pos] !== '=') fail(pos + 1, `expected = after label ${label}`);
      pos++;
      skipBlanks();
      if (line[pos] !== '"') fail(pos + 1, `expected a quoted value for label ${label}`);
      pos++;
      let value = '';
      for (;;) {
        const ch = line[pos];
        if (ch === undefined) fail(pos + 1, `unterminated value of label ${label}`);
        if (ch === '"') { pos++; break; }
        if (ch === '\\') {
          const next = line[pos + 1];
          if (next === 'n') value += '\n';
          else if (next === '\\') value += '\\';
          else if (next === '"') value += '"';
          else fail(pos + 1, `invalid escape \\${next ?? ''} in label ${label} (only \\\\, \\" and \\n)`);
          pos += 2;
          continue;
        }
        value += ch;
        pos++;
      }
      if (Object.hasOwn(labels, label)) fail(pos, `label ${label} appears twice`);
      labels[label] = value;
      skipBlanks();
      if (line[pos] === ',') { pos++; continue; }
      if (line[pos] === '}') { pos++; break; }
      fail(pos + 1, 'expected , or } after a label value');
    }
  }
  if (line[pos] !== ' ' && line[pos] !== '\t') fail(pos + 1, 'expected a space before the value');
  skipBlanks();
  const rest = line.slice(pos).trim().split(/[ \t]+/);
  if (rest.length === 0 || rest[0] === '') fail(pos + 1, 'missing sample value');
  if (rest.length > 2) fail(line.length - rest[rest.length - 1].length + 1, 'unexpected text after the timestamp');
  const value = parseValue(rest[0]);
  if (value === undefined) fail(pos + 1, `invalid sample value '${rest[0]}' (a number, NaN, +Inf or -Inf)`);
  let timestampMs: number | undefined;
  if (rest.length === 2) {
    if (!/^-?\d+$/.test(rest[1])) fail(line.lastIndexOf(rest[1]) + 1, `invalid timestamp '${rest[1]}' (milliseconds since the epoch, an integer)`);
    timestampMs = Number(rest[1]);
  }
  return { name, labels, value: value!, timestampMs, line: lineNo };
}

/** Go's ParseFloat spellings that exporters use: decimal/exponent, NaN, ±Inf (any case). */
function parseValue(token: string): number | undefined {
  const lower = token.toLowerCase();
  if (lower === 'nan') return NaN;
  if (lower === '+inf' || lower === 'inf' || lower === '+infinity' || lower === 'infinity') return Infinity;
  if (lower === '-inf' || lower === '-infinity') return -Infinity;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(token)) return undefined;
  return Number(token);
}

function unescapeHelp(text: string): string {
  return text.replace(/\\(n|\\)/g, (_, c: string) => (c === 'n' ? '\n' : '\\'));
}

// ---------------------------------------------------------------------------------------------
// Series, histograms, quantiles, rates

/** A stable key for a series: name plus sorted labels (the `le`/`quantile` label is part of it). */
export function seriesKey(name: string, labels: Record<string, string>): string {
  const parts = Object.keys(labels).sort().map((k) => `${k}=${JSON.stringify(labels[k])}`);
  return parts.length ? `${name}{${parts.join(',')}}` : name;
}

export interface HistogramBucket {
  /** Upper bound (`le`), +Infinity for the last. */
  le: number;
  /** Cumulative count of observations ≤ le. */
  count: number;
}

export interface HistogramSeries {
  /** Labels without `le`. */
  labels: Record<string, string>;
  buckets: HistogramBucket[];
  sum: number;
  count: number;
}

/** Groups a histogram family's `_bucket`/`_sum`/`_count` samples per label set, buckets sorted by le. */
export function histogramSeries(family: MetricFamily): HistogramSeries[] {
  if (family.type !== 'histogram') throw new Error(`${family.name} is a ${family.type}, not a histogram`);
  const byKey = new Map<string, HistogramSeries>();
  for (const s of family.samples) {
    const { le, ...labels } = s.labels;
    const key = seriesKey('', labels);
    let series = byKey.get(key);
    if (!series) { series = { labels, buckets: [], sum: NaN, count: NaN }; byKey.set(key, series); }
    if (s.name === `${family.name}_bucket`) {
      const bound = parseValue(le);
      if (bound === undefined || Number.isNaN(bound)) {
        throw new PrometheusParseError(s.line, 1, `histogram bucket bound le="${le}" is not a number`, `${s.name}`);
      }
      series.buckets.push({ le: bound, count: s.value });
    } else if (s.name === `${family.name}_sum`) series.sum = s.value;
    else if (s.name === `${family.name}_count`) series.count = s.value;
  }
  for (const series of byKey.values()) series.buckets.sort((a, b) => a.le - b.le);
  return [...byKey.values()];
}

/** Adds up several series' buckets (e.g. all commands of a service) into one histogram. */
export function mergeHistograms(series: readonly HistogramSeries[]): HistogramSeries {
  const buckets = new Map<number, number>();
  let sum = 0;
  let count = 0;
  for (const s of series) {
    for (const b of s.buckets) buckets.set(b.le, (buckets.get(b.le) ?? 0) + b.count);
    sum += s.sum;
    count += s.count;
  }
  return { labels: {}, buckets: [...buckets].map(([le, c]) => ({ le, count: c })).sort((a, b) => a.le - b.le), sum, count };
}

/**
 * The q-quantile (0 ≤ q ≤ 1) estimated from cumulative buckets, as PromQL's histogram_quantile:
 * linear interpolation inside the bucket that holds the rank; the lowest bucket starts at 0 (when
 * its bound is positive); a rank in the +Inf bucket returns the highest finite bound. NaN when empty.
 */
export function histogramQuantile(q: number, buckets: readonly HistogramBucket[]): number {
  if (!(q >= 0 && q <= 1)) throw new RangeError(`quantile must be between 0 and 1, got ${q}`);
  const sorted = [...buckets].sort((a, b) => a.le - b.le);
  if (sorted.length < 2 || sorted[sorted.length - 1].le !== Infinity) return NaN;
  const total = sorted[sorted.length - 1].count;
  if (!(total > 0)) return NaN;
  const rank = q * total;
  let i = sorted.findIndex((b) => b.count >= rank);
  if (i < 0) i = sorted.length - 1;
  if (i === sorted.length - 1) return sorted[sorted.length - 2].le;
  const upper = sorted[i].le;
  if (i === 0 && upper <= 0) return upper;
  const lower = i === 0 ? 0 : sorted[i - 1].le;
  const below = i === 0 ? 0 : sorted[i - 1].count;
  const inBucket = sorted[i].count - below;
  if (inBucket <= 0) return upper;
  return lower + (upper - lower) * ((rank - below) / inBucket);
}

/** Counter increase between two scrapes, treating a drop as a restart (the counter began at 0). */
function counterIncrease(previous: number, current: number): number {
  return current >= previous ? current - previous : current;
}

/** Per-second rate of a counter between two scrapes `seconds` apart. */
export function counterRate(previous: number, current: number, seconds: number): number {
  if (!(seconds > 0)) throw new RangeError(`the time between scrapes must be positive, got ${seconds}`);
  return counterIncrease(previous, current) / seconds;
}

/**
 * Buckets observed between two scrapes (current minus previous, per bound), so quantiles describe
 * the last interval rather than everything since the process started. A restart uses current.
 */
export function bucketsIncrease(previous: readonly HistogramBucket[], current: readonly HistogramBucket[]): HistogramBucket[] {
  const before = new Map(previous.map((b) => [b.le, b.count]));
  const restarted = current.some((b) => b.count < (before.get(b.le) ?? 0));
  return current.map((b) => ({ le: b.le, count: restarted ? b.count : b.count - (before.get(b.le) ?? 0) }));
}

/** Sum of a family's samples named `name` whose labels include `match` (e.g. all codes 5xx via a predicate). */
export function sumSamples(family: MetricFamily | undefined, name: string, match: (labels: Record<string, string>) => boolean = () => true): number {
  if (!family) return 0;
  return family.samples.filter((s) => s.name === name && match(s.labels)).reduce((acc, s) => acc + s.value, 0);
}
