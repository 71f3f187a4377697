import type crypto from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';
import { lazyBuiltin } from '../lazy-builtin.js';

const nodeCrypto = lazyBuiltin<typeof crypto>('node:crypto');

/** Why a request may not change or read cache data; undefined when it may. */
export type Refusal = { status: 401 | 403; error: string } | undefined;

/**
 * Who may flush, toggle `stats detail` or read values through the admin
 * listener. With a token configured, the request must carry it
 * (`Authorization: Bearer <token>` or `X-Admin-Token`). Without one, only
 * requests addressed to the listener by an IP literal or "localhost" pass,
 * so a web page cannot reach it through DNS rebinding; and a browser
 * request from another origin is refused either way (CSRF).
 */
export class AdminAuth {
  private readonly digest: Buffer | undefined;

  constructor(token: string) {
    this.digest = token === '' ? undefined : sha256(token);
  }

  get tokenRequired(): boolean {
    return this.digest !== undefined;
  }

  check(req: IncomingMessage): Refusal {
    const origin = req.headers.origin;
    const host = req.headers.host;
    if (origin !== undefined && origin !== 'null' && hostOf(origin) !== host) return { status: 403, error: 'cross-origin request refused' };
    if (this.digest === undefined) {
      const name = hostname(host ?? '');
      if (name !== 'localhost' && isIP(name) === 0) return { status: 403, error: 'no admin token is configured: address the listener by IP or localhost' };
      return undefined;
    }
    const given = presented(req);
    // Comparing digests keeps the comparison constant-time whatever the lengths.
    if (given === undefined || !nodeCrypto().timingSafeEqual(sha256(given), this.digest)) return { status: 401, error: 'admin token required' };
    return undefined;
  }
}

function presented(req: IncomingMessage): string | undefined {
  const auth = req.headers.authorization;
  if (auth !== undefined && /^Bearer /i.test(auth)) return auth.slice(7).trim();
  const header = req.headers['x-admin-token'];
  return typeof header === 'string' ? header : undefined;
}

function sha256(text: string): Buffer {
  return nodeCrypto().createHash('sha256').update(text).digest();
}

/** "http://h:p" -> "h:p" (the Host header form). */
function hostOf(origin: string): string | undefined {
  try {
    return new URL(origin).host;
  } catch {
    return undefined;
  }
}

/** The host name of a Host header, without port or IPv6 brackets. */
function hostname(host: string): string {
  if (host.startsWith('[')) return host.slice(1, host.indexOf(']'));
  const i = host.lastIndexOf(':');
  return i < 0 ? host : host.slice(0, i);
}

/** True for addresses only this machine can reach. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}
