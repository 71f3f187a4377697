export const enum Phase {
  Free,
  Collect,
  Sort,
  Relink,
}

/**
 * The state of WriteOrderIndex's end step (ADR 0017): tombstones to free, then a snapshot of (id, rank)
 * of every live entry with a rank up to `limit`, sorted by rank (LSD radix
 * sort, four passes of 8 bits, stable, each rank carried beside its id so
 * every pass reads sequentially: reading `ranks[id]` per pass costs random
 * memory accesses, 3-6x slower for 5M keys), then relinked in that order.
 * Costs 16 bytes per key while it runs. Each phase resumes at `at`.
 */
export class EndStep {
  phase = Phase.Free;
  at = 0;
  length = 0;
  ids: Uint32Array;
  keys: Uint32Array;
  private toIds: Uint32Array;
  private toKeys: Uint32Array;
  private readonly starts = new Uint32Array(257);
  private shift = 0;
  /** Within a radix pass: counting (false) or scattering (true). */
  private scattering = false;

  constructor(
    readonly tombs: number[],
    readonly limit: number,
    /** Ids at or above this were handed out after the step began (their ranks are above `limit`). */
    readonly idLimit: number,
    /** Live entries when the step began: no more can have a rank up to `limit`. */
    live: number,
  ) {
    this.ids = new Uint32Array(live);
    this.keys = new Uint32Array(live);
    this.toIds = new Uint32Array(live);
    this.toKeys = new Uint32Array(live);
  }

  next(phase: Phase): void {
    this.phase = phase;
    this.at = 0;
  }

  add(id: number, rank: number): void {
    // Cannot happen (see `live`); were it to, the entry would only stay where it is in the list.
    if (this.length === this.ids.length) return;
    this.ids[this.length] = id;
    this.keys[this.length++] = rank;
  }

  /** Up to `budget` entries of the radix sort; returns the work done (at least 1). */
  radixStep(budget: number): number {
    const n = this.length;
    const starts = this.starts;
    const shift = this.shift;
    const keys = this.keys;
    const end = Math.min(n, this.at + budget);
    const done = Math.max(1, end - this.at);
    if (!this.scattering) {
      if (this.at === 0) starts.fill(0);
      for (let i = this.at; i < end; i++) starts[((keys[i]! >>> shift) & 0xff) + 1]!++;
      if (end === n) {
        for (let d = 0; d < 256; d++) starts[d + 1]! += starts[d]!;
        this.scattering = true;
        this.at = 0;
      } else this.at = end;
      return done;
    }
    const ids = this.ids;
    const toIds = this.toIds;
    const toKeys = this.toKeys;
    for (let i = this.at; i < end; i++) {
      const k = keys[i]!;
      const at = starts[(k >>> shift) & 0xff]!++;
      toIds[at] = ids[i]!;
      toKeys[at] = k;
    }
    this.at = end;
    if (end === n) {
      [this.ids, this.toIds] = [this.toIds, this.ids];
      [this.keys, this.toKeys] = [this.toKeys, this.keys];
      this.scattering = false;
      this.at = 0;
      this.shift += 8;
      if (this.shift === 32) {
        // The spare columns are not needed for relinking.
        this.toIds = this.toKeys = new Uint32Array(0);
        this.next(Phase.Relink);
      }
    }
    return done;
  }
}
