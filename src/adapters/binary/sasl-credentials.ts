import type crypto from 'node:crypto';
import { readFileSync } from 'node:fs';
import { lazyBuiltin } from '../lazy-builtin.js';
import type { Authenticate } from './sasl-plain.js';

/** Loaded by the first credential hashed: most servers run without SASL. */
const nodeCrypto = lazyBuiltin<typeof crypto>('node:crypto');

/**
 * Builds an `Authenticate` from `user:password` entries (memcached's -Y
 * authfile format: one entry per line, the password is everything after the
 * first colon). Passwords are compared as SHA-256 digests with
 * timingSafeEqual so neither their length nor their content leaks through
 * timing. Nothing here logs.
 */
export function credentialsAuthenticator(entries: readonly string[]): Authenticate {
  const users = new Map<string, Buffer>();
  for (const raw of entries) {
    const line = raw.replace(/\r$/, '');
    if (line.length === 0 || line.startsWith('#')) continue;
    const colon = line.indexOf(':');
    // Never echo the entry: it holds a password.
    if (colon <= 0) throw new Error('invalid SASL credentials entry: expected user:password');
    users.set(line.slice(0, colon), digest(line.slice(colon + 1)));
  }
  let decoy: Buffer | undefined;
  return (user, password) => {
    const expected = users.get(user);
    // Compare against a decoy for unknown users too, so both paths cost the same.
    const same = nodeCrypto().timingSafeEqual(expected ?? (decoy ??= digest('')), digest(password));
    return expected !== undefined && same;
  };
}

/** Reads an authfile (`user:password` per line) into an `Authenticate`. */
export function authfileAuthenticator(path: string): Authenticate {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new Error(`cannot read SASL authfile ${path}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`, { cause: err });
  }
  return credentialsAuthenticator(text.split('\n'));
}

function digest(s: string): Buffer {
  return nodeCrypto().createHash('sha256').update(s, 'utf8').digest();
}
