// The A/B router's configuration (a JSON file given to `modelcloud ab start --config FILE`), and its
// validation. Pure: every problem is reported at once, each naming the field and a fix.
import {
  assignmentPlan, userKeySourceProblems, variantWeightProblems,
  type AssignmentPlan, type UserKeySource,
} from './assignment';

export interface RouterVariant {
  name: string;
  /** Relative weight: 90 and 10, or 0.9 and 0.1. */
  weight: number;
  /** Base URLs of the variant's replicas, e.g. http://127.0.0.1:9001 (the service's stable port). */
  upstreams: string[];
}

export interface RouterConfig {
  /** Experiment id: the salt of the assignment, the router's folder name and the store key. */
  experiment: string;
  /** Free text shown in status and dashboards. */
  title?: string;
  variants: RouterVariant[];
  /** The variant every request goes to while paused or stopped. Default: the first variant. */
  control: string;
  userKey: UserKeySource;
  /** No user key: answer 400, or serve the named variant without counting the request in the experiment. */
  missingKey: { policy: 'reject' } | { policy: 'default'; variant: string };
  /** Commands (the <command> of POST /<command>) safe to send twice: these are retried on another replica. */
  idempotent: string[];
  timeouts: { connectMs: number; requestMs: number };
  /** Extra replicas tried after the first for an idempotent request (bounded by the variant's replica count - 1). */
  retries: number;
  /** Largest request body accepted (413 above). */
  maxBodyBytes: number;
  host: string;
  /** 0 = any free port (the chosen one is written to router-info.json). */
  port: number;
  /** Milliseconds between /healthz probes of replicas marked unhealthy. */
  healthIntervalMs: number;
}

export const ROUTER_DEFAULTS = {
  timeouts: { connectMs: 2_000, requestMs: 30_000 },
  retries: 1,
  maxBodyBytes: 1024 * 1024,
  host: '127.0.0.1',
  port: 0,
  healthIntervalMs: 1_000,
} as const;

export const EXPERIMENT_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;

export type RouterConfigResult = { ok: true; config: RouterConfig; plan: AssignmentPlan } | { ok: false; problems: string[] };

