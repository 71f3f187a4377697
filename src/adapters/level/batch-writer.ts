import type { Logger } from '../../domain/ports/logger.js';
import type { LevelOp, OpSink, WriteBatch } from './write-batch.js';

/** Applies one batch. */
export type BatchWriter = (batch: WriteBatch, options: { sync: boolean }) => Promise<void>;

/** A LevelDB write batch being built (classic-level's ChainedBatch, implementation side). */
interface NativeBatch {
  _put(key: Buffer, value: Buffer): void;
  _del(key: Buffer): void;
  _write(options: { sync: boolean }): Promise<void>;
  /** Public: detaches the batch from the database (which tracks open batches as resources). */
  close(): Promise<void>;
}

/** The part of a `level` database the writer uses. */
export interface BatchableDb {
  batch(ops: LevelOp[], options: { sync: boolean }): Promise<void>;
}

/** How batches reach LevelDB, and how many took the slow road. */
export interface BatchPath {
  write: BatchWriter;
  /** True when the database's own native write batch is used. */
  readonly fast: boolean;
  /** Batches written through the public `batch()` because the native batch is missing. */
  readonly fallbacks: number;
}

const noop = (): void => {};

/**
 * The database's own write batch (`_chainedBatch()`, abstract-level's method
 * for implementations, and its `_put`/`_del`/`_write`) when it has one: one
 * native call per write, with the key and record as arguments. The
 * alternatives cost more on the event loop: `_batch(ops)` reads every
 * operation object back through N-API, seven property lookups each (each
 * internalising its name), ~1 µs per write against ~0.4 (ADR 0015); the
 * public `batch()` also clones, validates and re-encodes every operation
 * for features this store does not use (hooks, sublevels, write events,
 * encodings: keys and values are already Buffers). A `level` release
 * without the native batch still works, but slower: that is logged once and
 * counted (`l2_batch_fallbacks`), so an upgrade cannot lose the fast path silently.
 */
export function batchPath(db: BatchableDb, logger: Logger): BatchPath {
  const open = (db as unknown as { _chainedBatch?: () => NativeBatch })._chainedBatch;
  if (typeof open === 'function' && hasNativeMethods(open.call(db))) {
    return {
      write: (batch, options) => {
        const native = open.call(db);
        const sink: OpSink = { put: (key, value) => native._put(key, value), del: (key) => native._del(key) };
        batch.writeTo(sink);
        const written = native._write(options);
        // Closing only detaches it from the database's open resources; the write holds the native batch itself.
        const detach = (): void => void native.close().catch(noop);
        written.then(detach, detach);
        return written;
      },
      fast: true,
      fallbacks: 0,
    };
  }
  logger.warn({}, 'L2: this level release has no native write batch (db._chainedBatch); writes go through db.batch() (slower: re-encodes every write)');
  const path = {
    fast: false,
    fallbacks: 0,
    write: (batch: WriteBatch, options: { sync: boolean }): Promise<void> => {
      path.fallbacks++;
      return db.batch(batch.toOps(), options);
    },
  };
  return path;
}

/** True when `probe` has the implementation methods; closes it. */
function hasNativeMethods(probe: Partial<NativeBatch> | undefined): boolean {
  if (probe === undefined || probe === null) return false;
  const ok = typeof probe._put === 'function' && typeof probe._del === 'function' && typeof probe._write === 'function';
  if (typeof probe.close === 'function') void probe.close().catch(noop);
  return ok && typeof probe.close === 'function';
}
