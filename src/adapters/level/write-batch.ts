import { diskKey } from './disk-key.js';
import { monotonicMs } from './monotonic-ms.js';

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
    /** The encoded record being written (decoded only if read); undefined for a delete. */
    readonly record: Buffer | undefined,
    /** The batch that carries it. */
    readonly batch: WriteBatch,
    /** Its position in the batch (a later write of the same key may take it over). */
    readonly slot: number,
  ) {}
}

const noop = (): void => {};

/**
 * Writes applied with a single LevelDB batch. Each write is kept as its item
 * key and record (no operation object, no key Buffer): they live until the
 * batch is applied, and every object that survives a young-generation GC is
 * copied by it. The LevelDB keys are made when the batch is handed over
 * (`writeTo`), and die young. Every caller that wants to know when the batch
 * is applied shares one Promise, created only when first asked for.
 */
export class WriteBatch {
  /** Item keys, in write order. */
  readonly keys: string[] = [];
  /** The record to put for each key; undefined = delete. */
  readonly records: Array<Buffer | undefined> = [];
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
    const { keys, records, exactKeys } = this;
    for (let i = 0; i < keys.length; i++) {
      const record = records[i];
      const key = exactKeys?.get(i) ?? diskKey(keys[i]!);
      if (record === undefined) sink.del(key);
      else sink.put(key, record);
    }
    const rider = this.rider;
    if (rider !== undefined) {
      if (rider.type === 'put') sink.put(rider.key, rider.value);
      else sink.del(rider.key);
    }
  }

  /** The operations as `level`'s `batch()` takes them. */
  toOps(): LevelOp[] {
    const ops: LevelOp[] = [];
    this.writeTo({ put: (key, value) => ops.push({ type: 'put', key, value }), del: (key) => ops.push({ type: 'del', key }) });
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
