import type { Transaction } from './commands/command.js';

/**
 * Which connections of the listener WATCH which keys. EXEC compares each
 * watched key's version (cas and expiry) with the one seen at WATCH, which
 * catches every change to a key that exists at either time; what it cannot
 * see is a key created and removed again in between. Writes over RESP report
 * the keys they leave present here, so a transaction that watched such a key
 * absent is aborted as Redis would.
 */
export class WatchRegistry {
  private readonly byKey = new Map<string, Set<Transaction>>();

  /** True when no connection watches anything (the common case: writes skip the check). */
  get empty(): boolean {
    return this.byKey.size === 0;
  }

  isWatched(key: string): boolean {
    return this.byKey.has(key);
  }

  add(key: string, t: Transaction): void {
    let set = this.byKey.get(key);
    if (set === undefined) this.byKey.set(key, (set = new Set()));
    set.add(t);
  }

  /** Forgets every key `t` watches. */
  removeAll(t: Transaction): void {
    for (const key of t.watched.keys()) {
      const set = this.byKey.get(key);
      if (set === undefined) continue;
      set.delete(t);
      if (set.size === 0) this.byKey.delete(key);
    }
  }

  /** A write left `key` present: transactions that watched it absent are aborted. */
  present(key: string): void {
    for (const t of this.byKey.get(key) ?? []) if (t.watched.get(key) === '') t.watchBroken = true;
  }
}