/** Validates raw JSON and fills defaults. */
export function parseRouterConfig(raw: unknown): RouterConfigResult {
  const problems: string[] = [];
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return { ok: false, problems: ['the router config must be a JSON object'] };
  const r = raw as Record<string, unknown>;
  const known = new Set(['experiment', 'title', 'variants', 'control', 'userKey', 'missingKey', 'idempotent', 'timeouts', 'retries', 'maxBodyBytes', 'host', 'port', 'healthIntervalMs']);
  for (const key of Object.keys(r)) if (!known.has(key)) problems.push(`unknown field '${key}' (known: ${[...known].join(', ')})`);

  if (typeof r.experiment !== 'string' || !EXPERIMENT_ID_PATTERN.test(r.experiment)) {
    problems.push("experiment must be an id of 1-63 letters, digits, '.', '_' or '-' (e.g. \"ranker-v2-vs-v1\")");
  }
  if (r.title !== undefined && typeof r.title !== 'string') problems.push('title must be a string');

  const variants: RouterVariant[] = [];
  if (!Array.isArray(r.variants)) {
    problems.push('variants must be a list: [{"name": "A", "weight": 50, "upstreams": ["http://127.0.0.1:9001"]}, ...]');
  } else {
    problems.push(...variantWeightProblems(r.variants as RouterVariant[]));
    r.variants.forEach((v: unknown, i: number) => {
      const entry = (v ?? {}) as Record<string, unknown>;
      const label = typeof entry.name === 'string' ? entry.name : `variant ${i + 1}`;
      const upstreams = entry.upstreams;
      if (!Array.isArray(upstreams) || upstreams.length === 0) {
        problems.push(`${label}: upstreams must list at least one replica URL, e.g. ["http://127.0.0.1:9001"]`);
      } else {
        for (const u of upstreams) {
          const problem = upstreamProblem(u);
          if (problem) problems.push(`${label}: ${problem}`);
        }
      }
      for (const key of Object.keys(entry)) if (!['name', 'weight', 'upstreams'].includes(key)) problems.push(`${label}: unknown field '${key}'`);
      variants.push({ name: entry.name as string, weight: entry.weight as number, upstreams: Array.isArray(upstreams) ? upstreams.map((u) => String(u).replace(/\/+$/, '')) : [] });
    });
  }
  const names = new Set(variants.map((v) => v.name));

  const control = r.control === undefined ? variants[0]?.name : r.control;
  if (typeof control !== 'string' || (names.size && !names.has(control))) {
    problems.push(`control must name one of the variants (${[...names].join(', ')}); it serves all traffic while paused or stopped`);
  }

  const userKey = r.userKey === undefined ? { header: 'x-user-id' } : r.userKey;
  problems.push(...userKeySourceProblems(userKey));

  let missingKey: RouterConfig['missingKey'] = { policy: 'reject' };
  if (r.missingKey !== undefined) {
    const m = r.missingKey as Record<string, unknown>;
    if (m && m.policy === 'reject') missingKey = { policy: 'reject' };
    else if (m && m.policy === 'default' && typeof m.variant === 'string' && names.has(m.variant)) missingKey = { policy: 'default', variant: m.variant };
    else problems.push(`missingKey must be {"policy": "reject"} (answer 400) or {"policy": "default", "variant": "<one of ${[...names].join(', ')}>"}`);
  }

  const idempotent = r.idempotent === undefined ? [] : r.idempotent;
  if (!Array.isArray(idempotent) || idempotent.some((c) => typeof c !== 'string' || !/^[A-Za-z0-9_.-]+$/.test(c))) {
    problems.push('idempotent must be a list of command names, e.g. ["predict"] (only these are retried on another replica)');
  }

  const timeouts: { connectMs: number; requestMs: number } = { ...ROUTER_DEFAULTS.timeouts };
  if (r.timeouts !== undefined) {
    const t = (r.timeouts ?? {}) as Record<string, unknown>;
    for (const key of ['connectMs', 'requestMs'] as const) {
      if (t[key] === undefined) continue;
      if (!isInt(t[key], 1, 3_600_000)) problems.push(`timeouts.${key} must be a whole number of milliseconds from 1 to 3600000`);
      else timeouts[key] = t[key] as number;
    }
  }
  const int = (key: string, min: number, max: number, fallback: number): number => {
    if (r[key] === undefined) return fallback;
    if (!isInt(r[key], min, max)) { problems.push(`${key} must be a whole number from ${min} to ${max}`); return fallback; }
    return r[key] as number;
  };
  const retries = int('retries', 0, 10, ROUTER_DEFAULTS.retries);
  const maxBodyBytes = int('maxBodyBytes', 1, 1024 ** 3, ROUTER_DEFAULTS.maxBodyBytes);
  const port = int('port', 0, 65535, ROUTER_DEFAULTS.port);
  const healthIntervalMs = int('healthIntervalMs', 50, 600_000, ROUTER_DEFAULTS.healthIntervalMs);
  const host = r.host === undefined ? ROUTER_DEFAULTS.host : r.host;
  if (typeof host !== 'string' || !host) problems.push('host must be an interface address such as "127.0.0.1" (or "0.0.0.0" to listen on all)');

  if (problems.length) return { ok: false, problems };
  const config: RouterConfig = {
    experiment: r.experiment as string,
    ...(r.title !== undefined ? { title: r.title as string } : {}),
    variants, control: control as string, userKey: userKey as UserKeySource, missingKey,
    idempotent: idempotent as string[], timeouts, retries, maxBodyBytes, host: host as string, port, healthIntervalMs,
  };
  return { ok: true, config, plan: assignmentPlan(config.experiment, variants) };
}

/** Like parseRouterConfig, but throws one Error listing every problem. */
export function routerConfigOrThrow(raw: unknown, where = 'router config'): { config: RouterConfig; plan: AssignmentPlan } {
  const result = parseRouterConfig(raw);
  if (!result.ok) throw new Error(`invalid ${where}:\n  - ${result.problems.join('\n  - ')}`);
  return result;
}

function upstreamProblem(u: unknown): string | undefined {
  if (typeof u !== 'string') return `upstream ${JSON.stringify(u)} is not a URL string`;
  let url: URL;
  try { url = new URL(u); } catch { return `upstream '${u}' is not a URL; write it as http://HOST:PORT`; }
  if (url.protocol !== 'http:') return `upstream '${u}' must use http:// (the router talks plain HTTP to services on a private network)`;
  if ((url.pathname && url.pathname !== '/') || url.search || url.hash) return `upstream '${u}' must be a base URL without a path (http://HOST:PORT)`;
  return undefined;
}

function isInt(v: unknown, min: number, max: number): boolean {
  return typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;
}

