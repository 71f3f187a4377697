import type { CacheItem } from '../../domain/item.js';
import { makeItem } from '../../domain/item.js';
import type { Compressor } from '../../domain/ports/compressor.js';

/**
 * On-disk layout of one L2 record (all integers little endian), version 1:
 *
 * | offset | size | field                                                  |
 * | -----: | ---: | ------------------------------------------------------ |
 * |      0 |    1 | format version (1)                                     |
 * |      1 |    1 | compressor id (0 = raw)                                |
 * |      2 |    4 | client flags, u32                                      |
 * |      6 |    8 | exptime, float64 epoch ms (0 = never)                  |
 * |     14 |    8 | cas, u64 (kept below 2^53)                             |
 * |     22 |    8 | write sequence, u64 (orders eviction across restarts)  |
 * |     30 |    4 | original value length, u32                             |
 * |     34 |    n | value, raw or compressed                               |
 *
 * See docs/adr/0004-l2-record-format.md.
 */
export const RECORD_VERSION = 1;
export const HEADER_SIZE = 34;

const OFF_COMPRESSOR = 1;
const OFF_FLAGS = 2;
const OFF_EXPTIME = 6;
const OFF_CAS = 14;
const OFF_SEQ = 22;
const OFF_LENGTH = 30;

const TWO_32 = 0x1_0000_0000;
/** High word limit that keeps a u64 inside Number.MAX_SAFE_INTEGER. */
const MAX_SAFE_HIGH = 0x1f_ffff;

/** The fixed-size part of a record. */
export interface RecordHeader {
  compressorId: number;
  flags: number;
  exptime: number;
  cas: number;
  seq: number;
  originalLength: number;
}

/** Raised for a record that cannot be decoded; the store treats it as a miss. */
export class CorruptRecordError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CorruptRecordError';
  }
}

/** Builds a record around an already (maybe) compressed payload. */
export function encodeRecord(item: CacheItem, compressorId: number, payload: Buffer, seq: number): Buffer {
  const rec = Buffer.allocUnsafe(HEADER_SIZE + payload.length);
  rec[0] = RECORD_VERSION;
  rec[OFF_COMPRESSOR] = compressorId;
  rec.writeUInt32LE(item.flags >>> 0, OFF_FLAGS);
  rec.writeDoubleLE(item.exptime, OFF_EXPTIME);
  writeU64(rec, OFF_CAS, item.cas);
  writeU64(rec, OFF_SEQ, seq);
  rec.writeUInt32LE(item.value.length, OFF_LENGTH);
  payload.copy(rec, HEADER_SIZE);
  return rec;
}

/** A copy of `record` with a new exptime and write sequence; the payload is not re-encoded. */
export function withExptime(record: Buffer, exptime: number, seq: number): Buffer {
  const copy = Buffer.allocUnsafe(record.length);
  record.copy(copy);
  copy.writeDoubleLE(exptime, OFF_EXPTIME);
  writeU64(copy, OFF_SEQ, seq);
  return copy;
}

/** Reads and validates the header; throws CorruptRecordError when it cannot be trusted. */
export function decodeHeader(record: Buffer): RecordHeader {
  if (record.length < HEADER_SIZE) throw new CorruptRecordError(`record too short (${record.length} bytes)`);
  if (record[0] !== RECORD_VERSION) throw new CorruptRecordError(`unknown record version ${record[0]}`);
  const exptime = record.readDoubleLE(OFF_EXPTIME);
  if (!Number.isFinite(exptime) || exptime < 0) throw new CorruptRecordError(`bad exptime ${exptime}`);
  const header: RecordHeader = {
    compressorId: record[OFF_COMPRESSOR]!,
    flags: record.readUInt32LE(OFF_FLAGS),
    exptime,
    cas: readU64(record, OFF_CAS),
    seq: readU64(record, OFF_SEQ),
    originalLength: record.readUInt32LE(OFF_LENGTH),
  };
  if (header.compressorId === 0 && record.length - HEADER_SIZE !== header.originalLength) {
    throw new CorruptRecordError(`raw record length ${record.length - HEADER_SIZE} != original length ${header.originalLength}`);
  }
  return header;
}

/**
 * Decodes a whole record into an item. `compressor` must be the one whose id
 * the record names (raw records need none). The value of a raw record is a
 * view into `record`, which the caller hands over.
 */
export function decodeRecord(key: string, record: Buffer, compressor: Compressor): CacheItem {
  const h = decodeHeader(record);
  const payload = record.subarray(HEADER_SIZE);
  let value: Buffer;
  if (h.compressorId === 0) {
    value = payload;
  } else if (h.compressorId === compressor.id) {
    try {
      value = compressor.decompress(payload, h.originalLength);
    } catch (err) {
      throw new CorruptRecordError(`${compressor.name} decompress failed: ${(err as Error).message}`);
    }
    if (value.length !== h.originalLength) {
      throw new CorruptRecordError(`decompressed ${value.length} bytes, expected ${h.originalLength}`);
    }
  } else {
    throw new CorruptRecordError(`record needs compressor id ${h.compressorId}, have ${compressor.id}`);
  }
  return makeItem(key, value, h.flags, h.exptime, h.cas);
}

function writeU64(buf: Buffer, off: number, v: number): void {
  const lo = v % TWO_32;
  buf.writeUInt32LE(lo, off);
  buf.writeUInt32LE((v - lo) / TWO_32, off + 4);
}

function readU64(buf: Buffer, off: number): number {
  const hi = buf.readUInt32LE(off + 4);
  if (hi > MAX_SAFE_HIGH) throw new CorruptRecordError(`u64 at ${off} exceeds 2^53`);
  return hi * TWO_32 + buf.readUInt32LE(off);
}

/**
 * Key of the one bookkeeping record. Item keys that could collide with it are
 * escaped (disk-key.ts), so the empty key never holds an item (and sorts first).
 */
export const META_KEY: Buffer = Buffer.alloc(0);
const META_SIZE_V1 = 9;
const META_SIZE = 17;

/** What the bookkeeping record says: ceilings of the counters stored in records. */
export interface MetaRecord {
  /** No record on disk has a cas above this. */
  casCeiling: number;
  /** No record on disk has a write sequence above this. */
  seqCeiling: number;
  /**
   * Version 1 (before the ceilings): `casCeiling` only covers records that
   * left the disk, so it bounds nothing without a scan; `seqCeiling` is 0.
   */
  legacy: boolean;
}

/**
 * The bookkeeping record, version 2: format version (1 byte), the cas
 * ceiling and the write-sequence ceiling, u64 each (see counter-ceiling.ts).
 */
export function encodeMeta(casCeiling: number, seqCeiling: number): Buffer {
  const buf = Buffer.allocUnsafe(META_SIZE);
  buf[0] = 2;
  writeU64(buf, 1, casCeiling);
  writeU64(buf, 9, seqCeiling);
  return buf;
}

/** Decodes a bookkeeping record (version 1 or 2); throws CorruptRecordError when it cannot be trusted. */
export function decodeMeta(record: Buffer): MetaRecord {
  if (record.length === META_SIZE_V1 && record[0] === 1) return { casCeiling: readU64(record, 1), seqCeiling: 0, legacy: true };
  if (record.length !== META_SIZE || record[0] !== 2) throw new CorruptRecordError('bad bookkeeping record');
  return { casCeiling: readU64(record, 1), seqCeiling: readU64(record, 9), legacy: false };
}
