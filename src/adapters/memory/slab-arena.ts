/**
 * Value memory of the memory tier, memcached-style: 64 KiB pages, each cut
 * into equal chunks of one size class (classes grow by ~1.08x, 8-byte
 * aligned). An entry's payload (its key and value) lives in the smallest
 * chunk that fits it plus a 4-byte header naming the owning entry, so a page can be emptied (its live chunks
 * moved elsewhere in the class) and handed to another class. One Buffer per
 * page instead of one per value: no per-value object, no Buffer-pool slab
 * pinned by a surviving neighbour (docs/memory.md, ADR 0008).
 *
 * Addresses are `page * PAGE_SIZE + offset`, plain numbers. Free chunks form
 * an intrusive list: header FREE, next address as a float64 after it.
 */

/** Bytes per page: the unit memory moves between size classes in. */
export const PAGE_SIZE = 64 * 1024;
/** Largest chunk; values that do not fit get a Buffer of their own. Below SHARED_VALUE_LIMIT: readers copy every slab value. */
export const MAX_CHUNK = 8 * 1024;
/** Chunk header: the owning entry id, or FREE. */
const HEADER = 4;
/** Largest payload a chunk can hold. */
export const SLAB_PAYLOAD_MAX = MAX_CHUNK - HEADER;
const FREE = 0xffffffff;
const MIN_CHUNK = 16;
/** Classes grow by this factor, in steps of at least 8 bytes (memcached's -f is 1.25: coarser, more waste). */
const GROWTH = 1.08;

class SizeClass {
  readonly perPage: number;
  /** Address of the first free chunk, -1 when none. */
  freeHead = -1;
  freeCount = 0;
  /** Not yet carved part of the newest page: [bumpAddr, bumpEnd). */
  bumpAddr = 0;
  bumpEnd = 0;
  readonly pages: number[] = [];

  constructor(readonly chunkSize: number) {
    this.perPage = Math.floor(PAGE_SIZE / chunkSize);
  }

  /** Chunks obtainable without a new page. */
  get spare(): number {
    return this.freeCount + (this.bumpEnd - this.bumpAddr) / this.chunkSize;
  }
}

function pageOf(addr: number): number {
  return (addr / PAGE_SIZE) | 0;
}

export class SlabArena {
  private readonly classes: SizeClass[] = [];
  /** Smallest class for a chunk of n bytes, indexed by ceil(n / 8). */
  private readonly classByUnits = new Uint8Array(MAX_CHUNK / 8 + 1);
  private pages: (Buffer | undefined)[] = [];
  private pageClass: number[] = [];
  private pageLive: number[] = [];
  /** Indexes of released pages, reused before the page table grows. */
  private releasedSlots: number[] = [];
  /** Bytes of all pages currently allocated. */
  pageBytes = 0;

  /** `onMove` is told the new address of every chunk moved while a page is emptied. */
  constructor(private readonly onMove: (id: number, addr: number) => void) {
    for (let size = MIN_CHUNK; ;) {
      this.classes.push(new SizeClass(size));
      if (size >= MAX_CHUNK) break;
      size = Math.min(MAX_CHUNK, size + Math.max(8, Math.round((size * (GROWTH - 1)) / 8) * 8));
    }
    let cls = 0;
    for (let units = 0; units < this.classByUnits.length; units++) {
      while (this.classes[cls]!.chunkSize < units * 8) cls++;
      this.classByUnits[units] = cls;
    }
  }

  get classCount(): number {
    return this.classes.length;
  }

  /** The class whose chunks hold a payload of this length, or -1 when it needs a Buffer of its own. */
  classOf(payloadLength: number): number {
    const n = payloadLength + HEADER;
    return n > MAX_CHUNK ? -1 : this.classByUnits[(n + 7) >> 3]!;
  }

  chunkSize(cls: number): number {
    return this.classes[cls]!.chunkSize;
  }

  /** A chunk of class `cls` owned by entry `id`, or -1 when the class needs another page. */
  allocate(cls: number, id: number): number {
    const c = this.classes[cls]!;
    let addr: number;
    if (c.freeHead >= 0) {
      addr = c.freeHead;
      const p = pageOf(addr);
      c.freeHead = this.pages[p]!.readDoubleLE(addr - p * PAGE_SIZE + HEADER);
      c.freeCount--;
    } else if (c.bumpAddr < c.bumpEnd) {
      addr = c.bumpAddr;
      c.bumpAddr += c.chunkSize;
    } else {
      return -1;
    }
    const p = pageOf(addr);
    this.pages[p]!.writeUInt32LE(id, addr - p * PAGE_SIZE);
    this.pageLive[p]!++;
    return addr;
  }

  /** Returns a chunk to its class. */
  free(addr: number): void {
    const p = pageOf(addr);
    const c = this.classes[this.pageClass[p]!]!;
    const buf = this.pages[p]!;
    const off = addr - p * PAGE_SIZE;
    buf.writeUInt32LE(FREE, off);
    buf.writeDoubleLE(c.freeHead, off + HEADER);
    c.freeHead = addr;
    c.freeCount++;
    this.pageLive[p]!--;
  }

  /** The size class of the chunk at `addr`. */
  classAt(addr: number): number {
    return this.pageClass[pageOf(addr)]!;
  }

  /** Pages and chunks of class `cls` (memcached's `stats slabs` fields). */
  classPages(cls: number): { chunkSize: number; perPage: number; pages: number; free: number; freeEnd: number } {
    const c = this.classes[cls]!;
    return { chunkSize: c.chunkSize, perPage: c.perPage, pages: c.pages.length, free: c.freeCount, freeEnd: (c.bumpEnd - c.bumpAddr) / c.chunkSize };
  }

