import { counterExtras, frame as encode, Op, u32, type FrameFields } from '../../support/binary-frames.js';
import { abbreviate, type CasRef } from './script.js';

/**
 * Scripts of memcached's binary protocol as data (the wire encoding is
 * test/support/binary-frames.ts): a step is a list of frames
 * (and, for deliberately broken input, raw bytes) sent as one write. Cas
 * values are placeholders resolved per side, like the ASCII scripts'.
 */

const OP_NAMES = new Map<number, string>(Object.entries(Op).map(([name, code]) => [code, name]));

/** "GetKQ" for 0x0d, "op 0x42" for an opcode the spec does not name. */
export function opName(opcode: number): string {
  return OP_NAMES.get(opcode) ?? `op 0x${hex2(opcode)}`;
}

/** One request frame of a script; its cas may be a placeholder resolved per side. */
export interface BinaryFrame extends Omit<FrameFields, 'cas' | 'value'> {
  readonly opcode: number;
  readonly value?: Buffer;
  /** 0 (none), a literal 64-bit value, or a placeholder for a cas this side returned. */
  readonly cas?: bigint | CasRef;
}

/** A piece of a binary request: a frame, or raw bytes sent verbatim. */
export type BinaryChunk = BinaryFrame | Buffer;

export interface BinaryStep {
  readonly kind: 'send';
  readonly parts: readonly BinaryChunk[];
}

export interface BinaryScript {
  readonly name: string;
  readonly steps: readonly BinaryStep[];
}

/** One write made of frames (pipelined when more than one). */
export function frames(...parts: BinaryChunk[]): BinaryStep {
  return { kind: 'send', parts };
}

/** How many request frames a step holds (raw byte chunks count as none). */
export function frameCount(step: BinaryStep): number {
  return step.parts.filter((part) => !Buffer.isBuffer(part)).length;
}

/** A cas no server hands out during a test run (the same literal as the ASCII scripts'). */
export const UNISSUED_CAS = 999_999_999_999n;

/**
 * Opaques the corpus does not spell out are numbered in the order frames are
 * built, which is fixed by module load order, so every run sends the same
 * bytes. They stay below 2^31; the end-of-reply sentinel uses 0xfffffffe.
 */
let nextOpaque = 0x100;

/** Options every builder takes. */
export interface FrameOptions {
  readonly cas?: bigint | CasRef;
  readonly opaque?: number;
}

export interface StoreFrameOptions extends FrameOptions {
  readonly flags?: number;
  readonly exptime?: number;
}

function frame(opcode: number, fields: Omit<BinaryFrame, 'opcode'>): BinaryFrame {
  return { opcode, ...fields, opaque: fields.opaque ?? nextOpaque++ };
}

function bytes(value: string | Buffer): Buffer {
  return typeof value === 'string' ? Buffer.from(value, 'latin1') : value;
}

/** Expiration that tells incr/decr not to create a missing counter. */
export const NO_CREATE = 0xffff_ffff;

const getLike =
  (opcode: number) =>
  (key: string, o: FrameOptions = {}) =>
    frame(opcode, { key, ...o });
const storeLike =
  (opcode: number) =>
  (key: string, value: string | Buffer, o: StoreFrameOptions = {}) =>
    frame(opcode, { key, extras: u32(o.flags ?? 0, o.exptime ?? 0), value: bytes(value), cas: o.cas, opaque: o.opaque });
const concatLike =
  (opcode: number) =>
  (key: string, value: string | Buffer, o: FrameOptions = {}) =>
    frame(opcode, { key, value: bytes(value), ...o });
const counterLike =
  (opcode: number) =>
  (key: string, delta: bigint | number, initial: bigint | number = 0n, expiration = 0, o: FrameOptions = {}) =>
    frame(opcode, { key, extras: counterExtras(BigInt(delta), BigInt(initial), expiration), ...o });
const touchLike =
  (opcode: number) =>
  (key: string, exptime: number, o: FrameOptions = {}) =>
    frame(opcode, { key, extras: u32(exptime), ...o });
const flushLike =
  (opcode: number) =>
  (delay?: number, o: FrameOptions = {}) =>
    frame(opcode, { ...(delay === undefined ? {} : { extras: u32(delay) }), ...o });
