import net from 'node:net';

/** Default bound on every wait, so a broken server fails a test instead of hanging it. */
const WAIT_MS = 5_000;

/**
 * A raw text-protocol client for end-to-end tests: sends exact bytes and
 * reads exact bytes, so replies are compared byte for byte.
 */
export class TcpClient {
  private buf = Buffer.alloc(0);
  private waiters: (() => void)[] = [];
  closed = false;

  private constructor(readonly socket: net.Socket) {
    socket.on('data', (d: Buffer) => {
      this.buf = Buffer.concat([this.buf, d]);
      this.wake();
    });
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
    socket.on('error', () => {
      // a reset shows up as 'close'
    });
  }

  static connect(port: number, host = '127.0.0.1'): Promise<TcpClient> {
    return new Promise((resolve, reject) => {
      const s = net.connect({ port, host, noDelay: true });
      s.once('connect', () => resolve(new TcpClient(s)));
      s.once('error', reject);
    });
  }

  /** Wraps a socket that is already connected (a TLS one, for instance). */
  static over(socket: net.Socket): TcpClient {
    return new TcpClient(socket);
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  /** Waits until `done()` is true, the socket closes or the time runs out. */
  private async until(done: () => boolean, ms: number): Promise<void> {
    const deadline = Date.now() + ms;
    while (!done() && !this.closed) {
      const left = deadline - Date.now();
      if (left <= 0) return;
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  send(data: Buffer | string): void {
    this.socket.write(typeof data === 'string' ? Buffer.from(data, 'latin1') : data);
  }

  /** Reads exactly `n` bytes (fewer if the connection closes or time runs out). */
  async readBytes(n: number, ms = WAIT_MS): Promise<Buffer> {
    await this.until(() => this.buf.length >= n, ms);
    const out = this.buf.subarray(0, n);
    this.buf = this.buf.subarray(out.length);
    return out;
  }

  /** Reads up to and including the first occurrence of `terminator`. */
  async readUntil(terminator: string, ms = WAIT_MS): Promise<string> {
    const t = Buffer.from(terminator, 'latin1');
    await this.until(() => this.buf.indexOf(t) >= 0, ms);
    const i = this.buf.indexOf(t);
    const n = i >= 0 ? i + t.length : this.buf.length;
    const out = this.buf.subarray(0, n).toString('latin1');
    this.buf = this.buf.subarray(n);
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
    return this.buf;
  }

  /** Resolves true once the server has closed the connection. */
  async waitClosed(ms = WAIT_MS): Promise<boolean> {
    await this.until(() => false, ms);
    return this.closed;
  }

  /** Gives the server a moment to send anything unexpected, then returns what arrived. */
  async drain(ms = 100): Promise<string> {
    await new Promise((r) => setTimeout(r, ms));
    const out = this.buf.toString('latin1');
    this.buf = Buffer.alloc(0);
    return out;
  }

  close(): void {
    this.socket.destroy();
  }
}
