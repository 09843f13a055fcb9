// The A/B router (seed 003 §2.4.2, "separated mode"): its own process in front of independent model
// services. POST /<command> goes to the variant the user key is assigned to (sticky, see
// src/core/abtest/assignment.ts), round-robin over that variant's healthy replicas.
//
// Routes:  POST /<command>      forwarded (response streamed back, header x-modelcloud-variant)
//          POST /feedback       {user_id, metric, value}: a KPI for the user's variant
//          GET  /metrics        Prometheus text of the router itself
//          GET  /healthz        200 while the process serves
//          /admin/*             Authorization: Bearer <admin.token>: state, pause, resume, stop, assign, shutdown
//
// Status: running → paused ↔ running; running|paused → stopped (final).
//   paused:  every request is served by the control variant and logged with phase 'paused' (left
//            out of statistics); feedback is still accepted and logged with phase 'paused'.
//            Assignments are unchanged, so resuming puts every user back in their own group.
//   stopped: like paused, but final: feedback answers 409; the experiment row gets stopped_ms.
import * as http from 'node:http';
import { createHash, timingSafeEqual } from 'node:crypto';
import { assign, userKeyFromHeaders, userKeyFromJson, normaliseUserKey, type AssignmentPlan, type HexHash } from '../core/abtest/assignment';
import type { RouterConfig } from '../core/abtest/routerConfig';
import { RouterMetrics } from './metrics';
import { VariantPool, startHealthProbe, type Replica } from './upstreamPool';
import type { StoreWriter } from './storeWriter';

export type ExperimentStatus = 'running' | 'paused' | 'stopped';

export const sha1Hex: HexHash = (text) => createHash('sha1').update(text, 'utf8').digest('hex');

const COMMAND_PATH = /^\/([A-Za-z0-9_.-]+)$/;
const RESERVED = new Set(['feedback', 'metrics', 'healthz', 'admin']);
const MAX_FEEDBACK_BODY = 64 * 1024;
/** Users whose first assignment was already queued for the store; cleared when it grows past this. */
const SEEN_USERS_LIMIT = 2_000_000;
const METRIC_NAME = /^[A-Za-z_][A-Za-z0-9_.:-]{0,99}$/;
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer', 'host']);

export interface RouterOptions {
  config: RouterConfig;
  plan: AssignmentPlan;
  adminToken: string;
  store?: StoreWriter;
  /** Called after POST /admin/shutdown has been answered. */
  onShutdown?: () => void;
  now?: () => number;
}

export class AbRouter {
  readonly server: http.Server;
  readonly metrics: RouterMetrics;
  private readonly pools = new Map<string, VariantPool>();
  private readonly idempotent: Set<string>;
  private readonly expectedAuth: Buffer;
  private readonly seenUsers = new Set<string>();
  private readonly stopProbe: () => void;
  private statusValue: ExperimentStatus = 'running';
  private readonly startedMs: number;
  private pausedMs: number | undefined;
  private stoppedMs: number | undefined;
  private readonly now: () => number;

  constructor(private readonly options: RouterOptions) {
    const { config } = options;
    this.now = options.now ?? Date.now;
    this.metrics = new RouterMetrics(config.experiment);
    for (const v of config.variants) this.pools.set(v.name, new VariantPool(v.name, v.upstreams, config.timeouts));
    this.idempotent = new Set(config.idempotent);
    this.expectedAuth = Buffer.from(`Bearer ${options.adminToken}`);
    this.server = http.createServer((req, res) => this.handle(req, res));
    this.server.keepAliveTimeout = 65_000;
    this.server.headersTimeout = 66_000;
    this.stopProbe = startHealthProbe([...this.pools.values()], config.healthIntervalMs, config.timeouts.connectMs);
    this.startedMs = this.now();
    this.recordStatus();
  }

  get status(): ExperimentStatus { return this.statusValue; }

