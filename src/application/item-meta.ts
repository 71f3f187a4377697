/**
 * memcached's per-item bits that only the meta commands expose: "stale"
 * (set by `md I`), "win token sent" (a client got W), "fetched" and the last
 * access time (`mg h`, `mg l`). They live beside the store, keyed by key and
 * valid only while the item keeps the cas they were recorded for, so a
 * replaced item starts clean exactly as a new memcached item does, and no
 * store has to carry them. The table is bounded: when full, the oldest
 * records go (an item that loses its record reads as never fetched, not stale).
 */
export interface ItemMetaBits {
  cas: number;
  stale: boolean;
  tokenSent: boolean;
  fetched: boolean;
  /** Epoch ms of the last fetch, or of the store when never fetched. */
  lastAccessMs: number;
  /**
   * Stored by `ms` with a base64 key (memcached's ITEM_KEY_BINARY): `mg k`
   * then echoes the key base64-encoded with ` b`, whatever the request used.
   */
  binaryKey?: boolean;
}

/** Default number of records kept. */
const DEFAULT_CAPACITY = 65_536;

export class ItemMetaTable {
  private readonly records = new Map<string, ItemMetaBits>();
  /**
   * Off until the first meta command: classic reads and writes then also
   * record fetches and store times, so `mg h`/`mg l` agree with them, while
   * a server that never sees a meta command pays nothing.
   */
  tracking = false;

  constructor(private readonly capacity = DEFAULT_CAPACITY) {}

  /** The bits of the item with this key and cas, if any were recorded. */
  get(key: string, cas: number): ItemMetaBits | undefined {
    const r = this.records.get(key);
    if (r === undefined) return undefined;
    if (r.cas !== cas) {
      this.records.delete(key);
      return undefined;
    }
    return r;
  }

  /** The bits of this item, created clean (stored at `nowMs`) when absent. */
  ensure(key: string, cas: number, nowMs: number): ItemMetaBits {
    const r = this.get(key, cas);
    if (r !== undefined) return r;
    const fresh: ItemMetaBits = { cas, stale: false, tokenSent: false, fetched: false, lastAccessMs: nowMs };
    this.put(key, fresh);
    return fresh;
  }

  /** A new version of the item was written (clean bits unless carried over). */
  stored(key: string, cas: number, nowMs: number, stale = false, tokenSent = false): void {
    if (!this.tracking && !stale && !tokenSent) {
      this.records.delete(key);
      return;
    }
    this.put(key, { cas, stale, tokenSent, fetched: false, lastAccessMs: nowMs });
  }

  /** A read of the item (memcached's ITEM_FETCHED and access time). */
  fetched(key: string, cas: number, nowMs: number): void {
    if (!this.tracking) return;
    const r = this.ensure(key, cas, nowMs);
    r.fetched = true;
    r.lastAccessMs = nowMs;
  }

  /**
   * Carries the fetched bit, access time and binary-key bit of `previous`
   * over to the current record of `key`: memcached's `md I` changes the cas
   * of the same item rather than writing a new one, so those survive it.
   */
  carryAccess(key: string, previous: Pick<ItemMetaBits, 'fetched' | 'lastAccessMs' | 'binaryKey'>): void {
    const r = this.records.get(key);
    if (r === undefined) return;
    r.fetched = previous.fetched;
    r.lastAccessMs = previous.lastAccessMs;
    if (previous.binaryKey === true) r.binaryKey = true;
  }

  forget(key: string): void {
    this.records.delete(key);
  }

  clear(): void {
    this.records.clear();
  }

  get size(): number {
    return this.records.size;
  }

  private put(key: string, bits: ItemMetaBits): void {
    this.records.delete(key);
    if (this.records.size >= this.capacity) {
      const oldest = this.records.keys().next();
      if (!oldest.done) this.records.delete(oldest.value);
    }
    this.records.set(key, bits);
  }
}
