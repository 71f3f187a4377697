import { parseSignedDecimal } from '../../domain/signed-decimal.js';

/**
 * The arguments of one command, as offsets into one buffer: a multibulk
 * request's arguments are read in place (no Buffer or string per argument
 * until a handler asks for one); an inline request's are decoded into a
 * buffer of their own.
 */
export class ArgList {
  buf: Buffer = Buffer.alloc(0);
  count = 0;
  private starts: number[] = [];
  private ends: number[] = [];

  reset(buf: Buffer): void {
    this.buf = buf;
    this.count = 0;
  }

  push(start: number, end: number): void {
    this.starts[this.count] = start;
    this.ends[this.count] = end;
    this.count++;
  }

  length(i: number): number {
    return this.ends[i]! - this.starts[i]!;
  }

  /** The argument as a latin1 string (one char per byte): how keys are carried. */
  str(i: number): string {
    return this.buf.toString('latin1', this.starts[i]!, this.ends[i]!);
  }

  /** The argument's bytes, a view valid while this command runs. */
  bytes(i: number): Buffer {
    return this.buf.subarray(this.starts[i]!, this.ends[i]!);
  }

  /** The argument lower-cased (command names and options). */
  lower(i: number): string {
    return this.str(i).toLowerCase();
  }

  /** Case-insensitive comparison with a lower-case ASCII word, without allocating. */
  is(i: number, word: string): boolean {
    const s = this.starts[i]!;
    if (this.ends[i]! - s !== word.length) return false;
    const b = this.buf;
    for (let j = 0; j < word.length; j++) if ((b[s + j]! | 0x20) !== word.charCodeAt(j)) return false;
    return true;
  }

  /** The argument as a canonical signed 64-bit decimal, or undefined. */
  int(i: number): bigint | undefined {
    return parseSignedDecimal(this.buf, this.starts[i]!, this.ends[i]!);
  }

  /** The argument up to its first NUL, as C string formatting shows it, cut to `max` bytes. */
  cString(i: number, max: number): string {
    const s = this.starts[i]!;
    let e = this.ends[i]!;
    const nul = this.buf.indexOf(0, s);
    if (nul !== -1 && nul < e) e = nul;
    return this.buf.toString('latin1', s, Math.min(e, s + max));
  }

  /** A copy that stays valid after the next request is parsed (MULTI queues it); the input buffer is never written again. */
  clone(): ArgList {
    const c = new ArgList();
    c.buf = this.buf;
    c.count = this.count;
    c.starts = this.starts.slice(0, this.count);
    c.ends = this.ends.slice(0, this.count);
    return c;
  }

  /** Keys from argument `from` on, every `step`th. */
  keys(from: number, step = 1): string[] {
    const out: string[] = [];
    for (let i = from; i < this.count; i += step) out.push(this.str(i));
    return out;
  }
}
