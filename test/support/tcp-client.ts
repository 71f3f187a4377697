import net from 'node:net';

/** Default bound on every wait, so a broken server fails a test instead of hanging it. */
const WAIT_MS = 5_000;

/** How waiting for a reply ended. */
export type WaitOutcome = 'complete' | 'closed' | 'timeout';

/**
 * The tests' raw TCP client: sends exact bytes and buffers exactly what the
 * server sends, so replies are compared byte for byte. Protocol readers (text
 * lines here, binary frames in binary-frames.ts, RESP replies in
 * resp-client.ts, the differential suites' sentinels) take from `buffered`.
 */
export class TcpClient {
  /** Bytes received and not yet taken by a reader. */
  buffered: Buffer = Buffer.alloc(0);
  closed = false;
  private waiters: (() => void)[] = [];

  /** Wraps a socket that is already connected (a TLS one, for instance). */
  constructor(readonly socket: net.Socket) {
    socket.setNoDelay(true);
    socket.on('data', (d: Buffer) => {
      this.buffered = this.buffered.length === 0 ? d : Buffer.concat([this.buffered, d]);
      this.wake();
    });
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
    socket.on('error', () => {
      // a reset shows up as 'close'; the error itself carries nothing to compare
    });
  }

  /** Connects to 127.0.0.1 (or `host`); subclasses get an instance of their own class. */
  static connect<T extends TcpClient>(this: new (socket: net.Socket) => T, port: number, host = '127.0.0.1'): Promise<T> {
    return new Promise((resolve, reject) => {
      const s = net.connect({ port, host });
      s.once('connect', () => {
        s.removeListener('error', reject);
        resolve(new this(s));
      });
      s.once('error', reject);
    });
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  /**
   * Resolves 'complete' as soon as `complete()` (which may inspect and take
   * from `buffered`) returns true; otherwise 'closed' once the server closed,
   * or 'timeout'.
   */
  async waitFor(complete: () => boolean, ms = WAIT_MS): Promise<WaitOutcome> {
    const deadline = Date.now() + ms;
    for (;;) {
      if (complete()) return 'complete';
      if (this.closed) return 'closed';
      const left = deadline - Date.now();
      if (left <= 0) return 'timeout';
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** Writes unless the server already closed (then readers see 'closed'). */
  send(data: Buffer | string): void {
    if (!this.closed) this.socket.write(typeof data === 'string' ? Buffer.from(data, 'latin1') : data);
  }

  /** Reads exactly `n` bytes (fewer if the connection closes or time runs out). */
  async readBytes(n: number, ms = WAIT_MS): Promise<Buffer> {
    await this.waitFor(() => this.buffered.length >= n, ms);
    const out = this.buffered.subarray(0, n);
    this.buffered = this.buffered.subarray(out.length);
    return out;
  }

  /** Reads up to and including the first occurrence of `terminator`. */
  async readUntil(terminator: string, ms = WAIT_MS): Promise<string> {
    const t = Buffer.from(terminator, 'latin1');
    await this.waitFor(() => this.buffered.indexOf(t) >= 0, ms);
    const i = this.buffered.indexOf(t);
    const n = i >= 0 ? i + t.length : this.buffered.length;
    const out = this.buffered.subarray(0, n).toString('latin1');
    this.buffered = this.buffered.subarray(n);
    return out;
  }

  /** Sends `request` and reads as many bytes as `expected` has (compare the result with it). */
  async exchange(request: Buffer | string, expected: string | Buffer): Promise<string> {
    this.send(request);
    const got = await this.readBytes(expected.length);
    return got.toString('latin1');
  }

  /** Sends a line and reads through the END line of a multi-line reply (stats...). */
  async lines(request: string, terminator = 'END\r\n'): Promise<string> {
    this.send(request);
    return this.readUntil(terminator);
  }

  /** Bytes received and not yet read. */
  get pending(): Buffer {
    return this.buffered;
  }

  /** Everything buffered (a copy), leaving the buffer empty. */
  takeAll(): Buffer {
    const bytes = Buffer.from(this.buffered);
    this.buffered = Buffer.alloc(0);
    return bytes;
  }

  /** Resolves true once the server has closed the connection. */
  async waitClosed(ms = WAIT_MS): Promise<boolean> {
    await this.waitFor(() => false, ms);
    return this.closed;
  }

  /** Gives the server a moment to send anything unexpected, then returns what arrived. */
  async drain(ms = 100): Promise<string> {
    await new Promise((r) => setTimeout(r, ms));
    return this.takeAll().toString('latin1');
  }

  close(): void {
    this.socket.destroy();
  }
}

/** Sends `request` and half-closes in the same write, then reads until the server closes. */
export function sendAndEnd(port: number, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const s = net.connect(port, '127.0.0.1', () => s.end(request));
    s.on('data', (d: Buffer) => chunks.push(d));
    s.on('error', reject);
    s.on('close', () => resolve(Buffer.concat(chunks).toString('latin1')));
  });
}
