import { keyHash } from '../../domain/key-hash.js';
import { KeyIndex, type IndexedEntries } from '../memory/key-index.js';
import { KeyArena } from './key-arena.js';

/** No entry (list ends, empty free list). */
export const NONE = -1;

/** Columns grow by this factor: enough to amortise the copy, little slack at millions of keys. */
const GROWTH = 1.25;
const INITIAL_CAPACITY = 1024;
/** Column bytes per id: hash, size, exptime, prev, next, key location (4 each), key length (2). */
const BYTES_PER_ID = 26;
/** `sizes` value of a tombstone: a key deleted while the open scan runs (see `keepTombstones`). */
const TOMBSTONE = 0xffff_ffff;

/**
 * What the disk tier keeps in memory per stored key, in write order, as
 * typed-array columns indexed by a dense entry id (the idea of ADR 0008, for
 * the disk tier: see ADR 0012). Per key: 26 bytes of columns, the key bytes
 * in a KeyArena, and 5-11 bytes of the open-addressing KeyIndex: about 50-57
 * bytes for a 16-byte key, against ~200 for a `Map` of key strings to
 * objects. Write order is a doubly linked list through `prev`/`next`
 * (oldest = head); free ids are chained through `next`.
 */
export class WriteOrderIndex implements IndexedEntries {
  private capacity = INITIAL_CAPACITY;
  private hashes = new Uint32Array(INITIAL_CAPACITY);
  /** Charged bytes (key + record + overhead); 0 marks a free id. */
  private sizes = new Uint32Array(INITIAL_CAPACITY);
  /** Expiry in whole seconds, rounded up (0 = never): an upper bound of the exact one in the record. */
  private exptimes = new Uint32Array(INITIAL_CAPACITY);
  private prevs = new Int32Array(INITIAL_CAPACITY);
  private nexts = new Int32Array(INITIAL_CAPACITY);
  private keyLocs = new Uint32Array(INITIAL_CAPACITY);
  private keyLens = new Uint16Array(INITIAL_CAPACITY);
  private readonly keys = new KeyArena();
  private readonly lookup = new KeyIndex(this);
  /** Ids below this have been handed out at least once. */
  private highId = 0;
  private freeHead = NONE;
  /** Oldest entry. */
  head = NONE;
  /** Newest entry. */
  tail = NONE;
  /** Live entries. */
  count = 0;
  /** Size of the entry the last put() replaced (0 when the key was new). */
  replacedSize = 0;
  /**
   * Write order rank per id while the open scan runs (see `beginOrdering`);
   * undefined otherwise.
   */
  private ranks: Uint32Array | undefined;
  /** Ids that became tombstones (some may have been put again since). */
  private tombs: number[] = [];
  private tombstones = false;

  /** The longest key the index can hold. */
  static readonly MAX_KEY_LENGTH = 0xffff;

  hashOf(id: number): number {
    return this.hashes[id]!;
  }

  keyEquals(id: number, key: string): boolean {
    return this.keyLens[id] === key.length && this.keys.equals(this.keyLocs[id]!, key);
  }

  /** The id of `key`, or NONE (also for a tombstone). */
  find(key: string): number {
    const id = this.lookup.find(key, keyHash(key));
    return id === NONE || this.sizes[id] === TOMBSTONE ? NONE : id;
  }

  /** True when `key` has a live entry or a tombstone: a client wrote or deleted it while the open scan ran. */
  known(key: string): boolean {
    return this.lookup.find(key, keyHash(key)) !== NONE;
  }

  /** The key of entry `id` (latin1). */
  keyOf(id: number): string {
    return this.keys.read(this.keyLocs[id]!, this.keyLens[id]!);
  }

  sizeOf(id: number): number {
    return this.sizes[id]!;
  }

  /**
   * Expiry of entry `id` in ms, rounded up to a whole second (0 = never): an
   * entry expired by it is expired; one that expires within the second needs
   * the record's exact exptime.
   */
  exptimeOf(id: number): number {
    return this.exptimes[id]! * 1000;
  }

