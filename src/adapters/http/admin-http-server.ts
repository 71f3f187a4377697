import type http from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { InspectUseCase } from '../../application/inspect.js';
import type { UseCases } from '../../application/use-cases.js';
import type { Lifecycle } from '../../domain/ports/lifecycle.js';
import type { Logger } from '../../domain/ports/logger.js';
import { AdminAuth, isLoopback } from './admin-auth.js';
import { renderAdminPage } from './admin-page.js';
import { snapshotJson } from './admin-json.js';
import { takeSnapshot } from './admin-snapshot.js';
import { Exposition } from './exposition.js';
import { writeMemcachedMetrics } from './memcached-metrics.js';
import { writeRatMetrics } from './rat-metrics.js';
import { lazyBuiltin } from '../lazy-builtin.js';

const nodeHttp = lazyBuiltin<typeof http>('node:http');

/** `[admin]` settings. */
export interface AdminHttpOptions {
  host: string;
  port: number;
  /** Required for actions that change or reveal data; '' = none configured. */
  token: string;
  /** Memory tier eviction policy, for the page and rat_memcache_eviction_policy. */
  evictionPolicy: string;
}

/** Whether the server takes traffic (/readyz): cache port accepting, disk tier open. */
export type ReadinessProbe = () => { ready: boolean; reason?: string };

/** Largest request body read (the JSON actions are tiny). */
const MAX_BODY = 4096;

/**
 * The admin HTTP listener: Prometheus metrics, health probes, the management
 * page and its JSON API. One more inbound adapter over the use-cases; every
 * number comes from the functions `stats` uses, read when asked, so the cache
 * port pays nothing for it.
 */
export class AdminHttpServer implements Lifecycle {
  readonly name = 'admin-http';
  private server: http.Server | undefined;
  private readonly auth: AdminAuth;
  private page = '';

  constructor(
    private readonly options: AdminHttpOptions,
    private readonly uc: UseCases,
    private readonly inspector: InspectUseCase,
    private readonly readiness: ReadinessProbe,
    private readonly logger: Logger,
  ) {
    this.auth = new AdminAuth(options.token);
  }

  /** The bound address (port 0 resolves here). */
  address(): AddressInfo {
    return this.server!.address() as AddressInfo;
  }

