import type { CacheItem } from '../../domain/item.js';
import { makeItem } from '../../domain/item.js';
import type { Compressor } from '../../domain/ports/compressor.js';

/**
 * A fixed-size record layout from its fields in order (name, bytes): each
 * field's offset, and `size`, where the fixed part ends. One list says both
 * the order and the sizes, so no offset is written out by hand.
 */
function layout<const F extends readonly (readonly [string, number])[]>(fields: F): Record<F[number][0] | 'size', number> {
  const at: Record<string, number> = {};
  let size = 0;
  for (const [name, bytes] of fields) {
    at[name] = size;
    size += bytes;
  }
  return { ...at, size } as Record<F[number][0] | 'size', number>;
}

/**
 * On-disk layout of one L2 record (integers little endian), version 1: this
 * header, then the value, raw or compressed. See docs/adr/0004-l2-record-format.md.
 */
const HEADER = layout([
  ['version', 1], // format version (RECORD_VERSION)
  ['compressor', 1], // compressor id (0 = raw)
  ['flags', 4], // client flags, u32
  ['exptime', 8], // float64 epoch ms (0 = never)
  ['cas', 8], // u64 (kept below 2^53)
  ['seq', 8], // write sequence, u64 (orders eviction across restarts)
  ['length', 4], // original value length, u32
]);
export const RECORD_VERSION = 1;
/** 34 bytes. */
export const HEADER_SIZE = HEADER.size;

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
  rec[HEADER.version] = RECORD_VERSION;
  rec[HEADER.compressor] = compressorId;
  rec.writeUInt32LE(item.flags >>> 0, HEADER.flags);
  rec.writeDoubleLE(item.exptime, HEADER.exptime);
  writeU64(rec, HEADER.cas, item.cas);
  writeU64(rec, HEADER.seq, seq);
  rec.writeUInt32LE(item.value.length, HEADER.length);
  payload.copy(rec, HEADER_SIZE);
  return rec;
}

/** A copy of `record` with a new exptime and write sequence; the payload is not re-encoded. */
export function withExptime(record: Buffer, exptime: number, seq: number): Buffer {
  const copy = Buffer.allocUnsafe(record.length);
  record.copy(copy);
  copy.writeDoubleLE(exptime, HEADER.exptime);
  writeU64(copy, HEADER.seq, seq);
  return copy;
}

/** Reads and validates the header; throws CorruptRecordError when it cannot be trusted. */
export function decodeHeader(record: Buffer): RecordHeader {
  if (record.length < HEADER_SIZE) throw new CorruptRecordError(`record too short (${record.length} bytes)`);
  if (record[HEADER.version] !== RECORD_VERSION) throw new CorruptRecordError(`unknown record version ${record[HEADER.version]}`);
  const exptime = record.readDoubleLE(HEADER.exptime);
  if (!Number.isFinite(exptime) || exptime < 0) throw new CorruptRecordError(`bad exptime ${exptime}`);
  const header: RecordHeader = {
    compressorId: record[HEADER.compressor]!,
    flags: record.readUInt32LE(HEADER.flags),
    exptime,
    cas: readU64(record, HEADER.cas),
    seq: readU64(record, HEADER.seq),
    originalLength: record.readUInt32LE(HEADER.length),
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
/** The bookkeeping record, version 2: the ceilings of the counters stored in records (see counter-ceiling.ts). */
const META = layout([
  ['version', 1], // 2
  ['casCeiling', 8], // u64
  ['seqCeiling', 8], // u64
]);
/** Version 1 ended where version 2's write-sequence ceiling begins. */
const META_V1_SIZE = META.seqCeiling;

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

/** Encodes a bookkeeping record, version 2. */
export function encodeMeta(casCeiling: number, seqCeiling: number): Buffer {
  const buf = Buffer.allocUnsafe(META.size);
  buf[META.version] = 2;
  writeU64(buf, META.casCeiling, casCeiling);
  writeU64(buf, META.seqCeiling, seqCeiling);
  return buf;
}

/** Decodes a bookkeeping record (version 1 or 2); throws CorruptRecordError when it cannot be trusted. */
export function decodeMeta(record: Buffer): MetaRecord {
  const legacy = record.length === META_V1_SIZE && record[META.version] === 1;
  if (!legacy && (record.length !== META.size || record[META.version] !== 2)) throw new CorruptRecordError('bad bookkeeping record');
  return { casCeiling: readU64(record, META.casCeiling), seqCeiling: legacy ? 0 : readU64(record, META.seqCeiling), legacy };
}
