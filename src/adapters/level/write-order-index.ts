import { keyHash } from '../../domain/key-hash.js';
import { KeyIndex, type IndexedEntries } from '../memory/key-index.js';
import { EndStep, Phase } from './end-step.js';
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
/** Budget units of one relinked entry in the end step (sequential passes count 1 per entry). */
const RELINK_COST = 4;

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
  /** Highest rank put while ordering: the end step relinks entries up to it. */
  private maxRank = 0;
  /** The end step in progress (see `beginSort`). */
  private sort: EndStep | undefined;
  /** While the end step relinks: the last entry of the prefix of the list already in rank order. */
  private sorted = NONE;

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
    if (this.ranks !== undefined) {
      this.ranks[id] = rank;
      if (rank > this.maxRank && this.sort === undefined) this.maxRank = rank;
    }
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
   * From now until the end step has finished (`beginSort` + `sortStep`, or
   * `endOrdering`): each put carries a write-order rank, because the open
   * scan inserts entries in key order; until `beginSort`, removed keys also
   * leave tombstones (so `known` answers for them).
   */
  beginOrdering(): void {
    this.tombstones = true;
    this.ranks = new Uint32Array(this.capacity);
    this.maxRank = 0;
    this.sort = undefined;
  }

  /** True from `beginOrdering` until the end step has rebuilt write order. */
  get ordering(): boolean {
    return this.ranks !== undefined;
  }

  /**
   * Starts the end step (ADR 0017): tombstones go, then live entries are
   * relinked in ascending rank, a bounded amount of work per `sortStep`, while
   * puts and removes go on between steps. Puts keep carrying ranks (above
   * every rank before the step began) until it ends.
   */
  beginSort(): void {
    if (this.ranks === undefined || this.sort !== undefined) return;
    this.tombstones = false;
    this.sort = new EndStep(this.tombs, this.maxRank, this.highId, this.count);
    this.tombs = [];
  }

  /** Does at most about `budget` entries' worth of the end step; true once write order is rebuilt. */
  sortStep(budget: number): boolean {
    const ranks = this.ranks;
    const sort = this.sort;
    if (ranks === undefined) return true;
    if (sort === undefined) {
      this.beginSort();
      return this.sortStep(budget);
    }
    while (budget > 0) {
      switch (sort.phase) {
        case Phase.Free: {
          const end = Math.min(sort.tombs.length, sort.at + budget);
          for (let i = sort.at; i < end; i++) {
            const id = sort.tombs[i]!;
            // Put again since it was buried (then live), or freed and reused: not a tombstone any more.
            if (this.sizes[id] === TOMBSTONE) this.free(id);
          }
          budget -= end - sort.at;
          sort.at = end;
          if (end === sort.tombs.length) sort.next(Phase.Collect);
          break;
        }
        case Phase.Collect: {
          const end = Math.min(sort.idLimit, sort.at + budget);
          for (let id = sort.at; id < end; id++) {
            // Ranks above `limit` were given after the step began: those entries are already at the tail in write order.
            if (this.isLive(id) && ranks[id]! <= sort.limit) sort.add(id, ranks[id]!);
          }
          budget -= end - sort.at;
          sort.at = end;
          if (end === sort.idLimit) sort.next(Phase.Sort);
          break;
        }
        case Phase.Sort:
          budget -= sort.radixStep(budget);
          break;
        case Phase.Relink: {
          // Each relinked entry touches its neighbours at random places in memory: it counts as RELINK_COST.
          const end = Math.min(sort.length, sort.at + Math.ceil(budget / RELINK_COST));
          const ids = sort.ids;
          const keys = sort.keys;
          for (let i = sort.at; i < end; i++) {
            const id = ids[i]!;
            // Removed, or rewritten (a new rank, already at the tail), since the snapshot: not this entry any more.
            if (!this.isLive(id) || ranks[id] !== keys[i]) continue;
            this.unlink(id);
            this.linkAfter(this.sorted, id);
            this.sorted = id;
          }
          budget -= (end - sort.at) * RELINK_COST;
          sort.at = end;
          if (end === sort.length) {
            this.ranks = undefined;
            this.sort = undefined;
            this.sorted = NONE;
            return true;
          }
          break;
        }
      }
    }
    return false;
  }

  /** Runs the whole end step at once: drops the tombstones and relinks every live entry in ascending rank (ties by id). */
  endOrdering(): void {
    while (!this.sortStep(Number.MAX_SAFE_INTEGER));
  }

  clear(): void {
    this.tombs = [];
    if (this.ranks !== undefined) this.ranks = new Uint32Array(INITIAL_CAPACITY);
    // An end step in progress has nothing left to order (ranks stay on: a later `sortStep` ends it at once).
    if (this.sort !== undefined) this.sort = new EndStep([], 0, 0, 0);
    this.sorted = NONE;
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

  /** Links `id` right after `at` (NONE: as the oldest). */
  private linkAfter(at: number, id: number): void {
    const n = at === NONE ? this.head : this.nexts[at]!;
    this.prevs[id] = at;
    this.nexts[id] = n;
    if (at === NONE) this.head = id;
    else this.nexts[at] = id;
    if (n === NONE) this.tail = id;
    else this.prevs[n] = id;
  }

  private unlink(id: number): void {
    // The sorted prefix ends before an entry taken out of it.
    if (id === this.sorted) this.sorted = this.prevs[id]!;
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

function grown<T extends Uint32Array | Int32Array | Uint16Array>(old: T, next: T): T {
  next.set(old as never);
  return next;
}
