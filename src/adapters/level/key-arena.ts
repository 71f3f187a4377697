/** Keys live in pages of this size; a location is page * PAGE_SIZE + offset, so it fits a u32. */
const PAGE_SIZE = 1 << 20;
const NIL = 0xffff_ffff;
/** A free slot holds the location of the next free slot of its length in its first 4 bytes. */
const MIN_SLOT = 4;

/**
 * Key bytes (latin1) of the disk tier's index, packed in 1 MiB pages: no
 * string or object per key. A freed slot is reused by the next key of the
 * same length (keys of one workload come in few lengths), so the arena does
 * not fragment under overwrite and delete churn.
 */
export class KeyArena {
  private pages: Buffer[] = [];
  /** Next free byte of the last page. */
  private top = PAGE_SIZE;
  /** Head of the free list of each slot length. */
  private readonly freeLists = new Map<number, number>();

  /** Copies `key` in; returns its location. */
  store(key: string): number {
    const n = key.length;
    const slot = n < MIN_SLOT ? MIN_SLOT : n;
    let loc = this.freeLists.get(slot) ?? NIL;
    let page: Buffer;
    let off: number;
    if (loc !== NIL) {
      page = this.pages[Math.floor(loc / PAGE_SIZE)]!;
      off = loc % PAGE_SIZE;
      const next = page.readUInt32LE(off);
      if (next === NIL) this.freeLists.delete(slot);
      else this.freeLists.set(slot, next);
    } else {
      if (this.top + slot > PAGE_SIZE) {
        this.pages.push(Buffer.allocUnsafeSlow(Math.max(PAGE_SIZE, slot)));
        this.top = 0;
      }
      page = this.pages[this.pages.length - 1]!;
      off = this.top;
      this.top += slot;
      loc = (this.pages.length - 1) * PAGE_SIZE + off;
    }
    for (let i = 0; i < n; i++) page[off + i] = key.charCodeAt(i);
    return loc;
  }

  /** Releases the slot of a key of `length` bytes at `loc`. */
  release(loc: number, length: number): void {
    const slot = length < MIN_SLOT ? MIN_SLOT : length;
    const page = this.pages[Math.floor(loc / PAGE_SIZE)]!;
    page.writeUInt32LE(this.freeLists.get(slot) ?? NIL, loc % PAGE_SIZE);
    this.freeLists.set(slot, loc);
  }

  read(loc: number, length: number): string {
    const off = loc % PAGE_SIZE;
    return this.pages[Math.floor(loc / PAGE_SIZE)]!.toString('latin1', off, off + length);
  }

  /** True when the key at `loc` (of key.length bytes) is `key`. */
  equals(loc: number, key: string): boolean {
    const page = this.pages[Math.floor(loc / PAGE_SIZE)]!;
    const off = loc % PAGE_SIZE;
    for (let i = 0; i < key.length; i++) if (page[off + i] !== key.charCodeAt(i)) return false;
    return true;
  }

  clear(): void {
    this.pages = [];
    this.top = PAGE_SIZE;
    this.freeLists.clear();
  }

  /** Bytes held in pages. */
  footprint(): number {
    let total = 0;
    for (const p of this.pages) total += p.length;
    return total;
  }
}
