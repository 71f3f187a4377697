/**
 * Per-entry metadata of the memory tier as a struct of arrays: one slot per
 * entry id, ids dense from 0 and reused after release. About 40 bytes per
 * entry and no object, where an entry object with a Buffer view cost ~200
 * (docs/memory.md, ADR 0008).
 */
export class EntryTable {
  /** Key of each live id; undefined for a free id. */
  readonly keys: (string | undefined)[] = [];
  flags: Uint32Array;
  /** Absolute expiry in epoch ms; 0 = never. */
  exptime: Float64Array;
  cas: Float64Array;
  valueLength: Uint32Array;
  /** Slab address of the value, or -1 when the value has a Buffer of its own. */
  location: Float64Array;
  private freeIds: Int32Array;
  private freeCount = 0;
  /** Ids below this have been handed out at least once. */
  highWater = 0;

  constructor(private capacity = 1024) {
    this.flags = new Uint32Array(capacity);
    this.exptime = new Float64Array(capacity);
    this.cas = new Float64Array(capacity);
    this.valueLength = new Uint32Array(capacity);
    this.location = new Float64Array(capacity);
    this.freeIds = new Int32Array(capacity);
  }

  /** An unused id (its fields are stale until the caller sets them). */
  allocate(key: string): number {
    let id: number;
    if (this.freeCount > 0) {
      id = this.freeIds[--this.freeCount]!;
    } else {
      if (this.highWater === this.capacity) this.grow();
      id = this.highWater++;
    }
    this.keys[id] = key;
    return id;
  }

  release(id: number): void {
    this.keys[id] = undefined;
    this.freeIds[this.freeCount++] = id;
  }

  clear(): void {
    this.keys.length = 0;
    this.freeCount = 0;
    this.highWater = 0;
  }

  /** ×1.5: the arrays' slack stays a small share of the per-entry cost. */
  private grow(): void {
    const capacity = Math.ceil(this.capacity * 1.5);
    this.flags = grown(this.flags, new Uint32Array(capacity));
    this.exptime = grown(this.exptime, new Float64Array(capacity));
    this.cas = grown(this.cas, new Float64Array(capacity));
    this.valueLength = grown(this.valueLength, new Uint32Array(capacity));
    this.location = grown(this.location, new Float64Array(capacity));
    this.freeIds = grown(this.freeIds, new Int32Array(capacity));
    this.capacity = capacity;
  }
}

function grown<T extends Uint32Array | Float64Array | Int32Array>(from: T, to: T): T {
  to.set(from as never);
  return to;
}
