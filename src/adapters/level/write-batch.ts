import { diskKey } from './disk-key.js';
import { monotonicMs } from './monotonic-ms.js';
import { ChunkPool, RecordArena } from './record-arena.js';

/** One LevelDB batch operation, keys and values as raw bytes. */
export type LevelOp = { type: 'put'; key: Buffer; value: Buffer } | { type: 'del'; key: Buffer };

/** Where a batch's operations go, one call each, in order (a LevelDB write batch being built). */
export interface OpSink {
  put(key: Buffer, value: Buffer): void;
  del(key: Buffer): void;
}

/**
 * The latest not-yet-applied write of a key. `get` answers from it so a read
 * never sees an older value than a write that was already accepted.
 */
export class PendingWrite {
  constructor(
    /** The batch that carries it. */
    readonly batch: WriteBatch,
    /** Its position in the batch (a later write of the same key takes it over). */
    readonly slot: number,
  ) {}

  /** The encoded record being written, the reader's own; undefined for a delete. */
  get record(): Buffer | undefined {
    return this.batch.recordAt(this.slot);
  }
}

const noop = (): void => {};

/** `lengths` entry of a delete. */
const DELETE = -1;

/**
 * Writes applied with a single LevelDB batch. Each write is kept as its item
 * key and its record's place in the batch's RecordArena (no operation
 * object, no key or record Buffer): they live until the batch is applied,
 * and every object that survives a young-generation GC is copied by it. The
 * LevelDB keys and record views are made when the batch is handed over
 * (`writeTo`, where LevelDB copies them), and die young. Every caller that
 * wants to know when the batch is applied shares one Promise, created only
 * when first asked for.
 */
export class WriteBatch {
  /** Item keys, in write order. */
  readonly keys: string[] = [];
  /** Where each record is in the arena. */
  private readonly locs: number[] = [];
  /** Each record's length; DELETE for a delete. */
  private readonly lengths: number[] = [];
  private readonly arena: RecordArena;
  readonly marks: PendingWrite[] = [];
  /** LevelDB keys that are not `diskKey` of the item key, by slot (rare: see WriteQueue.enqueue). */
  private exactKeys: Map<number, Buffer> | undefined;
  /** The bookkeeping record the batch carries after its writes (the cas watermark), if any. */
  rider: LevelOp | undefined;
  /** Queue bytes charged for the writes (see WriteQueue). */
  bytes = 0;
  /** Handed to LevelDB: its writes can no longer be replaced. */
  sent = false;
  /** monotonicMs() when its first write was accepted. */
  readonly openedAt = monotonicMs();
  private promise: Promise<true> | undefined;
  private resolve: ((v: true) => void) | undefined;
  private reject: ((e: unknown) => void) | undefined;
  private outcome: { error: unknown } | null | undefined;

  constructor(pool: ChunkPool = new ChunkPool()) {
    this.arena = new RecordArena(pool);
  }

  /** Adds a put of `record` (the batch takes it over) or, when undefined, a delete; returns its slot. */
  add(key: string, record: Buffer | undefined): number {
    this.keys.push(key);
    this.locs.push(record === undefined ? 0 : this.arena.append(record));
    this.lengths.push(record === undefined ? DELETE : record.length);
    return this.keys.length - 1;
  }

  /** Makes slot `slot` (same key) write `record` instead: the older write never reaches the disk. */
  replace(slot: number, record: Buffer | undefined): void {
    this.locs[slot] = record === undefined ? 0 : this.arena.append(record);
    this.lengths[slot] = record === undefined ? DELETE : record.length;
  }

  /** Bytes of the record in slot `slot` (0 for a delete). */
  recordLength(slot: number): number {
    return Math.max(0, this.lengths[slot]!);
  }

  /**
   * The record in slot `slot`, for a reader to keep (undefined for a delete):
   * a copy when it shares a chunk that a later batch reuses.
   */
  recordAt(slot: number): Buffer | undefined {
    const length = this.lengths[slot]!;
    if (length === DELETE) return undefined;
    return this.arena.read(this.locs[slot]!, length);
  }

  /** Gives the arena's chunks back for reuse: only once the batch is applied, when no reader can reach its records. */
  release(): void {
    this.arena.release();
  }

  /** Writes carried (the rider not counted). */
  get size(): number {
    return this.keys.length;
  }

  /** Slot `slot` writes under LevelDB key `keyBytes` (undefined: `diskKey` of its item key). */
  setDiskKey(slot: number, keyBytes: Buffer | undefined): void {
    if (keyBytes !== undefined) (this.exactKeys ??= new Map()).set(slot, keyBytes);
    else this.exactKeys?.delete(slot);
  }

  /** Hands every operation to `sink`, in order, the rider last. */
  writeTo(sink: OpSink): void {
    const { keys, locs, lengths, arena, exactKeys } = this;
    for (let i = 0; i < keys.length; i++) {
      const length = lengths[i]!;
      const key = exactKeys?.get(i) ?? diskKey(keys[i]!);
      if (length === DELETE) sink.del(key);
      else sink.put(key, arena.view(locs[i]!, length));
    }
    const rider = this.rider;
    if (rider !== undefined) {
      if (rider.type === 'put') sink.put(rider.key, rider.value);
      else sink.del(rider.key);
    }
  }

  /** The operations as `level`'s `batch()` takes them, values copied (they outlive the arena). */
  toOps(): LevelOp[] {
    const ops: LevelOp[] = [];
    this.writeTo({ put: (key, value) => ops.push({ type: 'put', key, value: Buffer.from(value) }), del: (key) => ops.push({ type: 'del', key }) });
    return ops;
  }

  /** Resolves with `true` once the batch is applied; rejects when it failed. */
  done(): Promise<true> {
    if (this.promise === undefined) {
      if (this.outcome === null) {
        this.promise = Promise.resolve(true);
      } else if (this.outcome !== undefined) {
        this.promise = Promise.reject(this.outcome.error);
      } else {
        this.promise = new Promise<true>((res, rej) => {
          this.resolve = res;
          this.reject = rej;
        });
      }
      // Fire-and-forget writers must not turn a disk error into an
      // unhandled rejection; the store logs the error itself.
      this.promise.catch(noop);
    }
    return this.promise;
  }

  settle(error?: unknown): void {
    if (this.outcome !== undefined) return;
    this.outcome = error === undefined ? null : { error };
    if (error === undefined) this.resolve?.(true);
    else this.reject?.(error);
  }
}
