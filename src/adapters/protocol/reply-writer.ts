import type { Socket } from 'node:net';

/** Values at least this large are written by reference instead of copied into the batch. */
const BY_REFERENCE = 16 * 1024;

/**
 * Collects every reply produced while handling one socket read and writes
 * them with one syscall: small pieces (status lines, headers, small values)
 * are copied into a single Buffer; large values are passed by reference
 * under cork/uncork so they are not copied. Strings are latin1 (one byte per
 * char), never values.
 */
export class ReplyWriter {
  private parts: (Buffer | string)[] = [];
  private pendingString = '';
  private bytes = 0;
  private large = false;
  /** Where discard() rolls back to, as recorded by mark(). */
  private markParts = 0;
  private markPending = 0;
  private markBytes = 0;
  /** Bytes handed to the socket so far (for `bytes_written`). */
  written = 0;

  constructor(private readonly socket: Socket) {}

  get isEmpty(): boolean {
    return this.bytes === 0;
  }

  /**
   * Protects everything gathered so far from discard(). memcached 1.6.18
   * culls the unsent replies of a failed multi-get only back to the end of
   * the last get that completed ("version\r\nget a <251-byte key>" answers
   * just the CLIENT_ERROR; "get a\r\nget a <251-byte key>" keeps a's VALUE).
   */
  mark(): void {
    this.markParts = this.parts.length;
    this.markPending = this.pendingString.length;
    this.markBytes = this.bytes;
  }

  /** Drops everything gathered since the last mark() (or flush) and not yet sent. */
  discard(): void {
    if (this.parts.length > this.markParts) {
      // data() pushed the pending text (which starts with the marked text) at index markParts.
      const head = this.markPending > 0 ? (this.parts[this.markParts] as string).slice(0, this.markPending) : '';
      this.parts.length = this.markParts;
      this.pendingString = head;
    } else {
      this.pendingString = this.pendingString.slice(0, this.markPending);
    }
    this.bytes = this.markBytes;
  }

  /** Appends latin1 text. */
  text(s: string): void {
    this.pendingString += s;
    this.bytes += s.length;
  }

  /**
   * Appends raw bytes (a value), never converted. Small values are copied at
   * once: they may be views of store memory that the next command reuses
   * (see CacheStore). Large ones are kept by reference; stores never rewrite
   * those in place.
   */
  data(b: Buffer): void {
    if (b.length === 0) return;
    if (b.length < BY_REFERENCE) {
      const copy = Buffer.allocUnsafe(b.length);
      b.copy(copy);
      b = copy;
    }
    if (this.pendingString.length > 0) {
      this.parts.push(this.pendingString);
      this.pendingString = '';
    }
    this.parts.push(b);
    this.bytes += b.length;
    if (b.length >= BY_REFERENCE) this.large = true;
  }

  /**
   * Sends everything gathered. Returns socket.write's verdict: false means
   * the kernel buffer is full and the caller should stop reading until 'drain'.
   */
  flush(): boolean {
    if (this.bytes === 0) return true;
    const total = this.bytes;
    this.written += total;
    let ok: boolean;
    if (this.parts.length === 0) {
      ok = this.socket.write(Buffer.from(this.pendingString, 'latin1'));
    } else if (!this.large) {
      if (this.pendingString.length > 0) this.parts.push(this.pendingString);
      ok = this.socket.write(joinParts(this.parts, total));
    } else {
      ok = this.writeCorked();
    }
    this.parts = [];
    this.pendingString = '';
    this.bytes = 0;
    this.large = false;
    this.markParts = 0;
    this.markPending = 0;
    this.markBytes = 0;
    return ok;
  }

  private writeCorked(): boolean {
    const s = this.socket;
    s.cork();
    let ok = true;
    let small: (Buffer | string)[] = [];
    const emitSmall = () => {
      if (small.length === 0) return;
      ok = s.write(joinParts(small)) && ok;
      small = [];
    };
    for (const p of this.parts) {
      if (typeof p !== 'string' && p.length >= BY_REFERENCE) {
        emitSmall();
        ok = s.write(p) && ok;
      } else {
        small.push(p);
      }
    }
    if (this.pendingString.length > 0) small.push(this.pendingString);
    emitSmall();
    s.uncork();
    return ok;
  }
}

function joinParts(parts: (Buffer | string)[], total?: number): Buffer {
  let n = total ?? 0;
  if (total === undefined) for (const p of parts) n += p.length;
  const out = Buffer.allocUnsafe(n);
  let off = 0;
  for (const p of parts) {
    if (typeof p === 'string') off += out.write(p, off, 'latin1');
    else off += p.copy(out, off);
  }
  return out;
}
