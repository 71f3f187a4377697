import { evictionPolicyNames } from '../adapters/eviction/policy-registry.js';
import { parseListen } from './listen-addresses.js';

/** Which checks to run beyond the schema. */
export interface LoadOptions {
  /**
   * The server's start-up rules as memcached applies them to its flags
   * (without the disk tier, an item must fit in half the memory budget). The embedded library
   * skips them: a tiny memory tier is legitimate there.
   */
  server?: boolean;
}

const GIB = 1024 ** 3;

/** Checks across keys and bounds the schema cannot express; memcached's wording where it has one. */
export function crossKeyRules(schema: object, s: unknown, options: LoadOptions): string[] {
  const out: string[] = [];
  const settings = s as Record<string, Record<string, unknown>>;
  for (const [section, keys] of Object.entries(schema)) {
    for (const [key, spec] of Object.entries(keys as Record<string, { format: unknown }>)) {
      const v = settings[section]?.[key];
      if ((spec.format === 'nat' || spec.format === 'port' || spec.format === 'int') && typeof v === 'number' && !Number.isSafeInteger(v)) {
        out.push(`${section}.${key}: ${v} is too large (at most ${Number.MAX_SAFE_INTEGER})`);
      }
    }
  }
  const server = settings.server!;
  const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isSafeInteger(v) ? v : undefined);
  const conns = num(server.max_connections);
  if (conns === 0) out.push('server.max_connections: Maximum connections must be greater than 0');
  const item = num(server.item_size_max);
  if (item !== undefined && item < 1024) out.push(`server.item_size_max: Item max size cannot be less than 1024 bytes (got ${item})`);
  if (item !== undefined && item > GIB) out.push(`server.item_size_max: Cannot set item size limit higher than a gigabyte (got ${item})`);
  const memory = num(settings.l1!.max_memory);
  // With the disk tier on, an item larger than the memory tier lives on disk only.
  if (
    options.server &&
    settings.l2!.enable_l2_cache !== true &&
    item !== undefined &&
    memory !== undefined &&
    item >= 1024 &&
    item <= GIB &&
    item > memory / 2
  ) {
    out.push(`server.item_size_max: Cannot set item size limit higher than 1/2 of memory max (item_size_max ${item}, l1.max_memory ${memory})`);
  }
  if (typeof server.host === 'string' && typeof server.port === 'number') {
    try {
      parseListen(server.host, server.port);
    } catch (err) {
      out.push(`server.host: ${(err as Error).message}`);
    }
  }
  const strategy = settings.l1!.eviction_strategy;
  if (typeof strategy === 'string' && !evictionPolicyNames.includes(strategy.toLowerCase())) {
    out.push(`l1.eviction_strategy: "${strategy}" is not one of ${evictionPolicyNames.join(', ')}`);
  }
  return out;
}
