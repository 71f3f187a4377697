import type { Socket } from 'node:net';
import { SHARED_VALUE_LIMIT } from '../../domain/ports/cache-store.js';

/** First size of a connection's scratch buffer. */
const SCRATCH_INITIAL = 2048;
/** A scratch grown past this (a large multi-get) is dropped after the flush instead of pooled. */
const SCRATCH_KEEP = 16 * 1024;
/** Strings and values up to this length are copied by a loop: cheaper than a native call for a few bytes. */
const LOOP_COPY = 32;
/** Free scratches kept for the next writer that gathers (SCRATCH_POOL_MAX × at most SCRATCH_KEEP bytes). */
const SCRATCH_POOL_MAX = 64;

/**
 * Scratches between uses. A writer holds one only from its first reply to
 * its flush (which copies the replies out), so an idle connection that has
 * replied holds none: 10,000 pooled clients' connections would otherwise
 * keep ~2.3 KB each. Only the connections gathering replies in one poll
 * phase hold one at a time.
 */
const scratchPool: Buffer[] = [];

/**
 * Collects every reply produced while handling one socket read and writes
 * them with one syscall. Status lines, headers and small values are copied
 * at once into one scratch buffer, taken from a pool shared by all
 * connections and returned at the flush (small values may be
 * views of store memory that the next command reuses, see CacheStore); the
 * flush sends one exact-size copy of it. Values of SHARED_VALUE_LIMIT bytes
 * and more are passed by reference under cork/uncork, never copied. Strings
 * are latin1 (one byte per char), never values.
 */
export class ReplyWriter {
  private scratch: Buffer | undefined;
  private length = 0;
  /** Values sent by reference, each with the scratch offset it goes before (made by the first). */
  private byReference: Buffer[] | undefined;
  private byReferenceAt: number[] | undefined;
  private byReferenceBytes = 0;
  /** Where discard() rolls back to, as recorded by mark(). */
  private markLength = 0;
  private markByReference = 0;
  private markByReferenceBytes = 0;
  /** Bytes handed to the socket so far (for `bytes_written`). */
  written = 0;

  constructor(private readonly socket: Socket) {}

  get isEmpty(): boolean {
    return this.length === 0 && this.byReference === undefined;
  }

  /** True while what is gathered is copied bytes in one pooled-size scratch: holding it longer costs little memory. */
  get holdsLittle(): boolean {
    return this.length <= SCRATCH_KEEP && this.byReference === undefined;
  }

  /**
   * Protects everything gathered so far from discard(). memcached 1.6.18
   * culls the unsent replies of a failed multi-get only back to the end of
   * the last get that completed ("version\r\nget a <251-byte key>" answers
   * just the CLIENT_ERROR; "get a\r\nget a <251-byte key>" keeps a's VALUE).
   */
  mark(): void {
    this.markLength = this.length;
    this.markByReference = this.byReference?.length ?? 0;
    this.markByReferenceBytes = this.byReferenceBytes;
  }

  /** Drops everything gathered since the last mark() (or flush) and not yet sent. */
  discard(): void {
    this.length = this.markLength;
    if (this.markByReference === 0) this.byReference = this.byReferenceAt = undefined;
    else this.byReference!.length = this.byReferenceAt!.length = this.markByReference;
    this.byReferenceBytes = this.markByReferenceBytes;
  }

  /** Appends latin1 text. */
  text(s: string): void {
    const n = s.length;
    const buf = this.room(n);
    const at = this.length;
    if (n <= LOOP_COPY) for (let i = 0; i < n; i++) buf[at + i] = s.charCodeAt(i);
    else buf.write(s, at, n, 'latin1');
    this.length = at + n;
  }

  /** Appends raw bytes (a value), never converted. */
  data(b: Buffer): void {
    const n = b.length;
    if (n === 0) return;
    if (n >= SHARED_VALUE_LIMIT) {
      (this.byReference ??= []).push(b);
      (this.byReferenceAt ??= []).push(this.length);
      this.byReferenceBytes += n;
      return;
    }
    const buf = this.room(n);
    const at = this.length;
    if (n <= LOOP_COPY) for (let i = 0; i < n; i++) buf[at + i] = b[i]!;
    else b.copy(buf, at);
    this.length = at + n;
  }

  /**
   * Sends everything gathered. Returns socket.write's verdict: false means
   * the kernel buffer is full and the caller should stop reading until 'drain'.
   */
  flush(): boolean {
    if (this.isEmpty) return true;
    this.written += this.length + this.byReferenceBytes;
    let ok: boolean;
    const refs = this.byReference;
    if (refs === undefined) {
      ok = this.socket.write(this.copyOut(0, this.length));
    } else {
      const at = this.byReferenceAt!;
      const s = this.socket;
      s.cork();
      ok = true;
      let from = 0;
      for (let i = 0; i < refs.length; i++) {
        if (at[i]! > from) ok = s.write(this.copyOut(from, at[i]!)) && ok;
        ok = s.write(refs[i]!) && ok;
        from = at[i]!;
      }
      if (this.length > from) ok = s.write(this.copyOut(from, this.length)) && ok;
      s.uncork();
      this.byReference = this.byReferenceAt = undefined;
    }
    this.length = this.byReferenceBytes = 0;
    this.markLength = this.markByReference = this.markByReferenceBytes = 0;
    const scratch = this.scratch;
    if (scratch !== undefined) {
      if (scratch.length <= SCRATCH_KEEP && scratchPool.length < SCRATCH_POOL_MAX) scratchPool.push(scratch);
      this.scratch = undefined;
    }
    return ok;
  }

  /** The scratch, grown so that `n` more bytes fit. */
  private room(n: number): Buffer {
    const buf = this.scratch;
    if (buf !== undefined && this.length + n <= buf.length) return buf;
    if (buf === undefined && n <= SCRATCH_INITIAL && scratchPool.length > 0) return (this.scratch = scratchPool.pop()!);
    const grown = Buffer.allocUnsafeSlow(Math.max(SCRATCH_INITIAL, (buf?.length ?? 0) * 2, this.length + n));
    if (buf !== undefined) buf.copy(grown, 0, 0, this.length);
    this.scratch = grown;
    return grown;
  }

  /** The socket may hold a buffer until it is sent, so it gets a copy; the scratch is reused. */
  private copyOut(from: number, to: number): Buffer {
    const out = Buffer.allocUnsafe(to - from);
    this.scratch!.copy(out, 0, from, to);
    return out;
  }
}
