import type { TcpClient } from './tcp-client.js';

/**
 * memcached's binary protocol on the wire, for tests (see
 * shared/specs/memcached-protocol-binary.txt): the one request encoder and
 * response parser every suite uses.
 */

export const REQUEST_MAGIC = 0x80;
export const RESPONSE_MAGIC = 0x81;
export const HEADER_LENGTH = 24;

/** Opcodes, named as in the spec. */
export const Op = {
  Get: 0x00,
  Set: 0x01,
  Add: 0x02,
  Replace: 0x03,
  Delete: 0x04,
  Increment: 0x05,
  Decrement: 0x06,
  Quit: 0x07,
  Flush: 0x08,
  GetQ: 0x09,
  Noop: 0x0a,
  Version: 0x0b,
  GetK: 0x0c,
  GetKQ: 0x0d,
  Append: 0x0e,
  Prepend: 0x0f,
  Stat: 0x10,
  SetQ: 0x11,
  AddQ: 0x12,
  ReplaceQ: 0x13,
  DeleteQ: 0x14,
  IncrementQ: 0x15,
  DecrementQ: 0x16,
  QuitQ: 0x17,
  FlushQ: 0x18,
  AppendQ: 0x19,
  PrependQ: 0x1a,
  Verbosity: 0x1b,
  Touch: 0x1c,
  GAT: 0x1d,
  GATQ: 0x1e,
  SaslListMechs: 0x20,
  SaslAuth: 0x21,
  SaslStep: 0x22,
  GATK: 0x23,
  GATKQ: 0x24,
} as const;

/** Fields of a request frame. Length fields are derived unless overridden (for malformed frames). */
export interface FrameFields {
  /** latin1: one char per byte. */
  readonly key?: string;
  readonly extras?: Buffer;
  /** A string is taken as latin1. */
  readonly value?: Buffer | string;
  readonly cas?: bigint;
  readonly opaque?: number;
  readonly magic?: number;
  readonly datatype?: number;
  readonly vbucket?: number;
  readonly keyLength?: number;
  readonly extrasLength?: number;
  readonly bodyLength?: number;
}

/** Encodes one request frame. */
export function frame(opcode: number, f: FrameFields = {}): Buffer {
  const key = Buffer.from(f.key ?? '', 'latin1');
  const extras = f.extras ?? Buffer.alloc(0);
  const value = typeof f.value === 'string' ? Buffer.from(f.value, 'latin1') : (f.value ?? Buffer.alloc(0));
  const header = Buffer.alloc(HEADER_LENGTH);
  header[0] = f.magic ?? REQUEST_MAGIC;
  header[1] = opcode;
  header.writeUInt16BE(f.keyLength ?? key.length, 2);
  header[4] = f.extrasLength ?? extras.length;
  header[5] = f.datatype ?? 0;
  header.writeUInt16BE(f.vbucket ?? 0, 6);
  header.writeUInt32BE(f.bodyLength ?? extras.length + key.length + value.length, 8);
  header.writeUInt32BE((f.opaque ?? 0) >>> 0, 12);
  header.writeBigUInt64BE(f.cas ?? 0n, 16);
  return Buffer.concat([header, extras, key, value]);
}

/** Big-endian 32-bit words, one after the other. */
export function u32(...values: number[]): Buffer {
  const b = Buffer.alloc(4 * values.length);
  values.forEach((v, i) => b.writeUInt32BE(v >>> 0, 4 * i));
  return b;
}

/** Set/add/replace extras: flags, expiration. */
export function storeExtras(flags: number, expiration: number): Buffer {
  return u32(flags, expiration);
}

/** Incr/decr extras: delta (u64), initial (u64), expiration (u32; 0xffffffff = do not create). */
export function counterExtras(delta: bigint, initial: bigint, expiration: number): Buffer {
  const b = Buffer.alloc(20);
  b.writeBigUInt64BE(delta, 0);
  b.writeBigUInt64BE(initial, 8);
  b.writeUInt32BE(expiration >>> 0, 16);
  return b;
}

/** One decoded response. */
export interface Response {
  magic: number;
  opcode: number;
  status: number;
  opaque: number;
  cas: bigint;
  extras: Buffer;
  key: string;
  value: Buffer;
  /** The whole frame, for byte comparisons. */
  raw: Buffer;
}

/** Splits a byte stream into responses; `rest` is an incomplete tail. */
export function parseResponses(buf: Buffer): { responses: Response[]; rest: Buffer } {
  const responses: Response[] = [];
  let i = 0;
  while (i + HEADER_LENGTH <= buf.length) {
    const bodylen = buf.readUInt32BE(i + 8);
    if (i + HEADER_LENGTH + bodylen > buf.length) break;
    const keylen = buf.readUInt16BE(i + 2);
    const extlen = buf[i + 4]!;
    const body = buf.subarray(i + HEADER_LENGTH, i + HEADER_LENGTH + bodylen);
    responses.push({
      magic: buf[i]!,
      opcode: buf[i + 1]!,
      status: buf.readUInt16BE(i + 6),
      opaque: buf.readUInt32BE(i + 12),
      cas: buf.readBigUInt64BE(i + 16),
      extras: body.subarray(0, extlen),
      key: body.subarray(extlen, extlen + keylen).toString('latin1'),
      value: body.subarray(extlen + keylen),
      raw: buf.subarray(i, i + HEADER_LENGTH + bodylen),
    });
    i += HEADER_LENGTH + bodylen;
  }
  return { responses, rest: buf.subarray(i) };
}

/** Waits for `n` complete responses on `client` (or its close, or `ms`) and takes them (fewer if it ended first). */
export async function readResponses(client: TcpClient, n: number, ms = 3000): Promise<Response[]> {
  await client.waitFor(() => parseResponses(client.buffered).responses.length >= n, ms);
  const taken = parseResponses(client.buffered).responses.slice(0, n);
  const used = taken.reduce((sum, r) => sum + r.raw.length, 0);
  client.buffered = client.buffered.subarray(used);
  return taken.map((r) => ({ ...r, raw: Buffer.from(r.raw), value: Buffer.from(r.value), extras: Buffer.from(r.extras) }));
}
