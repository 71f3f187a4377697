import { createRequire } from 'node:module';

const load = createRequire(import.meta.url);

/**
 * A Node built-in module loaded on first use instead of at start-up. Loading
 * `node:tls`, `node:http` or `node:crypto` costs idle RSS (their JavaScript,
 * and for TLS the root certificates) in every server, also the ones that
 * never use them (docs/memory.md).
 */
export function lazyBuiltin<T>(name: string): () => T {
  let mod: T | undefined;
  return () => (mod ??= load(name) as T);
}
