import { monotonicMs } from './monotonic-ms.js';

/** One LevelDB batch operation, keys and values as raw bytes. */
export type LevelOp = { type: 'put'; key: Buffer; value: Buffer } | { type: 'del'; key: Buffer };

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
    /** Its position in `batch.ops` (a later write of the same key may take it over). */
    readonly slot: number,
  ) {}
}

const noop = (): void => {};

/**
 * Writes applied with a single `db.batch()`. Every caller that wants to know
 * when it is applied shares one Promise, created only when first asked for.
 */
export class WriteBatch {
  readonly ops: LevelOp[] = [];
  readonly keys: string[] = [];
  readonly marks: PendingWrite[] = [];
  /** Queue bytes charged for the ops (see WriteQueue). */
  bytes = 0;
  /** Handed to LevelDB: its ops can no longer be replaced. */
  sent = false;
  /** monotonicMs() when its first op was accepted. */
  readonly openedAt = monotonicMs();
  private promise: Promise<true> | undefined;
  private resolve: ((v: true) => void) | undefined;
  private reject: ((e: unknown) => void) | undefined;
  private outcome: { error: unknown } | null | undefined;

  get size(): number {
    return this.ops.length;
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
