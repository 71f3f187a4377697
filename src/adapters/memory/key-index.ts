/** How the index reads the entries it points at. */
export interface IndexedEntries {
  /** keyHash() of entry `id`'s key. */
  hashOf(id: number): number;
  /** True when entry `id`'s key is `key`. */
  keyEquals(id: number, key: string): boolean;
}

const EMPTY = -1;
/** Grow at 3/4 full: linear probing stays short, ~5-8 bytes per entry. */
const MAX_LOAD = 0.75;

/**
 * Key -> entry id, open addressing with linear probing over an Int32Array.
 * Keys are not stored here: the entries hold them (in slab chunks) and the
 * hash, so an entry costs the index 4 bytes / load factor instead of a Map
 * slot and a key string (~60 bytes). Deletion shifts later entries back
 * (no tombstones), so probes never lengthen over time.
 */
export class KeyIndex {
  private slots: Int32Array;
  private mask: number;
  size = 0;

  constructor(
    private readonly entries: IndexedEntries,
    capacity = 1024,
  ) {
    this.slots = new Int32Array(capacity).fill(EMPTY);
    this.mask = capacity - 1;
  }

  /** The id stored under `key` (whose keyHash is `hash`), or -1. */
  find(key: string, hash: number): number {
    const slots = this.slots;
    const mask = this.mask;
    for (let i = hash & mask; ; i = (i + 1) & mask) {
      const id = slots[i]!;
      if (id === EMPTY) return -1;
      if (this.entries.hashOf(id) === hash && this.entries.keyEquals(id, key)) return id;
    }
  }

  /** Adds `id` (whose key is not yet in the index). */
  insert(id: number, hash: number): void {
    if (this.size + 1 > this.slots.length * MAX_LOAD) this.rehash(this.slots.length * 2);
    this.place(id, hash);
    this.size++;
  }

  /** Removes `id`, which must be in the index under `hash`. */
  remove(id: number, hash: number): void {
    const slots = this.slots;
    const mask = this.mask;
    let i = hash & mask;
    while (slots[i] !== id) i = (i + 1) & mask;
    // Backward shift: pull later members of the probe run into the hole when their home allows it.
    for (let j = (i + 1) & mask; ; j = (j + 1) & mask) {
      const other = slots[j]!;
      if (other === EMPTY) break;
      const home = this.entries.hashOf(other) & mask;
      // `other` may move to i unless its home lies cyclically in (i, j].
      if (i <= j ? home <= i || home > j : home <= i && home > j) {
        slots[i] = other;
        i = j;
      }
    }
    slots[i] = EMPTY;
    this.size--;
  }

  clear(): void {
    this.slots = new Int32Array(1024).fill(EMPTY);
    this.mask = 1023;
    this.size = 0;
  }

  private place(id: number, hash: number): void {
    const slots = this.slots;
    const mask = this.mask;
    let i = hash & mask;
    while (slots[i] !== EMPTY) i = (i + 1) & mask;
    slots[i] = id;
  }

  private rehash(capacity: number): void {
    const old = this.slots;
    this.slots = new Int32Array(capacity).fill(EMPTY);
    this.mask = capacity - 1;
    for (let i = 0; i < old.length; i++) {
      const id = old[i]!;
      if (id !== EMPTY) this.place(id, this.entries.hashOf(id));
    }
  }
}
