import type { Lifecycle } from '../domain/ports/lifecycle.js';

/**
 * Readiness for /readyz: a list of conditions, each met by a marker placed in
 * the lifecycle order right after the component it vouches for, so it turns
 * true once that component started and false as soon as stopping begins.
 */
export class Readiness {
  private readonly met = new Set<string>();

  constructor(private readonly conditions: readonly string[]) {}

  /** A lifecycle entry that meets `condition` when started and unmeets it when stopped. */
  marker(condition: string): Lifecycle {
    if (!this.conditions.includes(condition)) throw new Error(`unknown readiness condition ${condition}`);
    return {
      name: 'ready:' + condition,
      start: async () => void this.met.add(condition),
      stop: async () => void this.met.delete(condition),
    };
  }

  state(): { ready: boolean; reason?: string } {
    const missing = this.conditions.filter((c) => !this.met.has(c));
    return missing.length === 0 ? { ready: true } : { ready: false, reason: 'waiting for: ' + missing.join(', ') };
  }
}
