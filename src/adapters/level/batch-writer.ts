import type { Logger } from '../../domain/ports/logger.js';
import type { LevelOp } from './write-batch.js';
import type { BatchWriter } from './write-queue.js';

/** The part of a `level` database the writer uses. */
export interface BatchableDb {
  batch(ops: LevelOp[], options: { sync: boolean }): Promise<void>;
}

/** How batches reach LevelDB, and how many took the slow road. */
export interface BatchPath {
  write: BatchWriter;
  /** True when the database's own `_batch` is used. */
  readonly fast: boolean;
  /** Batches written through the public `batch()` because `_batch` is missing. */
  readonly fallbacks: number;
}

/**
 * The database's own batch (`_batch`, abstract-level's method for
 * implementations) when it has one. The public `batch()` clones, validates
 * and re-encodes every operation on the main thread (about a quarter of the
 * CPU of a set with L2 on, docs/benchmarks.md) for features this store does
 * not use: hooks, sublevels, write events and encodings (keys and values are
 * already Buffers). A `level` release without `_batch` still works, but
 * slower: that is logged once and counted (`l2_batch_fallbacks`), so an
 * upgrade cannot lose the fast path silently.
 */
export function batchPath(db: BatchableDb, logger: Logger): BatchPath {
  const own = (db as unknown as { _batch?: BatchWriter })._batch;
  if (typeof own === 'function') {
    return { write: (ops, options) => own.call(db, ops, options), fast: true, fallbacks: 0 };
  }
  logger.warn({}, 'L2: this level release has no db._batch; writes go through db.batch() (slower: re-encodes every write)');
  const path = {
    fast: false,
    fallbacks: 0,
    write: (ops: LevelOp[], options: { sync: boolean }): Promise<void> => {
      path.fallbacks++;
      return db.batch(ops, options);
    },
  };
  return path;
}
