/** `location` of an entry whose payload has a Buffer of its own. */
export const OWN_BUFFER = 0xffffffff;
/** `location` of an unused id. */
const UNUSED = 0xfffffffe;

/** Bytes per entry: two entries per 64-byte cache line. */
const STRIDE = 32;

/** Columns read through the float64 view (slot within the entry's 4). */
export const EXPTIME = 0;
export const CAS = 1;
export type F64Column = typeof EXPTIME | typeof CAS;
/** Columns read through the uint32 view (slot within the entry's 8). */
export const HASH = 4;
export const FLAGS = 5;
export const VALUE_LENGTH = 6;
export const LOCATION = 7;
export type U32Column = typeof HASH | typeof FLAGS | typeof VALUE_LENGTH | typeof LOCATION;

/**
 * Per-entry metadata of the memory tier: one 32-byte record per entry id in
 * a single ArrayBuffer (ids dense from 0, reused after release). No object
 * per entry — an entry object with a key string, a Buffer view and a Map slot
 * cost ~250 bytes (docs/memory.md, ADR 0008) — and one record per cache
 * line pair, so a lookup touches one line rather than one per field. The
 * key itself lives in the payload, next to the value.
 *
 * Fields: exptime (absolute epoch ms, 0 = never) and cas as float64; key
 * hash, flags, value length and location as uint32. `location` is the slab
 * address of the payload / 8 (chunks are 8-byte aligned, so 32 GiB of pages
 * fit), OWN_BUFFER, or UNUSED for a free id, whose value length then links
 * to the next free id.
 */
export class EntryTable {
  private f64: Float64Array;
  private u32: Uint32Array;
  private freeHead = -1;
  /** Ids below this have been handed out at least once. */
  highWater = 0;
  private capacity: number;

  constructor(capacity = 1024) {
    this.capacity = capacity;
    const buffer = new ArrayBuffer(capacity * STRIDE);
    this.f64 = new Float64Array(buffer);
    this.u32 = new Uint32Array(buffer);
  }

  /** A float64 column of entry `id` (the column a constant, so V8 folds the offset). */
  f64At(id: number, column: F64Column): number {
    return this.f64[id * 4 + column]!;
  }
  setF64(id: number, column: F64Column, v: number): void {
    this.f64[id * 4 + column] = v;
  }
  u32At(id: number, column: U32Column): number {
    return this.u32[id * 8 + column]!;
  }
  setU32(id: number, column: U32Column, v: number): void {
    this.u32[id * 8 + column] = v;
  }

  /** An unused id; the caller sets every field. */
  allocate(): number {
    if (this.freeHead >= 0) {
      const id = this.freeHead;
      const next = this.u32At(id, VALUE_LENGTH);
      this.freeHead = next === UNUSED ? -1 : next;
      return id;
    }
    if (this.highWater === this.capacity) this.grow();
    return this.highWater++;
  }

  release(id: number): void {
    this.setU32(id, LOCATION, UNUSED);
    this.setU32(id, VALUE_LENGTH, this.freeHead < 0 ? UNUSED : this.freeHead);
    this.freeHead = id;
  }

  isLive(id: number): boolean {
    return this.u32At(id, LOCATION) !== UNUSED;
  }

  clear(): void {
    this.freeHead = -1;
    this.highWater = 0;
  }

  /** x1.25: the slack stays a small share of the per-entry cost. */
  private grow(): void {
    const capacity = Math.ceil(this.capacity * 1.25);
    const buffer = new ArrayBuffer(capacity * STRIDE);
    const f64 = new Float64Array(buffer);
    f64.set(this.f64);
    this.f64 = f64;
    this.u32 = new Uint32Array(buffer);
    this.capacity = capacity;
  }
}