  async start(): Promise<void> {
    // The sessions time their requests only while this listener can serve the histograms.
    this.uc.counters.latency.enabled = true;
    this.page = renderAdminPage();
    const server = nodeHttp().createServer((req, res) => this.route(req, res));
    // Probes and scrapes are short; idle keep-alive sockets must not hold stop() up.
    server.keepAliveTimeout = 5000;
    server.headersTimeout = 10000;
    server.requestTimeout = 15000;
    this.server = server;
    const { host, port } = this.options;
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err) => reject(new Error(`admin listener cannot listen on ${host}:${port}: ${err.message}`)));
      server.listen({ host, port }, () => resolve());
    });
    server.on('error', (err) => this.logger.error({ err: err.message }, 'admin listener error'));
    // Not "port"/"listening": tools (and tests) read the cache port from the listening line.
    this.logger.info({ host, adminPort: this.address().port }, 'admin HTTP ready');
    if (!this.auth.tokenRequired && !isLoopback(host)) {
      this.logger.warn({ host }, 'admin listener is not on loopback and has no token: anyone who can reach it can flush the cache');
    }
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    this.uc.counters.latency.enabled = false;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  private route(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://admin');
    const method = req.method ?? 'GET';
    const get = method === 'GET' || method === 'HEAD';
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Cache-Control', 'no-store');
    try {
      switch (url.pathname) {
        case '/healthz':
          return get ? json(res, 200, { status: 'ok' }) : notAllowed(res, 'GET');
        case '/readyz':
          return get ? this.ready(res) : notAllowed(res, 'GET');
        case '/metrics':
          return get ? this.metrics(res) : notAllowed(res, 'GET');
        case '/':
          return get ? this.sendPage(res) : notAllowed(res, 'GET');
        case '/api/stats':
          return get ? json(res, 200, this.statsJson()) : notAllowed(res, 'GET');
        case '/api/key':
          return get ? this.guarded(req, res, () => this.inspect(res, url.searchParams.get('key') ?? '')) : notAllowed(res, 'GET');
        case '/api/flush':
          return method === 'POST' ? this.guarded(req, res, () => this.flush(res)) : notAllowed(res, 'POST');
        case '/api/detail':
          return method === 'POST' ? this.guarded(req, res, () => this.detail(req, res)) : notAllowed(res, 'POST');
        default:
          return json(res, 404, { error: 'not found' });
      }
    } catch (err) {
      this.fail(res, err);
    }
  }

  private ready(res: ServerResponse): void {
    const r = this.readiness();
    if (r.ready) json(res, 200, { status: 'ready' });
    else json(res, 503, { status: 'not ready', reason: r.reason ?? 'starting' });
  }

  private metrics(res: ServerResponse): void {
    const s = takeSnapshot(this.uc);
    const out = new Exposition();
    writeMemcachedMetrics(out, s);
    writeRatMetrics(out, {
      general: s.general,
      latency: s.latency,
      connectionsByProtocol: s.connectionsByProtocol,
      evictionPolicy: this.options.evictionPolicy,
      ready: this.readiness().ready,
    });
    res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8' });
    res.end(out.text());
  }

  private statsJson(): object {
    return snapshotJson(takeSnapshot(this.uc), {
      evictionPolicy: this.options.evictionPolicy,
      readiness: this.readiness(),
      tokenRequired: this.auth.tokenRequired,
      loopback: isLoopback(this.options.host),
    });
  }

  private sendPage(res: ServerResponse): void {
    res.writeHead(200, {
      'Content-Type': 'text/html; charset=utf-8',
      // Everything is inline; nothing may be loaded from elsewhere.
      'Content-Security-Policy':
        "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; img-src data:; form-action 'none'; frame-ancestors 'none'; base-uri 'none'",
      'X-Frame-Options': 'DENY',
    });
    res.end(this.page);
  }

  /** Runs an action that changes or reveals data once the caller is allowed to. */
  private guarded(req: IncomingMessage, res: ServerResponse, action: () => void | Promise<void>): void {
    const refusal = this.auth.check(req);
    if (refusal) return json(res, refusal.status, { error: refusal.error });
    Promise.resolve()
      .then(action)
      .catch((err: unknown) => this.fail(res, err));
  }

  private async inspect(res: ServerResponse, key: string): Promise<void> {
    // Keys are bytes; the page sends them as UTF-8 text.
    const raw = Buffer.from(key, 'utf8').toString('latin1');
    if (raw.length === 0 || raw.length > 250) return json(res, 400, { error: 'a key is 1 to 250 bytes' });
    const report = await this.inspector.inspect(raw);
    if (report === undefined) return json(res, 404, { error: 'not found', key });
    json(res, 200, {
      key,
      size: report.size,
      flags: report.flags,
      ttlSeconds: report.ttlSeconds,
      exptime: report.exptime,
      cas: report.cas,
      tiers: report.tiers,
      preview: preview(report.head, report.size),
    });
  }

  private async flush(res: ServerResponse): Promise<void> {
    this.logger.info({ audit: 'flush_all', via: 'admin-http' }, 'flush_all from the admin listener');
    await this.uc.flush.flushAll(0);
    json(res, 200, { ok: true });
  }

  private async detail(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    let enabled: unknown;
    try {
      enabled = (JSON.parse(body) as { enabled?: unknown }).enabled;
    } catch {
      return json(res, 400, { error: 'expected JSON {"enabled": true|false}' });
    }
    if (typeof enabled !== 'boolean') return json(res, 400, { error: 'expected JSON {"enabled": true|false}' });
    this.uc.stats.detail(enabled ? 'on' : 'off');
    json(res, 200, { ok: true, enabled });
  }

  private fail(res: ServerResponse, err: unknown): void {
    this.logger.error({ err: (err as Error)?.message ?? String(err) }, 'admin request failed');
    if (!res.headersSent) json(res, 500, { error: 'internal error' });
    else res.destroy();
  }
}

/** The first bytes of a value as text when they are printable UTF-8, else as hex. */
export function preview(head: Buffer, size: number): { kind: 'text' | 'hex'; data: string; truncated: boolean } {
  const truncated = head.length < size;
  const text = head.toString('utf8');
  // A cut at the end may split a character: judge the text without its last few bytes.
  const check = truncated ? head.subarray(0, Math.max(0, head.length - 3)).toString('utf8') : text;
  // eslint-disable-next-line no-control-regex -- control characters are exactly what makes a value binary
  const printable = !/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\ufffd]/.test(check);
  return printable ? { kind: 'text', data: text.replace(/\ufffd+$/, ''), truncated } : { kind: 'hex', data: head.toString('hex'), truncated };
}

function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

function notAllowed(res: ServerResponse, allow: string): void {
  res.setHeader('Allow', allow === 'GET' ? 'GET, HEAD' : allow);
  json(res, 405, { error: 'method not allowed' });
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new Error('request body too large'));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
