import type { Level } from 'level';
import { isExpired } from '../../domain/item.js';
import type { Logger } from '../../domain/ports/logger.js';
import type { CasWatermark } from './cas-watermark.js';
import type { RecordHeader } from './record-codec.js';
import { decodeHeader, decodeMeta } from './record-codec.js';
import type { LevelOp } from './write-batch.js';
import { itemKey } from './disk-key.js';

/** A live record found by the scan. */
export interface ScannedRecord {
  key: string;
  /** Record length in bytes. */
  recordLength: number;
  header: RecordHeader;
}

/** Totals of one scan. */
export interface ScanSummary {
  /** Highest write sequence seen (live or not). */
  seq: number;
  expired: number;
  corrupt: number;
}

const SCAN_CHUNK = 1000;

/**
 * One pass over the database at open: headers are checked, expired and
 * corrupt records deleted (with the cas watermark when a dropped record held
 * the highest cas), and each live record handed to `onRecord` in key order.
 * The watermark ends up covering every cas found.
 */
export async function scanDatabase(
  db: Level<Buffer, Buffer>,
  now: number,
  watermark: CasWatermark,
  sync: boolean,
  logger: Logger,
  onRecord: (r: ScannedRecord) => void,
): Promise<ScanSummary> {
  let doomed: Buffer[] = [];
  let corrupt = 0;
  let expired = 0;
  let seq = 0;
  let seen = 0;
  let metaCas = 0;
  let liveCas = 0;
  let holder: string | undefined;
  const deletes = (): LevelOp[] => {
    const ops: LevelOp[] = doomed.map((key) => ({ type: 'del' as const, key }));
    watermark.restore(seen, metaCas, liveCas, holder);
    if (watermark.needsMeta(liveCas)) ops.push(watermark.take());
    return ops;
  };
  const it = db.iterator();
  try {
    for (;;) {
      const chunk = await it.nextv(SCAN_CHUNK);
      if (chunk.length === 0) break;
      for (const [keyBytes, record] of chunk) {
        if (keyBytes.length === 0) {
          try {
            metaCas = decodeMeta(record);
          } catch (err) {
            corrupt++;
            logger.warn({ reason: (err as Error).message }, 'L2 bookkeeping record skipped');
          }
          continue;
        }
        let h: RecordHeader;
        try {
          h = decodeHeader(record);
        } catch (err) {
          corrupt++;
          if (corrupt <= 10) {
            logger.warn({ key: JSON.stringify(keyBytes.toString('latin1')), reason: (err as Error).message }, 'L2 corrupt record skipped');
          }
          doomed.push(keyBytes);
          continue;
        }
        // Expired records are dropped, but their cas was issued: it still counts.
        if (h.cas > seen) seen = h.cas;
        if (h.seq > seq) seq = h.seq;
        if (isExpired(h.exptime, now)) {
          expired++;
          doomed.push(keyBytes);
          continue;
        }
        const key = itemKey(keyBytes);
        if (h.cas > liveCas) {
          liveCas = h.cas;
          holder = key;
        }
        onRecord({ key, recordLength: record.length, header: h });
      }
      if (doomed.length >= SCAN_CHUNK) {
        await db.batch(deletes());
        doomed = [];
      }
    }
  } finally {
    await it.close();
  }
  watermark.restore(seen, metaCas, liveCas, holder);
  if (doomed.length > 0 || watermark.needsMeta(liveCas)) await db.batch(deletes(), { sync });
  if (corrupt > 0) logger.warn({ corrupt }, 'L2 corrupt records removed at open');
  return { seq, expired, corrupt };
}
