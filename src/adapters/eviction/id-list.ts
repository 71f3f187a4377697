/** Marks "no id" in link arrays and list ends. */
export const NONE = -1;

type PerIdArray = Int32Array | Uint8Array | Uint16Array | Uint32Array;

/**
 * Returns `array` grown to `capacity` slots (old contents copied, new slots
 * set to `fill`), or `array` itself when it is already large enough.
 */
export function grown<T extends PerIdArray>(array: T, capacity: number, fill = 0): T {
  if (array.length >= capacity) return array;
  const bigger = new (array.constructor as new (length: number) => T)(capacity);
  bigger.set(array as ArrayLike<number>);
  if (fill !== 0) bigger.fill(fill, array.length);
  return bigger;
}

/**
 * Capacity to grow to so that `id` fits: x1.5 at least, so that growth
 * (a copy) is O(1) amortised per new id.
 */
export function capacityFor(id: number, current: number): number {
  return Math.max(id + 1, Math.ceil(current * 1.5), 16);
}

/**
 * The prev/next links of every id a policy tracks, shared by all the
 * policy's lists: an id is in at most one of them at a time, so one pair of
 * Int32Arrays (8 bytes per id) serves them all. `prev` points towards the
 * head (newer), `next` towards the tail (older); NONE (-1) = no neighbour.
 */
export class IdLinks {
  prev: Int32Array;
  next: Int32Array;

  constructor(initialCapacity = 16) {
    this.prev = new Int32Array(initialCapacity).fill(NONE);
    this.next = new Int32Array(initialCapacity).fill(NONE);
  }

  get capacity(): number {
    return this.prev.length;
  }

  /** Detaches every id (after the owner cleared all its lists). */
  reset(): void {
    this.prev.fill(NONE);
    this.next.fill(NONE);
  }

  /** Makes room for ids up to `capacity - 1`. */
  grow(capacity: number): void {
    this.prev = grown(this.prev, capacity, NONE);
    this.next = grown(this.next, capacity, NONE);
  }
}

/**
 * Intrusive doubly linked list of ids over shared IdLinks: O(1) push,
 * unlink, move and pop with no allocation. Head = most recently pushed.
 * Callers grow the links before pushing an id beyond their capacity.
 */
export class IdList {
  head = NONE;
  tail = NONE;
  length = 0;

  constructor(private readonly links: IdLinks) {}

  pushHead(id: number): void {
    const { prev, next } = this.links;
    prev[id] = NONE;
    next[id] = this.head;
    if (this.head !== NONE) prev[this.head] = id;
    else this.tail = id;
    this.head = id;
    this.length++;
  }

  unlink(id: number): void {
    const { prev, next } = this.links;
    const p = prev[id]!;
    const n = next[id]!;
    if (p !== NONE) next[p] = n;
    else this.head = n;
    if (n !== NONE) prev[n] = p;
    else this.tail = p;
    prev[id] = next[id] = NONE;
    this.length--;
  }

  moveToHead(id: number): void {
    if (this.head === id) return;
    this.unlink(id);
    this.pushHead(id);
  }

  /** Detaches and returns the oldest id; NONE when empty. */
  popTail(): number {
    const id = this.tail;
    if (id !== NONE) this.unlink(id);
    return id;
  }

  /** The neighbour of `id` towards the tail (pushed before it); NONE at the tail. */
  olderThan(id: number): number {
    return this.links.next[id]!;
  }

  /** The neighbour of `id` towards the head (pushed after it); NONE at the head. */
  newerThan(id: number): number {
    return this.links.prev[id]!;
  }

  /**
   * Moves every id of `older` behind this list's tail in O(1), keeping
   * their order, and leaves `older` empty. Used to merge LFU buckets.
   */
  appendOlder(older: IdList): void {
    if (older === this || older.head === NONE) return;
    if (this.tail === NONE) {
      this.head = older.head;
    } else {
      this.links.next[this.tail] = older.head;
      this.links.prev[older.head] = this.tail;
    }
    this.tail = older.tail;
    this.length += older.length;
    older.head = older.tail = NONE;
    older.length = 0;
  }

  /**
   * Forgets the members without visiting them; the owner resets the shared
   * links once for all its lists (IdLinks.reset).
   */
  clear(): void {
    this.head = this.tail = NONE;
    this.length = 0;
  }
}