  listen(): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.options.config.port, this.options.config.host, () => {
        this.server.off('error', reject);
        resolve((this.server.address() as { port: number }).port);
      });
    });
  }

  async close(): Promise<void> {
    this.stopProbe();
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeIdleConnections();
      setTimeout(() => this.server.closeAllConnections(), 2_000).unref();
    });
    for (const p of this.pools.values()) p.destroy();
  }

  /** pause/resume/stop; returns an error message when the transition is not allowed. */
  transition(to: ExperimentStatus): string | undefined {
    const from = this.statusValue;
    if (from === to) return undefined;
    if (from === 'stopped') return `experiment ${this.options.config.experiment} is stopped; a stopped experiment cannot be ${to === 'running' ? 'resumed' : 'paused'} (start a new one)`;
    this.statusValue = to;
    if (to === 'paused') this.pausedMs = this.now();
    if (to === 'running') this.pausedMs = undefined;
    if (to === 'stopped') this.stoppedMs = this.now();
    this.recordStatus();
    return undefined;
  }

  state(): Record<string, unknown> {
    const { config, plan } = this.options;
    const counts = this.metrics.countsByVariant();
    return {
      experiment: config.experiment,
      title: config.title ?? null,
      status: this.statusValue,
      control: config.control,
      startedMs: this.startedMs,
      pausedMs: this.pausedMs ?? null,
      stoppedMs: this.stoppedMs ?? null,
      userKey: config.userKey,
      missingKey: config.missingKey,
      idempotent: config.idempotent,
      variants: config.variants.map((v, i) => ({
        name: v.name, weight: v.weight, share: plan.shares[i],
        requests: counts[v.name]?.requests ?? 0, errors: counts[v.name]?.errors ?? 0,
        replicas: this.pools.get(v.name)!.replicas.map((r) => ({ url: r.url, healthy: r.healthy, inFlight: r.inFlight, sent: r.sent, lastError: r.lastError ?? null })),
      })),
      feedback: this.metrics.feedbackTotal(),
      store: this.options.store?.snapshot() ?? null,
      pid: process.pid,
    };
  }

  private recordStatus(): void {
    const { config } = this.options;
    this.options.store?.experimentStatus({
      id: config.experiment, title: config.title ?? null, config: JSON.stringify(config), status: this.statusValue, ms: this.now(),
    });
  }

  // ---- request handling -------------------------------------------------------------------------

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    if (path.startsWith('/admin/')) { this.admin(req, res, path); return; }
    if (req.method === 'POST') {
      if (path === '/feedback') { this.feedback(req, res); return; }
      const m = COMMAND_PATH.exec(path);
      if (m && !RESERVED.has(m[1])) { this.route(req, res, m[1]); return; }
    } else if (req.method === 'GET') {
      if (path === '/healthz') { sendJson(res, 200, { status: 'ok', experiment: this.options.config.experiment, experimentStatus: this.statusValue }); return; }
      if (path === '/metrics') {
        const text = this.metrics.render({ status: this.statusValue, replicas: this.replicaGauges(), store: this.options.store?.snapshot() ?? { queued: 0, written: 0, dropped: 0, errors: 0 } });
        res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8', 'content-length': Buffer.byteLength(text) });
        res.end(text);
        return;
      }
    }
    req.resume();
    sendJson(res, 404, { error: 'not_found', message: `the A/B router serves POST /<command>, POST /feedback, GET /metrics, GET /healthz and /admin/*; not ${req.method} ${path}` });
  }

  private replicaGauges(): Array<{ variant: string; url: string; healthy: boolean; inFlight: number; sent: number }> {
    return [...this.pools.values()].flatMap((p) => p.replicas.map((r) => ({ variant: p.name, url: r.url, healthy: r.healthy, inFlight: r.inFlight, sent: r.sent })));
  }

  /** Variant and phase for a user key (undefined key: the missing-key policy). */
  private decide(key: string | undefined): { variant: string; phase: string; digest?: string } | { reject: string } {
    const { config, plan } = this.options;
    if (key === undefined) {
      if (config.missingKey.policy === 'reject') {
        const where = 'header' in config.userKey ? `header ${config.userKey.header}` : `JSON field ${config.userKey.jsonField}`;
        return { reject: `no user key in the request: send it in the ${where} (experiment ${config.experiment} assigns users by it)` };
      }
      return { variant: config.missingKey.variant, phase: 'unassigned' };
    }
    if (this.statusValue !== 'running') return { variant: config.control, phase: this.statusValue };
    const a = assign(plan, key, sha1Hex);
    return { variant: a.variant, phase: 'running', digest: a.digest };
  }

  private route(req: http.IncomingMessage, res: http.ServerResponse, command: string): void {
    const started = performance.now();
    const { config } = this.options;
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > config.maxBodyBytes) {
      req.resume();
      this.metrics.rejectedRequest('body_too_large');
      sendJson(res, 413, { error: 'payload_too_large', message: `request body of ${declared} bytes is over the router's limit of ${config.maxBodyBytes} (maxBodyBytes in the router config)` });
      return;
    }
    if ('header' in config.userKey) {
      const key = userKeyFromHeaders(req.headers, config.userKey.header);
      this.forward(req, res, command, key, undefined, started);
      return;
    }
    const path = config.userKey.jsonField;
    readBounded(req, config.maxBodyBytes).then((body) => {
      if (body === 'too_large') {
        this.metrics.rejectedRequest('body_too_large');
        sendJson(res, 413, { error: 'payload_too_large', message: `request body is over the router's limit of ${config.maxBodyBytes} bytes (maxBodyBytes in the router config)` });
        return;
      }
      let parsed: unknown;
      try { parsed = JSON.parse(body.toString('utf8')); } catch {
        this.metrics.rejectedRequest('bad_json');
        sendJson(res, 400, { error: 'bad_request', message: `the body is not JSON, so the user key (field ${path}) cannot be read` });
        return;
      }
      this.forward(req, res, command, userKeyFromJson(parsed, path), body, started);
    }, () => { res.destroy(); });
  }

  private forward(req: http.IncomingMessage, res: http.ServerResponse, command: string, key: string | undefined, body: Buffer | undefined, started: number): void {
    const { config } = this.options;
    const decision = this.decide(key);
    if ('reject' in decision) {
      req.resume();
      this.metrics.rejectedRequest('missing_user_key');
      sendJson(res, 400, { error: 'missing_user_key', message: decision.reject });
      return;
    }
    const { variant, phase, digest } = decision;
    if (digest && !this.seenUsers.has(digest)) {
      if (this.seenUsers.size >= SEEN_USERS_LIMIT) this.seenUsers.clear();
      this.seenUsers.add(digest);
      this.options.store?.assignment([digest, variant, Date.now()]);
    }
    const pool = this.pools.get(variant)!;
    const idempotent = this.idempotent.has(command);
    // Header-keyed requests stream their body upstream; a copy (bounded by maxBodyBytes) is kept so
    // the request can be sent again: to another replica (idempotent commands) or over a fresh
    // connection when a keep-alive socket turned out to be closed.
    const kept: Buffer[] = [];
    let bodyDone = body !== undefined;
    if (!body) {
      let keptBytes = 0;
      req.on('data', (chunk: Buffer) => {
        keptBytes += chunk.length;
        if (keptBytes > config.maxBodyBytes) {
          // A streamed body without a Content-Length that outgrows the limit: stop it here.
          if (!finished) {
            finish(413, 'request body over maxBodyBytes');
            sendJson(res, 413, { error: 'payload_too_large', message: `request body is over the router's limit of ${config.maxBodyBytes} bytes (maxBodyBytes in the router config)` });
            current?.destroy();
          }
          req.unpipe();
          req.resume();
          return;
        }
        kept.push(chunk);
      });
      req.on('end', () => { bodyDone = true; });
    }
    const whenBodyComplete = (fn: () => void): void => { if (bodyDone) fn(); else req.once('end', fn); };
    const tried = new Set<Replica>();
    let retries = 0;
    let staleResent = false;
    let finished = false;
    let current: http.ClientRequest | undefined;
    const finish = (status: number, error: string | null): void => {
      if (finished) return;
      finished = true;
      const ms = performance.now() - started;
      this.metrics.request(variant, phase, status, ms / 1000);
      this.options.store?.request([variant, phase, command, status, Math.round(ms * 1000) / 1000, retries, error, Date.now()]);
    };
    res.on('close', () => {
      if (!res.writableFinished) { current?.destroy(); finish(499, 'client closed the connection'); }
    });
    const canRetry = (): boolean => idempotent && retries < config.retries && pool.hasUntried(tried);
    const attempt = (replica: Replica, resend: boolean): void => {
      tried.add(replica);
      replica.inFlight++;
      replica.sent++;
      let released = false;
      const release = (): void => { if (!released) { released = true; replica.inFlight--; } };
      const headers: http.OutgoingHttpHeaders = {};
      const inHeaders = req.headers;
      for (const k in inHeaders) if (!HOP_BY_HOP.has(k)) headers[k] = inHeaders[k];
      headers.host = `${replica.host}:${replica.port}`;
      headers['x-forwarded-for'] = req.socket.remoteAddress ?? '';
      headers['x-modelcloud-experiment'] = config.experiment;
      headers['x-modelcloud-variant'] = variant;
      if (body) headers['content-length'] = String(body.length);
      const upstream = http.request({ host: replica.host, port: replica.port, method: 'POST', path: req.url, headers, agent: replica.agent });
      current = upstream;
      // Connect and idle timeouts are set by the replica's agent (upstreamPool.ts); the request only reacts.
      upstream.on('timeout', () => upstream.destroy(Object.assign(new Error(`no answer within ${config.timeouts.requestMs} ms`), { code: 'ETIMEDOUT' })));
      upstream.on('response', (up) => {
        const status = up.statusCode ?? 502;
        if (status >= 500 && canRetry()) {
          // The replica answered but failed: drain its answer and let another replica of the same variant try.
          up.resume();
          up.on('end', release);
          whenBodyComplete(() => retry(`${replica.url} answered HTTP ${status}`));
          return;
        }
        const out: http.OutgoingHttpHeaders = {};
        const upHeaders = up.headers;
        for (const k in upHeaders) if (!HOP_BY_HOP.has(k)) out[k] = upHeaders[k];
        out['x-modelcloud-variant'] = variant;
        res.writeHead(status, out);
        up.pipe(res);
        up.on('end', () => { release(); finish(status, status >= 500 ? `HTTP ${status} from ${replica.url}` : null); });
        up.on('error', (e) => { release(); finish(502, `response from ${replica.url} broke: ${e.message}`); res.destroy(); });
      });
      upstream.on('error', (error: NodeJS.ErrnoException) => {
        release();
        if (finished || res.destroyed) return;
        if (res.headersSent) { finish(502, error.message); res.destroy(); return; }
        // A keep-alive socket the service closed just as we reused it says nothing about its health,
        // and the request never reached the service: send it once more on a fresh connection.
        if (upstream.reusedSocket && error.code === 'ECONNRESET' && !staleResent) {
          staleResent = true;
          whenBodyComplete(() => attempt(replica, true));
          return;
        }
        replica.markFailed(`${error.code ?? 'error'}: ${error.message}`);
        if (canRetry()) { whenBodyComplete(() => retry(`${replica.url}: ${error.message}`)); return; }
        finish(502, `${replica.url}: ${error.message}`);
        sendJson(res, 502, { error: 'bad_gateway', message: `variant ${variant} replica ${replica.url} did not answer: ${error.message}${idempotent ? '' : ` (command ${command} is not in the idempotent list, so it was not retried)`}` });
      });
      if (body) upstream.end(body);
      else if (!resend && tried.size === 1) req.pipe(upstream);
      else { for (const c of kept) upstream.write(c); upstream.end(); }
    };
    const retry = (why: string): void => {
      if (finished || res.destroyed) return;
      const next = pool.pick(tried);
      if (!next) {
        finish(502, why);
        sendJson(res, 502, { error: 'bad_gateway', message: `every replica of variant ${variant} failed; last: ${why}` });
        return;
      }
      retries++;
      this.metrics.retry(variant);
      attempt(next, true);
    };
    const first = pool.pick();
    if (!first) {
      req.resume();
      finish(503, 'no replica');
      sendJson(res, 503, { error: 'unavailable', message: `variant ${variant} has no replica` });
      return;
    }
    attempt(first, false);
  }

  // ---- feedback and admin ----------------------------------------------------------------------

  private feedback(req: http.IncomingMessage, res: http.ServerResponse): void {
    readBounded(req, MAX_FEEDBACK_BODY).then((raw) => {
      if (raw === 'too_large') return sendJson(res, 413, { error: 'payload_too_large', message: `feedback bodies are limited to ${MAX_FEEDBACK_BODY} bytes` });
      let body: Record<string, unknown>;
      try { body = JSON.parse(raw.toString('utf8')) as Record<string, unknown>; } catch {
        return sendJson(res, 400, { error: 'bad_request', message: 'feedback must be JSON: {"user_id": "u1", "metric": "clicked", "value": 1}' });
      }
      const user = normaliseUserKey(body?.user_id);
      const metric = body?.metric;
      const value = body?.value;
      const problems: string[] = [];
      if (user === undefined) problems.push('user_id must be a non-empty string or a number (the same key the requests carry)');
      if (typeof metric !== 'string' || !METRIC_NAME.test(metric)) problems.push("metric must be a name such as 'clicked' or 'revenue' (letters, digits, _ . : -, up to 100)");
      if (typeof value !== 'number' || !Number.isFinite(value)) problems.push('value must be a finite number (1/0 for conversions)');
      if (problems.length) return sendJson(res, 400, { error: 'bad_request', message: problems.join('; ') });
      if (this.statusValue === 'stopped') {
        return sendJson(res, 409, { error: 'experiment_stopped', message: `experiment ${this.options.config.experiment} is stopped; feedback is no longer recorded` });
      }
      // The user's own group, even while paused (their exposure then was the control; phase says so).
      const a = assign(this.options.plan, user!, sha1Hex);
      const phase = this.statusValue;
      this.options.store?.feedbackRow([a.digest, a.variant, phase, metric as string, value as number, Date.now()]);
      this.metrics.feedbackRecorded(a.variant, metric as string);
      return sendJson(res, 202, { recorded: true, variant: a.variant, phase });
    }, () => { res.destroy(); });
  }

  private admin(req: http.IncomingMessage, res: http.ServerResponse, path: string): void {
    const given = Buffer.from(req.headers.authorization ?? '');
    if (given.length !== this.expectedAuth.length || !timingSafeEqual(given, this.expectedAuth)) {
      req.resume();
      sendJson(res, 401, { error: 'unauthorized', message: "admin endpoints need 'Authorization: Bearer <token>'; the token is in the router's folder (admin.token, mode 0600)" });
      return;
    }
    const route = `${req.method} ${path}`;
    readBounded(req, 16 * 1024 * 1024).then((raw) => {
      switch (route) {
        case 'GET /admin/state': return sendJson(res, 200, this.state());
        case 'POST /admin/pause':
        case 'POST /admin/resume':
        case 'POST /admin/stop': {
          const to: ExperimentStatus = route.endsWith('pause') ? 'paused' : route.endsWith('resume') ? 'running' : 'stopped';
          const problem = this.transition(to);
          if (problem) return sendJson(res, 409, { error: 'conflict', message: problem });
          return sendJson(res, 200, this.state());
        }
        case 'POST /admin/assign': {
          // The assignment rule alone, for many users at once (no forwarding, nothing logged): lets a
          // dashboard or a test check the split without sending traffic.
          if (raw === 'too_large') return sendJson(res, 413, { error: 'payload_too_large', message: 'send at most 16 MiB of user keys per call' });
          let keys: unknown;
          try { keys = (JSON.parse(raw.toString('utf8')) as { userKeys?: unknown }).userKeys; } catch { keys = undefined; }
          if (!Array.isArray(keys)) return sendJson(res, 400, { error: 'bad_request', message: 'body must be {"userKeys": ["u1", "u2", ...]}' });
          return sendJson(res, 200, { variants: keys.map((k) => { const key = normaliseUserKey(k); return key === undefined ? null : assign(this.options.plan, key, sha1Hex).variant; }) });
        }
        case 'POST /admin/flush':
          return void (this.options.store?.flush() ?? Promise.resolve()).then(() => sendJson(res, 200, { flushed: true }));
        case 'POST /admin/shutdown':
          sendJson(res, 200, { stopping: true });
          res.on('finish', () => this.options.onShutdown?.());
          return undefined;
        default:
          return sendJson(res, 404, { error: 'not_found', message: `no admin route ${route}; known: GET /admin/state, POST /admin/pause|resume|stop|assign|flush|shutdown` });
      }
    }, () => { res.destroy(); });
  }
}

/** The whole body, or 'too_large' once it passes `limit` (the rest is drained, not kept). */
function readBounded(req: http.IncomingMessage, limit: number): Promise<Buffer | 'too_large'> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) { over = true; chunks.length = 0; return; }
      if (!over) chunks.push(c);
    });
    req.on('end', () => resolve(over ? 'too_large' : chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  if (res.headersSent || res.destroyed) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
