/** `location` of an entry whose payload has a Buffer of its own. */
export const OWN_BUFFER = 0xffffffff;
/** `location` of an unused id. */
const UNUSED = 0xfffffffe;

/** Bytes per entry: two entries per 64-byte cache line. */
const STRIDE = 32;
// Field positions, in units of the view that holds them.
const F64_EXPTIME = 0;
const F64_CAS = 1;
const U32_HASH = 4;
const U32_FLAGS = 5;
const U32_VALUE_LENGTH = 6;
const U32_LOCATION = 7;

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

  exptime(id: number): number {
    return this.f64[id * 4 + F64_EXPTIME]!;
  }
  setExptime(id: number, v: number): void {
    this.f64[id * 4 + F64_EXPTIME] = v;
  }
  cas(id: number): number {
    return this.f64[id * 4 + F64_CAS]!;
  }
  setCas(id: number, v: number): void {
    this.f64[id * 4 + F64_CAS] = v;
  }
  hash(id: number): number {
    return this.u32[id * 8 + U32_HASH]!;
  }
  setHash(id: number, v: number): void {
    this.u32[id * 8 + U32_HASH] = v;
  }
  flags(id: number): number {
    return this.u32[id * 8 + U32_FLAGS]!;
  }
  setFlags(id: number, v: number): void {
    this.u32[id * 8 + U32_FLAGS] = v;
  }
  valueLength(id: number): number {
    return this.u32[id * 8 + U32_VALUE_LENGTH]!;
  }
  setValueLength(id: number, v: number): void {
    this.u32[id * 8 + U32_VALUE_LENGTH] = v;
  }
  location(id: number): number {
    return this.u32[id * 8 + U32_LOCATION]!;
  }
  setLocation(id: number, v: number): void {
    this.u32[id * 8 + U32_LOCATION] = v;
  }

  /** An unused id; the caller sets every field. */
  allocate(): number {
    if (this.freeHead >= 0) {
      const id = this.freeHead;
      const next = this.valueLength(id);
      this.freeHead = next === UNUSED ? -1 : next;
      return id;
    }
    if (this.highWater === this.capacity) this.grow();
    return this.highWater++;
  }

  release(id: number): void {
    this.setLocation(id, UNUSED);
    this.setValueLength(id, this.freeHead < 0 ? UNUSED : this.freeHead);
    this.freeHead = id;
  }

  isLive(id: number): boolean {
    return this.location(id) !== UNUSED;
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
