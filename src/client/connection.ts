import net from 'node:net';
import tls from 'node:tls';

export interface ConnectOptions {
  /**
   * Connect over TLS (a server started with -Z): `true` for Node's defaults
   * (the system CAs verify the server), or tls.connect options such as
   * `ca`, `cert`/`key` for a client certificate, or `rejectUnauthorized`.
   */
  tls?: boolean | tls.ConnectionOptions;
  /** Give up connecting after this many milliseconds (default: no limit). */
  connectTimeoutMs?: number;
  /** Close the connection when the server sends nothing for this long while a reply is awaited (default: no limit). */
  replyTimeoutMs?: number;
}

/** The server answered with an error line (or one the command does not expect). */
export class ReplyError extends Error {
  constructor(readonly reply: string) {
    super(reply);
    this.name = 'ReplyError';
  }
}

/** The connection closed, or could not be made. */
export class ConnectionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConnectionError';
  }
}

/** Received bytes above this pause the socket until the caller reads them. */
const HIGH_WATER = 1024 * 1024;

/**
 * One client connection read as replies: whole lines and exact byte counts,
 * reading from the socket only as fast as the caller consumes. `acquire()`
 * serialises commands so that replies pair with requests.
 */
export class ReplyConnection {
  private queue: Buffer[] = [];
  private queued = 0;
  private waiter: (() => void) | undefined;
  private ended = false;
  private error: Error | undefined;
  private turn: Promise<void> = Promise.resolve();

  private constructor(
    private readonly socket: net.Socket,
    private readonly replyTimeoutMs: number | undefined,
  ) {
    socket.on('data', (d: Buffer) => {
      this.queue.push(d);
      this.queued += d.length;
      if (this.queued > HIGH_WATER) socket.pause();
      this.wake();
    });
    socket.on('close', () => {
      this.ended = true;
      this.wake();
    });
    socket.on('error', (err) => {
      this.error = err;
    });
  }

  /** Connects (and completes the TLS handshake when asked to). */
  static open(port: number, host = '127.0.0.1', options: ConnectOptions = {}): Promise<ReplyConnection> {
    return new Promise((resolve, reject) => {
      const secure = options.tls === true ? {} : options.tls;
      const s = secure ? tls.connect({ port, host, ...secure }) : net.connect({ port, host, noDelay: true });
      if (secure) s.setNoDelay(true);
      const timer =
        options.connectTimeoutMs === undefined
          ? undefined
          : setTimeout(() => {
              s.destroy();
              reject(new ConnectionError(`cannot connect to ${host}:${port}: no answer within ${options.connectTimeoutMs} ms`));
            }, options.connectTimeoutMs);
      s.once(secure ? 'secureConnect' : 'connect', () => {
        clearTimeout(timer);
        s.off('error', onError);
        resolve(new ReplyConnection(s, options.replyTimeoutMs));
      });
      const onError = (err: Error): void => {
        clearTimeout(timer);
        reject(err);
      };
      s.once('error', onError);
    });
  }

  write(data: string | Uint8Array): void {
    this.socket.write(data);
  }

  close(): void {
    this.socket.destroy();
  }

  /** Serialises commands on the connection: await it, run one command, call the result. */
  async acquire(): Promise<() => void> {
    let release!: () => void;
    const next = new Promise<void>((r) => (release = r));
    const prev = this.turn;
    this.turn = prev.then(() => next);
    await prev;
    return release;
  }

  /** Exactly `n` bytes. */
  async readBytes(n: number): Promise<Buffer> {
    while (this.queued < n) await this.waitData();
    return this.take(n);
  }

  /** One reply line without its CRLF. */
  async readLine(): Promise<string> {
    for (;;) {
      let seen = 0;
      for (const b of this.queue) {
        const i = b.indexOf(10);
        if (i >= 0) {
          const line = this.take(seen + i + 1).toString('latin1');
          return line.endsWith('\r\n') ? line.slice(0, -2) : line.slice(0, -1);
        }
        seen += b.length;
      }
      await this.waitData();
    }
  }

  private wake(): void {
    const w = this.waiter;
    this.waiter = undefined;
    w?.();
  }

  private async waitData(): Promise<void> {
    if (this.ended) throw new ConnectionError(`connection closed${this.error ? ': ' + this.error.message : ''}`);
    const limit = this.replyTimeoutMs;
    const timer = limit === undefined ? undefined : setTimeout(() => this.socket.destroy(new ConnectionError(`no reply within ${limit} ms`)), limit);
    await new Promise<void>((r) => (this.waiter = r));
    clearTimeout(timer);
  }

  private take(n: number): Buffer {
    const out = Buffer.allocUnsafe(n);
    let off = 0;
    while (off < n) {
      const head = this.queue[0]!;
      const k = Math.min(head.length, n - off);
      head.copy(out, off, 0, k);
      off += k;
      if (k === head.length) this.queue.shift();
      else this.queue[0] = head.subarray(k);
    }
    this.queued -= n;
    if (this.queued <= HIGH_WATER / 2 && this.socket.isPaused()) this.socket.resume();
    return out;
  }
}