  /** The page holding the chunk at `addr`. */
  page(addr: number): Buffer {
    return this.pages[pageOf(addr)]!;
  }

  /**
   * Where the payload of the chunk at `addr` starts in its page. Payload
   * bytes alias arena memory: valid until the chunk is freed or moved.
   */
  payloadOffset(addr: number): number {
    return addr - pageOf(addr) * PAGE_SIZE + HEADER;
  }

  /** Gives class `cls` a freshly allocated page. */
  addPage(cls: number): void {
    const p = this.releasedSlots.length > 0 ? this.releasedSlots.pop()! : this.pages.length;
    this.pages[p] = Buffer.allocUnsafeSlow(PAGE_SIZE);
    this.pageBytes += PAGE_SIZE;
    this.assign(p, cls);
  }

  /**
   * A class other than `exclude` with at least a page worth of spare chunks
   * (so one of its pages can be emptied), preferring the most spare bytes;
   * -1 when there is none.
   */
  donor(exclude: number): number {
    let best = -1;
    let bestBytes = 0;
    for (let i = 0; i < this.classes.length; i++) {
      const c = this.classes[i]!;
      if (i === exclude || c.pages.length === 0 || c.spare < c.perPage) continue;
      const bytes = c.spare * c.chunkSize;
      if (bytes > bestBytes) {
        best = i;
        bestBytes = bytes;
      }
    }
    return best;
  }

  /** True when class `cls` has a chunk to give without a new page. */
  hasSpare(cls: number): boolean {
    return this.classes[cls]!.spare > 0;
  }

  /** True when class `cls` could give up a page. */
  canDonate(cls: number): boolean {
    const c = this.classes[cls]!;
    return c.pages.length > 0 && c.spare >= c.perPage;
  }

  /** Empties one page of class `from` (see donor) and gives it to class `to`. */
  movePage(from: number, to: number): void {
    this.assign(this.evacuate(from), to);
  }

  /** Empties one page of class `from` (see donor) and frees its memory. */
  releasePage(from: number): void {
    const p = this.evacuate(from);
    this.pages[p] = undefined;
    this.pageBytes -= PAGE_SIZE;
    this.releasedSlots.push(p);
  }

  /** Frees every page. */
  clear(): void {
    for (const c of this.classes) {
      c.freeHead = -1;
      c.freeCount = 0;
      c.bumpAddr = c.bumpEnd = 0;
      c.pages.length = 0;
    }
    this.pages = [];
    this.pageClass = [];
    this.pageLive = [];
    this.releasedSlots = [];
    this.pageBytes = 0;
  }

  private assign(p: number, cls: number): void {
    const c = this.classes[cls]!;
    // Thread an unfinished bump region into the free list first: evacuate() treats only the newest page as partly carved.
    while (c.bumpAddr < c.bumpEnd) {
      const a = c.bumpAddr;
      c.bumpAddr += c.chunkSize;
      const ap = pageOf(a);
      this.pageLive[ap]!++;
      this.free(a);
    }
    this.pageClass[p] = cls;
    this.pageLive[p] = 0;
    c.pages.push(p);
    c.bumpAddr = p * PAGE_SIZE;
    c.bumpEnd = c.bumpAddr + c.perPage * c.chunkSize;
  }

  /**
   * Picks the class's page with the fewest live chunks, moves those chunks
   * into spare chunks of the class's other pages and detaches the page.
   * The caller guarantees spare >= perPage, so the moves always find room:
   * the page's live chunks never outnumber the spare chunks elsewhere.
   */
  private evacuate(cls: number): number {
    const c = this.classes[cls]!;
    let pos = 0;
    for (let i = 1; i < c.pages.length; i++) if (this.pageLive[c.pages[i]!]! < this.pageLive[c.pages[pos]!]!) pos = i;
    const p = c.pages[pos]!;
    const base = p * PAGE_SIZE;
    let carvedEnd = base + c.perPage * c.chunkSize;
    if (c.bumpAddr < c.bumpEnd && pageOf(c.bumpAddr) === p) {
      carvedEnd = c.bumpAddr;
      c.bumpAddr = c.bumpEnd = 0;
    }
    c.pages.splice(pos, 1);
    // Unthread the page's free chunks from the class's list.
    let head = -1;
    let count = 0;
    for (let a = c.freeHead; a >= 0;) {
      const ap = pageOf(a);
      const buf = this.pages[ap]!;
      const off = a - ap * PAGE_SIZE;
      const next = buf.readDoubleLE(off + HEADER);
      if (ap !== p) {
        buf.writeDoubleLE(head, off + HEADER);
        head = a;
        count++;
      }
      a = next;
    }
    c.freeHead = head;
    c.freeCount = count;
    const src = this.pages[p]!;
    for (let a = base; a < carvedEnd; a += c.chunkSize) {
      const off = a - base;
      const id = src.readUInt32LE(off);
      if (id === FREE) continue;
      const to = this.allocate(cls, id);
      if (to < 0) throw new Error('slab arena: no room to evacuate a page (spare chunks miscounted)');
      const tp = pageOf(to);
      src.copy(this.pages[tp]!, to - tp * PAGE_SIZE, off, off + c.chunkSize);
      this.onMove(id, to);
    }
    this.pageLive[p] = 0;
    return p;
  }
}
