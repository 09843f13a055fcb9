// The reverse proxy on a service's stable port. Requests go to the current backend (the active
// revision's private port); switching the backend is instantaneous for new requests, while
// requests already forwarded finish on the old one (its in-flight count tells when it is drained).
import * as http from 'node:http';

export interface Backend {
  revision: number;
  port: number;
  inFlight: number;
  readonly agent: http.Agent;
}

export function makeBackend(revision: number, port: number): Backend {
  // keepAlive: reusing connections matters at thousands of requests per second.
  return { revision, port, inFlight: 0, agent: new http.Agent({ keepAlive: true, maxSockets: 64, keepAliveMsecs: 1000 }) };
}

/** Bodies up to this size are kept while streaming, so a request sent on a stale keep-alive socket can be retried. */
const RETRY_BODY_LIMIT = 1024 * 1024;

export class ReverseProxy {
  private backend: Backend | undefined;
  readonly server: http.Server;

  constructor(
    private readonly onResult: (isError: boolean) => void,
    private readonly unavailableMessage: () => string,
  ) {
    this.server = http.createServer((req, res) => this.handle(req, res));
    this.server.keepAliveTimeout = 5000;
  }

  get current(): Backend | undefined {
    return this.backend;
  }

  setBackend(backend: Backend | undefined): Backend | undefined {
    const old = this.backend;
    this.backend = backend;
    return old;
  }

  listen(port: number): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => {
        this.server.off('error', reject);
        resolve((this.server.address() as { port: number }).port);
      });
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const backend = this.backend;
    if (!backend) {
      this.onResult(true);
      sendJson(res, 503, { error: 'unavailable', message: this.unavailableMessage() });
      return;
    }
    const kept: Buffer[] = [];
    let keptBytes = 0;
    let bodyDone = false;
    req.on('data', (chunk: Buffer) => {
      if (keptBytes <= RETRY_BODY_LIMIT) { kept.push(chunk); keptBytes += chunk.length; }
    });
    req.on('end', () => { bodyDone = true; });
    backend.inFlight++;
    let finished = false;
    const finish = (isError: boolean): void => {
      if (finished) return;
      finished = true;
      backend.inFlight--;
      this.onResult(isError);
    };
    let current: http.ClientRequest | undefined;
    const send = (attempt: number): void => {
      const headers = { ...req.headers, 'x-forwarded-for': req.socket.remoteAddress ?? '', 'x-forwarded-host': req.headers.host ?? '' };
      const upstream = http.request({
        host: '127.0.0.1', port: backend.port, method: req.method, path: req.url, headers, agent: backend.agent,
      }, (up) => {
        // Pass the status and headers through untouched; the body streams.
        res.writeHead(up.statusCode ?? 502, up.statusMessage, up.headers);
        up.pipe(res);
        up.on('end', () => finish((up.statusCode ?? 502) >= 500));
        up.on('error', () => { finish(true); res.destroy(); });
      });
      current = upstream;
      upstream.on('error', (error: NodeJS.ErrnoException) => {
        // A keep-alive socket the backend closed just as we reused it: safe to send again when we still hold the body.
        const retriable = attempt === 0 && upstream.reusedSocket && error.code === 'ECONNRESET' && keptBytes <= RETRY_BODY_LIMIT;
        if (retriable && bodyDone) { send(1); return; }
        if (retriable) { req.once('end', () => send(1)); return; }
        finish(true);
        if (!res.headersSent) sendJson(res, 502, { error: 'bad_gateway', message: `revision ${backend.revision} did not answer: ${error.message}` });
        else res.destroy();
      });
      if (attempt === 0) {
        req.pipe(upstream);
      } else {
        for (const chunk of kept) upstream.write(chunk);
        upstream.end();
      }
    };
    // The client went away: not the service's fault, but stop the upstream request and free the slot.
    res.on('close', () => { if (!res.writableFinished) { current?.destroy(); finish(false); } });
    send(0);
  }
}

function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
