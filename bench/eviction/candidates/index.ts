import type { EvictionPolicyFactory } from '../../../src/domain/ports/eviction-policy.js';
import { WTinyLfuPolicy } from './w-tinylfu-policy.js';

/**
 * Policies the benchmark measures that are not offered in configuration
 * (same factory shape as the registry), kept so the comparison that
 * rejected them stays reproducible.
 */
export const candidatePolicies: Record<string, EvictionPolicyFactory> = {
  wtinylfu: (entries, capacityBytes) => new WTinyLfuPolicy(entries, capacityBytes),
};
