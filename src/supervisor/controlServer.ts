// The supervisor's control API on 127.0.0.1 (a random port), for the service manager only: every
// request needs `Authorization: Bearer <control.token>`.
import * as http from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import type { AutoRollbackPolicy } from '../core/deploy/errorWindow';
import { validateAutoRollback } from '../core/deploy/errorWindow';
import type { ActivateLine, RevisionSpec } from '../platform/deploy/supervisorProtocol';
import type { Supervisor } from './supervisor';

const MAX_BODY = 1024 * 1024;

export function startControlServer(supervisor: Supervisor, token: string, onStop: () => void): Promise<{ server: http.Server; port: number }> {
  const expected = Buffer.from(`Bearer ${token}`);
  const server = http.createServer((req, res) => {
    const given = Buffer.from(req.headers.authorization ?? '');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      return json(res, 401, { error: 'unauthorized', message: 'missing or wrong control token' });
    }
    readBody(req).then(async (body) => {
      const route = `${req.method} ${(req.url ?? '').split('?')[0]}`;
      switch (route) {
        case 'GET /status': return json(res, 200, supervisor.status());
        case 'POST /activate': {
          const spec = body as RevisionSpec;
          if (!spec || typeof spec.revision !== 'number' || (spec.kind !== 'local' && spec.kind !== 'container')) {
            return json(res, 400, { error: 'bad_request', message: 'body must be a revision spec' });
          }
          return streamActivation(res, (progress) => supervisor.activate(spec, progress));
        }
        case 'POST /restart': return streamActivation(res, (progress) => supervisor.restartActive(progress));
        case 'POST /scale': {
          const workers = (body as { workers?: unknown })?.workers;
          if (typeof workers !== 'number' || !Number.isInteger(workers) || workers < 1) {
            return json(res, 400, { error: 'bad_request', message: 'workers must be a whole number >= 1' });
          }
          return streamActivation(res, (progress) => supervisor.restartActive(progress, workers));
        }
        case 'POST /policy': {
          const policy = body as AutoRollbackPolicy;
          const problem = validateAutoRollback(policy);
          if (problem) return json(res, 400, { error: 'bad_request', message: problem });
          supervisor.setPolicy(policy);
          return json(res, 200, { ok: true });
        }
        case 'POST /stop':
          json(res, 200, { stopping: true });
          onStop();
          return undefined;
        default:
          return json(res, 404, { error: 'not_found', message: `no control route ${route}` });
      }
    }).catch((error: Error) => {
      if (!res.headersSent) json(res, 400, { error: 'bad_request', message: error.message });
      else res.end();
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve({ server, port: (server.address() as { port: number }).port }));
  });
}

/** NDJSON: one line per progress message, then the result. Long switches stay observable. */
async function streamActivation(
  res: http.ServerResponse, run: (progress: (message: string) => void) => Promise<import('../platform/deploy/supervisorProtocol').ActivateResult>,
): Promise<void> {
  res.writeHead(200, { 'content-type': 'application/x-ndjson' });
  const write = (line: ActivateLine): void => { if (!res.writableEnded) res.write(`${JSON.stringify(line)}\n`); };
  const result = await run((progress) => write({ progress }));
  write({ result });
  res.end();
}

function readBody(req: http.IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) { reject(new Error('request body too large')); req.destroy(); return; }
      chunks.push(c);
    });
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      if (!text) { resolve(undefined); return; }
      try { resolve(JSON.parse(text)); } catch { reject(new Error('request body is not JSON')); }
    });
    req.on('error', reject);
  });
}

function json(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
