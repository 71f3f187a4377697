import type { EvictionPolicyFactory } from '../../domain/ports/eviction-policy.js';
import { FifoPolicy } from './fifo-policy.js';
import { HybridPolicy } from './hybrid-policy.js';
import { LfuPolicy } from './lfu-policy.js';
import { LruPolicy } from './lru-policy.js';
import { S3FifoPolicy } from './s3-fifo-policy.js';
import { SievePolicy } from './sieve-policy.js';

/**
 * Eviction policies by config name (`l1.eviction_strategy`). Each factory
 * gets the store's entries (sizes and keys by id) and byte budget
 * (0 = unbounded) and returns a fresh instance. Adding a policy = one file +
 * one line here. (W-TinyLFU was evaluated and lost to S3-FIFO; it lives on as
 * a benchmark candidate in bench/eviction/candidates/ — see docs/eviction.md.)
 */
export const evictionPolicies: Record<string, EvictionPolicyFactory> = {
  lru: () => new LruPolicy(),
  lfu: () => new LfuPolicy(),
  fifo: () => new FifoPolicy(),
  hybrid: () => new HybridPolicy(),
  sieve: () => new SievePolicy(),
  s3fifo: (entries, capacityBytes) => new S3FifoPolicy(entries, capacityBytes),
};

/** The accepted values of `l1.eviction_strategy`, in registry order. */
export const evictionPolicyNames: readonly string[] = Object.keys(evictionPolicies);
