/** `location` of an entry whose payload has a Buffer of its own. */
export const OWN_BUFFER = 0xffffffff;
/** `location` of an unused id. */
const UNUSED = 0xfffffffe;

/**
 * Per-entry metadata of the memory tier as a struct of arrays: one slot per
 * entry id, ids dense from 0 and reused after release. 32 bytes per entry
 * and no object: an entry object with a key string, a Buffer view and a Map
 * slot cost ~250 (docs/memory.md, ADR 0008). The key itself lives in the
 * payload, next to the value.
 */
export class EntryTable {
  flags: Uint32Array;
  /** Absolute expiry in epoch ms; 0 = never. */
  exptime: Float64Array;
  cas: Float64Array;
  /** keyHash() of the key. */
  hash: Uint32Array;
  valueLength: Uint32Array;
  /**
   * Slab address of the payload / 8 (chunks are 8-byte aligned, so 32 GiB of
   * pages fit), OWN_BUFFER, or UNUSED for a free id. A free id's valueLength
   * links to the next free id.
   */
  location: Uint32Array;
  private freeHead = -1;
  /** Ids below this have been handed out at least once. */
  highWater = 0;
  private capacity: number;

  constructor(capacity = 1024) {
    this.capacity = capacity;
    this.flags = new Uint32Array(capacity);
    this.exptime = new Float64Array(capacity);
    this.cas = new Float64Array(capacity);
    this.hash = new Uint32Array(capacity);
    this.valueLength = new Uint32Array(capacity);
    this.location = new Uint32Array(capacity);
  }

  /** An unused id; the caller sets every field. */
  allocate(): number {
    if (this.freeHead >= 0) {
      const id = this.freeHead;
      this.freeHead = this.valueLength[id] === UNUSED ? -1 : this.valueLength[id]!;
      return id;
    }
    if (this.highWater === this.capacity) this.grow();
    return this.highWater++;
  }

  release(id: number): void {
    this.location[id] = UNUSED;
    this.valueLength[id] = this.freeHead < 0 ? UNUSED : this.freeHead;
    this.freeHead = id;
  }

  isLive(id: number): boolean {
    return this.location[id] !== UNUSED;
  }

  clear(): void {
    this.freeHead = -1;
    this.highWater = 0;
  }

  /** x1.25: the arrays' slack stays a small share of the per-entry cost. */
  private grow(): void {
    const capacity = Math.ceil(this.capacity * 1.25);
    this.flags = grown(this.flags, new Uint32Array(capacity));
    this.exptime = grown(this.exptime, new Float64Array(capacity));
    this.cas = grown(this.cas, new Float64Array(capacity));
    this.hash = grown(this.hash, new Uint32Array(capacity));
    this.valueLength = grown(this.valueLength, new Uint32Array(capacity));
    this.location = grown(this.location, new Uint32Array(capacity));
    this.capacity = capacity;
  }
}

function grown<T extends Uint32Array | Float64Array>(from: T, to: T): T {
  to.set(from as never);
  return to;
}
