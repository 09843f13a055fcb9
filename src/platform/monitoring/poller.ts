// Scrapes /metrics (and /version) of every running deployment and A/B router every N seconds,
// turns each pair of consecutive scrapes into a MonitoringSample (src/core/monitoring/derive.ts),
// writes it to the store and hands it to listeners (dashboards, alert rules). A target that does
// not answer is recorded as a gap, never thrown: one sick service must not stop the others' charts.
import { deriveSample, profileFor, ROUTER_PROFILE, type Scrape } from '../../core/monitoring/derive';
import { parsePrometheusText } from '../../core/monitoring/prometheusText';
import { gapSample, type MonitoringSample } from '../../core/monitoring/sample';
import type { MetricsStore } from './metricsStore';

export interface MonitorTarget {
  /** Store key: the service name, or `router:<experiment>`. */
  key: string;
  kind: 'service' | 'router';
  /** Base URL (no trailing slash). */
  url: string;
}

export interface PollerOptions {
  targets: () => Promise<MonitorTarget[]>;
  store?: MetricsStore;
  /** Seconds between polls, read before each one (settings may change). */
  intervalSeconds: () => number;
  onSamples?: (samples: MonitoringSample[]) => void;
  log?: (line: string) => void;
  /** Per request; default 3 s (a scrape must not outlast the interval by much). */
  fetchTimeoutMs?: number;
  now?: () => number;
  /** How often to fold old samples (default every 10 min). */
  compactEveryMs?: number;
}

interface TargetState {
  last?: Scrape;
  lastMs: number;
  down: boolean;
}

export class MonitoringPoller {
  private readonly state = new Map<string, TargetState>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<MonitoringSample[]> | undefined;
  private lastCompactMs = 0;
  private disposed = false;

  constructor(private readonly options: PollerOptions) {}

  /** Polls now, then every intervalSeconds until dispose(). */
  start(): void {
    if (this.timer || this.disposed) return;
    const tick = async () => {
      await this.pollOnce().catch((error: unknown) => this.options.log?.(`monitoring: poll failed: ${describe(error)}`));
      if (!this.disposed) this.timer = setTimeout(() => void tick(), Math.max(1, this.options.intervalSeconds()) * 1000);
    };
    this.timer = setTimeout(() => void tick(), 0);
  }

  /** One poll of every target (polls never overlap: a second call waits for the first). */
  pollOnce(): Promise<MonitoringSample[]> {
    const next = (this.running ?? Promise.resolve([])).then(() => this.poll());
    this.running = next.catch(() => []);
    return next;
  }

  dispose(): void {
    this.disposed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private async poll(): Promise<MonitoringSample[]> {
    const targets = await this.options.targets();
    const live = new Set(targets.map((t) => t.key));
    // Stopped targets are not outages: forget them, so a later start begins a fresh baseline.
    for (const key of [...this.state.keys()]) if (!live.has(key)) this.state.delete(key);
    const results = await Promise.all(targets.map((t) => this.scrapeTarget(t)));
    const samples = results.filter((s): s is MonitoringSample => s !== undefined);
    if (samples.length) {
      try {
        this.options.store?.write(samples);
      } catch (error) {
        this.options.log?.(`monitoring: could not write ${samples.length} samples to the store: ${describe(error)}`);
      }
      this.options.onSamples?.(samples);
    }
    this.maybeCompact();
    return samples;
  }

  private async scrapeTarget(target: MonitorTarget): Promise<MonitoringSample | undefined> {
    const now = () => (this.options.now ?? Date.now)();
    let st = this.state.get(target.key);
    if (!st) { st = { lastMs: now(), down: false }; this.state.set(target.key, st); }
    let scrape: Scrape;
    try {
      scrape = await this.scrape(target, now);
    } catch (error) {
      const ms = now();
      if (!st.down) this.options.log?.(`monitoring: ${target.key} at ${target.url} did not answer: ${describe(error)} (recorded as a gap until it does)`);
      const gap = gapSample(target.key, ms, Math.max(1, ms - st.lastMs), st.last?.modelVersion ?? null);
      st.down = true;
      st.last = undefined;
      st.lastMs = ms;
      return gap;
    }
    if (st.down) this.options.log?.(`monitoring: ${target.key} answers again`);
    st.down = false;
    const previous = st.last;
    st.last = scrape;
    st.lastMs = scrape.ms;
    if (!previous || scrape.ms <= previous.ms) return undefined; // the first scrape is only a baseline
    try {
      return deriveSample(target.key, previous, scrape, target.kind === 'router' ? ROUTER_PROFILE : profileFor(scrape.metrics));
    } catch (error) {
      this.options.log?.(`monitoring: could not derive a sample for ${target.key}: ${describe(error)}`);
      return undefined;
    }
  }

  private async scrape(target: MonitorTarget, now: () => number): Promise<Scrape> {
    const timeout = this.options.fetchTimeoutMs ?? 3000;
    const get = async (path: string): Promise<Response> => {
      const res = await fetch(`${target.url}${path}`, { signal: AbortSignal.timeout(timeout) });
      if (!res.ok) throw new Error(`GET ${target.url}${path}: HTTP ${res.status}`);
      return res;
    };
    const version = target.kind === 'service'
      ? get('/version').then((r) => r.json() as Promise<{ model_version?: unknown; version?: unknown }>).then(
        (v) => (typeof v.model_version === 'string' ? v.model_version : typeof v.version === 'string' ? v.version : null),
        () => null,
      )
      : Promise.resolve(null);
    const text = await (await get('/metrics')).text();
    const ms = now();
    const metrics = parsePrometheusText(text);
    return { ms, metrics, modelVersion: await version };
  }

  private maybeCompact(): void {
    const store = this.options.store;
    const now = (this.options.now ?? Date.now)();
    if (!store || now - this.lastCompactMs < (this.options.compactEveryMs ?? 600_000)) return;
    this.lastCompactMs = now;
    try {
      store.compact(now);
    } catch (error) {
      this.options.log?.(`monitoring: could not fold old samples: ${describe(error)}`);
    }
  }
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as Error & { cause?: unknown }).cause;
    return cause instanceof Error ? `${error.message} (${cause.message})` : error.message;
  }
  return String(error);
}