  /** The entry written after `id`, or NONE. */
  newer(id: number): number {
    return this.nexts[id]!;
  }

  /** The entry written before `id`, or NONE. */
  older(id: number): number {
    return this.prevs[id]!;
  }

  /** True when `id` holds a live entry (for walks by id). */
  isLive(id: number): boolean {
    const size = this.sizes[id]!;
    return id < this.highId && size !== 0 && size !== TOMBSTONE;
  }

  /** One past the highest id ever used (walks by id stop here). */
  get idLimit(): number {
    return this.highId;
  }

  /**
   * Records a write of `key` as the newest entry; returns its id. An existing
   * entry of the key is updated and moved to the newest end.
   */
  put(key: string, size: number, exptime: number, rank = 0): number {
    const hash = keyHash(key);
    let id = this.lookup.find(key, hash);
    if (id !== NONE && this.sizes[id] === TOMBSTONE) {
      this.count++;
      this.replacedSize = 0;
    } else if (id === NONE) {
      id = this.allocate();
      this.hashes[id] = hash;
      this.keyLocs[id] = this.keys.store(key);
      this.keyLens[id] = key.length;
      this.lookup.insert(id, hash);
      this.count++;
      this.replacedSize = 0;
    } else {
      this.replacedSize = this.sizes[id]!;
      this.unlink(id);
    }
    this.sizes[id] = size;
    this.exptimes[id] = Math.min(Math.ceil(exptime / 1000), 0xffff_ffff);
    if (this.ranks !== undefined) this.ranks[id] = rank;
    this.link(id);
    return id;
  }

  /** Removes entry `id` (leaves a tombstone while `keepTombstones` is on). */
  remove(id: number): void {
    this.unlink(id);
    this.count--;
    if (this.tombstones) {
      this.sizes[id] = TOMBSTONE;
      this.tombs.push(id);
      return;
    }
    this.free(id);
  }

  /** Leaves a tombstone for `key`, which has no live entry (only while `keepTombstones` is on). */
  bury(key: string): void {
    if (!this.tombstones || this.known(key)) return;
    const hash = keyHash(key);
    const id = this.allocate();
    this.hashes[id] = hash;
    this.keyLocs[id] = this.keys.store(key);
    this.keyLens[id] = key.length;
    this.lookup.insert(id, hash);
    this.sizes[id] = TOMBSTONE;
    this.tombs.push(id);
  }

  /**
   * From now until `endOrdering`: removed keys leave tombstones (so `known`
   * answers for them), and each put carries a write-order rank, because the
   * open scan inserts entries in key order.
   */
  beginOrdering(): void {
    this.tombstones = true;
    this.ranks = new Uint32Array(this.capacity);
  }

  /** Drops the tombstones and relinks every live entry in ascending rank (stable). */
  endOrdering(): void {
    this.tombstones = false;
    for (const id of this.tombs) if (this.sizes[id] === TOMBSTONE) this.free(id);
    this.tombs = [];
    const ranks = this.ranks;
    this.ranks = undefined;
    if (ranks === undefined || this.head === NONE) return;
    const ids = sortedIds(this.head, this.count, this.nexts, ranks);
    this.head = this.tail = NONE;
    for (let i = 0; i < ids.length; i++) this.link(ids[i]!);
  }

  clear(): void {
    this.tombs = [];
    if (this.ranks !== undefined) this.ranks = new Uint32Array(INITIAL_CAPACITY);
    this.lookup.clear();
    this.keys.clear();
    this.capacity = INITIAL_CAPACITY;
    this.hashes = new Uint32Array(INITIAL_CAPACITY);
    this.sizes = new Uint32Array(INITIAL_CAPACITY);
    this.exptimes = new Uint32Array(INITIAL_CAPACITY);
    this.prevs = new Int32Array(INITIAL_CAPACITY);
    this.nexts = new Int32Array(INITIAL_CAPACITY);
    this.keyLocs = new Uint32Array(INITIAL_CAPACITY);
    this.keyLens = new Uint16Array(INITIAL_CAPACITY);
    this.highId = 0;
    this.freeHead = NONE;
    this.head = this.tail = NONE;
    this.count = 0;
  }