const bare =
  (opcode: number) =>
  (o: FrameOptions = {}) =>
    frame(opcode, o);

/** Request builders, one per opcode. */
export const bin = {
  get: getLike(Op.Get),
  getQ: getLike(Op.GetQ),
  getK: getLike(Op.GetK),
  getKQ: getLike(Op.GetKQ),
  set: storeLike(Op.Set),
  setQ: storeLike(Op.SetQ),
  add: storeLike(Op.Add),
  addQ: storeLike(Op.AddQ),
  replace: storeLike(Op.Replace),
  replaceQ: storeLike(Op.ReplaceQ),
  append: concatLike(Op.Append),
  appendQ: concatLike(Op.AppendQ),
  prepend: concatLike(Op.Prepend),
  prependQ: concatLike(Op.PrependQ),
  delete: getLike(Op.Delete),
  deleteQ: getLike(Op.DeleteQ),
  increment: counterLike(Op.Increment),
  incrementQ: counterLike(Op.IncrementQ),
  decrement: counterLike(Op.Decrement),
  decrementQ: counterLike(Op.DecrementQ),
  touch: touchLike(Op.Touch),
  gat: touchLike(Op.GAT),
  gatQ: touchLike(Op.GATQ),
  gatK: touchLike(Op.GATK),
  gatKQ: touchLike(Op.GATKQ),
  noop: bare(Op.Noop),
  version: bare(Op.Version),
  quit: bare(Op.Quit),
  quitQ: bare(Op.QuitQ),
  flush: flushLike(Op.Flush),
  flushQ: flushLike(Op.FlushQ),
  /** Stat group: none for the general stats, or e.g. "reset", "detail on". */
  stat: (group = '', o: FrameOptions = {}) => frame(Op.Stat, { key: group, ...o }),
  /** Any frame, lengths and magic overridable: for malformed input and unknown opcodes. */
  raw: (opcode: number, fields: Omit<BinaryFrame, 'opcode'> = {}) => frame(opcode, fields),
};

/** Encodes a frame; `resolveCas` supplies this side's value for a placeholder. */
export function encodeFrame(f: BinaryFrame, resolveCas: (ref: CasRef) => bigint): Buffer {
  const cas = f.cas === undefined ? 0n : typeof f.cas === 'bigint' ? f.cas : resolveCas(f.cas);
  return encode(f.opcode, { ...f, cas });
}

/** A step's request bytes. */
export function renderBinaryStep(step: BinaryStep, resolveCas: (ref: CasRef) => bigint): Buffer {
  return Buffer.concat(step.parts.map((part) => (Buffer.isBuffer(part) ? part : encodeFrame(part, resolveCas))));
}

/** Human-readable form of a request frame for failure reports. */
export function describeFrame(f: BinaryFrame): string {
  const fields: string[] = [opName(f.opcode)];
  if (f.key !== undefined && f.key.length > 0) fields.push(`key=${abbreviate(f.key)}`);
  if (f.extras !== undefined && f.extras.length > 0) fields.push(`extras=${f.extras.toString('hex')}`);
  if (f.value !== undefined) fields.push(`value=${abbreviate(f.value.toString('latin1'))}`);
  if (f.cas !== undefined && f.cas !== 0n) fields.push(typeof f.cas === 'bigint' ? `cas=${f.cas}` : `cas=<cas ${f.cas.cas}>`);
  fields.push(`opaque=0x${(f.opaque ?? 0).toString(16)}`);
  for (const name of ['magic', 'datatype', 'vbucket', 'keyLength', 'extrasLength', 'bodyLength'] as const) {
    if (f[name] !== undefined) fields.push(`${name}=${f[name]}`);
  }
  return `[${fields.join(' ')}]`;
}

export function describeBinaryStep(step: BinaryStep): string {
  return step.parts.map((part) => (Buffer.isBuffer(part) ? `raw ${abbreviate(part.toString('latin1'))}` : describeFrame(part))).join(' ');
}

export function hex2(n: number): string {
  return n.toString(16).padStart(2, '0');
}
