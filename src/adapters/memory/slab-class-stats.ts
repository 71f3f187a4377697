import type { SlabClassStats, StoreLayout } from '../../domain/ports/cache-store.js';
import type { SlabArena } from './slab-arena.js';

/**
 * Per size class counters of the memory tier, indexed by the arena's class
 * (the slot after the last class stands for the values with a Buffer of
 * their own), and the `stats slabs` layout built from them and the arena.
 */
export class ClassCounters {
  /** Bytes charged (key + value + entry overhead). */
  readonly bytes: Float64Array;
  readonly evicted: Float64Array;
  /** Expired items removed. */
  readonly reclaimed: Float64Array;

  constructor(private readonly arena: SlabArena) {
    const slots = arena.classCount + 1;
    this.bytes = new Float64Array(slots);
    this.evicted = new Float64Array(slots);
    this.reclaimed = new Float64Array(slots);
  }

  /** The slot of the values with a Buffer of their own. */
  get ownSlot(): number {
    return this.arena.classCount;
  }

  /**
   * The arena's size classes that hold pages, then (as the next class id)
   * the values that have a Buffer of their own, reported as one chunk per
   * page of their mean size. `total_malloced` counts pages and own buffers.
   */
  layout(ownBuffers: number, ownBytes: number): StoreLayout {
    const classes: SlabClassStats[] = [];
    const own = this.ownSlot;
    for (let cls = 0; cls < own; cls++) {
      const p = this.arena.classPages(cls);
      if (p.pages === 0) continue;
      const totalChunks = p.pages * p.perPage;
      classes.push({
        id: cls + 1,
        chunkSize: p.chunkSize,
        chunksPerPage: p.perPage,
        pages: p.pages,
        totalChunks,
        usedChunks: totalChunks - p.free - p.freeEnd,
        freeChunks: p.free,
        freeChunksEnd: p.freeEnd,
        ...this.counters(cls, totalChunks - p.free - p.freeEnd),
      });
    }
    if (ownBuffers > 0) {
      classes.push({
        id: own + 1,
        chunkSize: Math.ceil(ownBytes / ownBuffers),
        chunksPerPage: 1,
        pages: ownBuffers,
        totalChunks: ownBuffers,
        usedChunks: ownBuffers,
        freeChunks: 0,
        freeChunksEnd: 0,
        ...this.counters(own, ownBuffers),
      });
    }
    return { classes, mallocedBytes: this.arena.pageBytes + ownBytes };
  }

  private counters(slot: number, items: number): Pick<SlabClassStats, 'items' | 'requestedBytes' | 'evicted' | 'reclaimed'> {
    return { items, requestedBytes: this.bytes[slot]!, evicted: this.evicted[slot]!, reclaimed: this.reclaimed[slot]! };
  }
}