  /** Bytes of memory the index holds (columns, keys, lookup table). */
  footprint(): number {
    // The lookup table is a power of two at most 3/4 full (key-index.ts); its exact size is its own.
    const slots = 2 ** Math.ceil(Math.log2(Math.max(1024, this.count / 0.75)));
    return this.capacity * BYTES_PER_ID + this.keys.footprint() + slots * 4 + (this.ranks?.byteLength ?? 0);
  }

  private free(id: number): void {
    this.lookup.remove(id, this.hashes[id]!);
    this.keys.release(this.keyLocs[id]!, this.keyLens[id]!);
    this.sizes[id] = 0;
    this.nexts[id] = this.freeHead;
    this.freeHead = id;
  }

  private allocate(): number {
    if (this.freeHead !== NONE) {
      const id = this.freeHead;
      this.freeHead = this.nexts[id]!;
      return id;
    }
    if (this.highId === this.capacity) this.grow(Math.ceil(this.capacity * GROWTH));
    return this.highId++;
  }

  private link(id: number): void {
    this.prevs[id] = this.tail;
    this.nexts[id] = NONE;
    if (this.tail !== NONE) this.nexts[this.tail] = id;
    else this.head = id;
    this.tail = id;
  }

  private unlink(id: number): void {
    const p = this.prevs[id]!;
    const n = this.nexts[id]!;
    if (p !== NONE) this.nexts[p] = n;
    else this.head = n;
    if (n !== NONE) this.prevs[n] = p;
    else this.tail = p;
  }

  private grow(capacity: number): void {
    this.hashes = grown(this.hashes, new Uint32Array(capacity));
    this.sizes = grown(this.sizes, new Uint32Array(capacity));
    this.exptimes = grown(this.exptimes, new Uint32Array(capacity));
    this.prevs = grown(this.prevs, new Int32Array(capacity));
    this.nexts = grown(this.nexts, new Int32Array(capacity));
    this.keyLocs = grown(this.keyLocs, new Uint32Array(capacity));
    this.keyLens = grown(this.keyLens, new Uint16Array(capacity));
    if (this.ranks !== undefined) this.ranks = grown(this.ranks, new Uint32Array(capacity));
    this.capacity = capacity;
  }
}

/**
 * The ids of the list starting at `head` (linked through `nexts`), sorted by
 * `ranks`: LSD radix sort, four passes of 8 bits, stable, each rank carried
 * beside its id so every pass reads sequentially (walking the list, or
 * reading `ranks[id]`, per pass costs random memory accesses: 3-6x slower
 * for 5M keys). Costs 16 bytes per key while it runs.
 */
function sortedIds(head: number, length: number, nexts: Int32Array, ranks: Uint32Array): Uint32Array {
  let ids = new Uint32Array(length);
  let keys = new Uint32Array(length);
  let toIds = new Uint32Array(length);
  let toKeys = new Uint32Array(length);
  let n = 0;
  for (let id = head; id !== NONE; id = nexts[id]!) {
    ids[n] = id;
    keys[n++] = ranks[id]!;
  }
  const starts = new Uint32Array(257);
  for (let shift = 0; shift < 32; shift += 8) {
    starts.fill(0);
    for (let i = 0; i < n; i++) starts[((keys[i]! >>> shift) & 0xff) + 1]!++;
    for (let d = 0; d < 256; d++) starts[d + 1]! += starts[d]!;
    for (let i = 0; i < n; i++) {
      const k = keys[i]!;
      const at = starts[(k >>> shift) & 0xff]!++;
      toIds[at] = ids[i]!;
      toKeys[at] = k;
    }
    [ids, toIds] = [toIds, ids];
    [keys, toKeys] = [toKeys, keys];
  }
  return ids;
}

function grown<T extends Uint32Array | Int32Array | Uint16Array>(old: T, next: T): T {
  next.set(old as never);
  return next;
}
