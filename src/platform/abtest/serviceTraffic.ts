// Current traffic of deployed services, for "expected duration at current traffic": two scrapes
// of each service's /metrics (modelcloud_requests_total) a few seconds apart give requests/s.
import { counterRate, parsePrometheusText, sumSamples, type ParsedMetrics } from '../../core/monitoring/prometheusText';

interface Scrape { ms: number; total: number }

/** Remembers the last scrape per URL; rate() answers from the previous one (null on the first). */
export class ServiceTrafficMeter {
  private readonly last = new Map<string, Scrape>();
  private readonly rates = new Map<string, number>();

  /** Scrapes every URL now; returns the summed requests/s where a rate is known, else null. */
  async sample(urls: readonly string[], timeoutMs = 2_000): Promise<number | null> {
    await Promise.all(urls.map(async (url) => {
      const total = await requestTotal(url, timeoutMs);
      if (total === undefined) return;
      const now = Date.now();
      const prev = this.last.get(url);
      if (prev && now - prev.ms >= 500) {
        this.rates.set(url, counterRate(prev.total, total, (now - prev.ms) / 1000));
        this.last.set(url, { ms: now, total });
      } else if (!prev) {
        this.last.set(url, { ms: now, total });
      }
    }));
    const known = urls.filter((u) => this.rates.has(u));
    return known.length ? known.reduce((a, u) => a + this.rates.get(u)!, 0) : null;
  }
}

async function requestTotal(baseUrl: string, timeoutMs: number): Promise<number | undefined> {
  try {
    const res = await fetch(`${baseUrl.replace(/\/$/, '')}/metrics`, { signal: AbortSignal.timeout(timeoutMs) });
    if (!res.ok) return undefined;
    const parsed: ParsedMetrics = parsePrometheusText(await res.text());
    // The family may be named with or without the counter's _total suffix, depending on the exporter.
    const family = parsed.get('modelcloud_requests_total') ?? parsed.get('modelcloud_requests');
    return sumSamples(family, 'modelcloud_requests_total');
  } catch {
    return undefined; // not reachable or not a Modelcloud service: no traffic figure
  }
}
