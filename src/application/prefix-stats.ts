/**
 * memcached's `stats detail`: per key-prefix get/hit/set/delete counters,
 * recorded only while enabled (it costs a prefix scan per command).
 */
export class PrefixStats {
  enabled = false;
  private readonly delimiter: string;
  private readonly byPrefix = new Map<string, { get: number; hit: number; set: number; del: number }>();

  constructor(delimiter = ':') {
    this.delimiter = delimiter;
  }

  private entry(key: string) {
    const i = key.indexOf(this.delimiter);
    if (i < 0) return undefined; // memcached only counts keys that have a prefix
    const prefix = key.slice(0, i);
    let e = this.byPrefix.get(prefix);
    if (!e) {
      e = { get: 0, hit: 0, set: 0, del: 0 };
      this.byPrefix.set(prefix, e);
    }
    return e;
  }

  recordGet(key: string, hit: boolean): void {
    const e = this.entry(key);
    if (e) {
      e.get++;
      if (hit) e.hit++;
    }
  }

  recordSet(key: string): void {
    const e = this.entry(key);
    if (e) e.set++;
  }

  recordDelete(key: string): void {
    const e = this.entry(key);
    if (e) e.del++;
  }

  /** Lines in memcached's dump format, without the END terminator. */
  dump(): string[] {
    const lines: string[] = [];
    for (const [p, e] of this.byPrefix) lines.push(`PREFIX ${p} get ${e.get} hit ${e.hit} set ${e.set} del ${e.del}`);
    return lines;
  }

  clear(): void {
    this.byPrefix.clear();
  }
}
