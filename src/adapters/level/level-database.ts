import { constants as fsConstants } from 'node:fs';
import { access, mkdir } from 'node:fs/promises';
import type { Level } from 'level';
import type { Logger } from '../../domain/ports/logger.js';
import type { LevelStoreOptions } from './level-store-options.js';
import type { MetaRecord } from './record-codec.js';
import { META_KEY, decodeMeta } from './record-codec.js';

/** Opens (creating) the LevelDB database of the disk tier; errors name the directory and the cause on one line. */
export async function openDatabase(options: LevelStoreOptions): Promise<Level<Buffer, Buffer>> {
  const dir = options.dataDir;
  try {
    await mkdir(dir, { recursive: true });
    await access(dir, fsConstants.W_OK);
  } catch (err) {
    throw new Error(`L2 data_dir ${dir} is not writable: ${describeError(err)}`, { cause: err });
  }
  // Loaded here, not at module load: a server with `--l2 off` then never maps LevelDB's native binding (docs/memory.md).
  const { Level } = await import('level');
  const db = new Level<Buffer, Buffer>(dir, {
    keyEncoding: 'buffer',
    valueEncoding: 'buffer',
    compression: options.levelCompression,
    ...(options.blockCacheSize > 0 ? { cacheSize: options.blockCacheSize } : {}),
    ...(options.writeBufferSize > 0 ? { writeBufferSize: options.writeBufferSize } : {}),
  });
  try {
    await db.open();
  } catch (err) {
    throw new Error(`L2 data_dir ${dir} cannot be opened: ${describeError(err)}`, { cause: err });
  }
  return db;
}

/** What the open finds before reading any item. */
export type OpenState =
  /** Ceilings in the bookkeeping record: items can be indexed in the background. */
  | { kind: 'ceilings'; meta: MetaRecord }
  /** No item record at all. */
  | { kind: 'empty' }
  /** Items but no (or a version-1, or a corrupt) bookkeeping record: a full scan must come first. */
  | { kind: 'legacy' };

/** Reads the bookkeeping record and, without one, whether any item is stored. */
export async function openState(db: Level<Buffer, Buffer>, logger: Logger): Promise<OpenState> {
  const record = await db.get(META_KEY);
  if (record !== undefined) {
    try {
      const meta = decodeMeta(record);
      if (!meta.legacy) return { kind: 'ceilings', meta };
    } catch (err) {
      logger.warn({ reason: (err as Error).message }, 'L2 bookkeeping record unreadable: scanning before accepting writes');
    }
  }
  const first = await db.keys({ gt: META_KEY, limit: 1 }).all();
  return first.length === 0 ? { kind: 'empty' } : { kind: 'legacy' };
}

/** `CODE: message` of an error (or of its cause, which level wraps), on one line. */
function describeError(err: unknown): string {
  const e = err as { code?: unknown; message?: unknown; cause?: unknown };
  const inner = e.cause !== undefined && e.cause !== null ? (e.cause as typeof e) : e;
  const message = typeof inner.message === 'string' ? inner.message : String(err);
  // Node's fs errors already start with their code.
  const code = typeof inner.code === 'string' && !message.startsWith(inner.code) ? `${inner.code}: ` : '';
  return `${code}${message}`.replace(/\s*\n\s*/g, ' ');
}
