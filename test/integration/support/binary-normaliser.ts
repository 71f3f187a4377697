import { HEADER_LENGTH, Op, RESPONSE_MAGIC } from '../../support/binary-frames.js';
import { UNISSUED_CAS, hex2, opName } from './binary-script.js';
import type { CasRef } from './script.js';

/** Incr/decr answer an 8-byte big-endian number; shown as one, for readable reports. */
const COUNTER_OPS: ReadonlySet<number> = new Set([Op.Increment, Op.Decrement, Op.IncrementQ, Op.DecrementQ]);

/**
 * Renders one side's binary response frames as text that two correct servers
 * produce identically. Every header field and every body byte is kept, except:
 *
 * - the 8-byte cas: 0 stays `cas=0`, anything else becomes `cas#N`, N counting
 *   distinct values in the order this side first returned them;
 * - a successful Version response's body (and so its body length);
 * - a successful Stat response's value (the key, the stat's name, is kept), so
 *   stats compare by names, order and count.
 *
 * The opaque is kept as sent: a server must echo it.
 */
export class BinaryReplyNormaliser {
  /**
   * @param foldDecrPadding rewrite a get-family value that is digits followed
   *   by spaces to the bare digits (see "decr padding" in
   *   docs/compatibility.md); only the random streams use it.
   */
  constructor(private readonly foldDecrPadding = false) {}

  private readonly indexByCas = new Map<bigint, number>();
  private readonly casByIndex: bigint[] = [];
  private lastCas: bigint | undefined;

  /** The literal cas this side should receive for a placeholder. */
  resolveCas(ref: CasRef): bigint {
    const value = ref.cas === 'last' ? this.lastCas : this.casByIndex[ref.cas];
    return value ?? UNISSUED_CAS;
  }

  /** One line per frame. */
  normalise(frame: Buffer): string {
    if (frame.length < HEADER_LENGTH) return `<short frame ${frame.toString('hex')}>`;
    const opcode = frame[1] as number;
    const keyLength = frame.readUInt16BE(2);
    const extrasLength = frame[4] as number;
    const status = frame.readUInt16BE(6);
    const cas = frame.readBigUInt64BE(16);
    const body = frame.subarray(HEADER_LENGTH);
    const extras = body.subarray(0, extrasLength);
    const key = body.subarray(extrasLength, extrasLength + keyLength);
    let value = body.subarray(extrasLength + keyLength).toString('latin1');
    let bodyLength = String(frame.readUInt32BE(8));

    if (status === 0 && opcode === Op.Version) {
      value = '<version>';
      bodyLength = '<n>';
    } else if (status === 0 && opcode === Op.Stat && keyLength > 0) {
      value = '<v>';
      bodyLength = '<n>';
    } else if (this.foldDecrPadding && status === 0 && extrasLength === 4) {
      const padded = /^(\d+) +$/.exec(value);
      if (padded?.[1] !== undefined) {
        value = padded[1];
        bodyLength = String(extrasLength + keyLength + value.length);
      }
    }

    const counter = status === 0 && COUNTER_OPS.has(opcode) && extrasLength === 0 && keyLength === 0 && body.length === 8;
    if (counter) value = `u64:${body.readBigUInt64BE(0)}`;

    const fields = [
      ...(frame[0] === RESPONSE_MAGIC ? [] : [`magic=0x${hex2(frame[0] as number)}`]),
      opName(opcode),
      `status=0x${status.toString(16).padStart(4, '0')}`,
      `keylen=${keyLength}`,
      `extlen=${extrasLength}`,
      ...(frame[5] === 0 ? [] : [`datatype=0x${hex2(frame[5] as number)}`]),
      `bodylen=${bodyLength}`,
      `opaque=0x${frame.readUInt32BE(12).toString(16)}`,
      cas === 0n ? 'cas=0' : `cas#${this.indexOf(cas)}`,
    ];
    if (extras.length > 0) fields.push(`extras=${extras.toString('hex')}`);
    if (key.length > 0) fields.push(`key=${JSON.stringify(key.toString('latin1'))}`);
    if (counter) fields.push(`value=${value}`);
    else if (value.length > 0) fields.push(`value=${JSON.stringify(value)}`);
    return `[${fields.join(' ')}]`;
  }

  private indexOf(cas: bigint): number {
    this.lastCas = cas;
    let index = this.indexByCas.get(cas);
    if (index === undefined) {
      index = this.casByIndex.length;
      this.indexByCas.set(cas, index);
      this.casByIndex.push(cas);
    }
    return index;
  }
}
