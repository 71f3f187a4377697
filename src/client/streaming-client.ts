import net from 'node:net';
import tls from 'node:tls';

/** How far a transfer has got; passed to the progress callback after every chunk. */
export interface StreamProgress {
  key: string;
  /** Value bytes transferred so far. */
  bytes: number;
  /** Size of the whole value. */
  totalBytes: number;
  /** Chunks transferred so far. */
  chunks: number;
  chunkCount: number;
}

export interface StreamGetOptions {
  /** Bytes per chunk the server sends (server default 16 KiB). */
  chunkSize?: number;
  onProgress?: (p: StreamProgress) => void;
  /** Called once the server announced a hit, before the first chunk. */
  onBegin?: (totalBytes: number, chunkCount: number) => void;
}

export interface UploadOptions {
  /** Client flags stored with the value. */
  flags?: number;
  /** Protocol exptime (seconds, or a Unix time past 30 days; 0 = never). */
  exptime?: number;
  /** Bytes per set_data chunk (default 256 KiB). */
  chunkSize?: number;
  onProgress?: (p: StreamProgress) => void;
}

export interface ConnectOptions {
  /**
   * Connect over TLS (a server started with -Z): `true` for Node's defaults
   * (the system CAs verify the server), or tls.connect options such as
   * `ca`, `cert`/`key` for a client certificate, or `rejectUnauthorized`.
   */
  tls?: boolean | tls.ConnectionOptions;
}

/** The server answered a streaming command with an error line. */
export class StreamingError extends Error {
  constructor(readonly reply: string) {
    super(reply);
    this.name = 'StreamingError';
  }
}

/** Received bytes above this pause the socket until the caller reads them. */
const HIGH_WATER = 1024 * 1024;

/**
 * A client for the streaming extension (docs/streaming-protocol.md): reads a
 * large value chunk by chunk with `streamGet`, an async iterator that reads
 * from the socket only as fast as the caller consumes, and writes one with
 * `upload`. One command runs at a time per client; calls queue.
 *
 * ```ts
 * const c = await StreamingClient.connect(11211);
 * await c.upload('big', value, { onProgress: (p) => console.log(p.bytes, '/', p.totalBytes) });
 * for await (const chunk of c.streamGet('big')) out.write(chunk);
 * c.close();
 * ```
 */
export class StreamingClient {
  private queue: Buffer[] = [];
  private queued = 0;
  private waiter: (() => void) | undefined;
  private ended = false;
  private error: Error | undefined;
  private turn: Promise<void> = Promise.resolve();

  private constructor(private readonly socket: net.Socket) {
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

  static connect(port: number, host = '127.0.0.1', options: ConnectOptions = {}): Promise<StreamingClient> {
    return new Promise((resolve, reject) => {
      const secure = options.tls === true ? {} : options.tls;
      const s = secure ? tls.connect({ port, host, ...secure }) : net.connect({ port, host, noDelay: true });
      if (secure) s.setNoDelay(true);
      s.once(secure ? 'secureConnect' : 'connect', () => {
        s.off('error', reject);
        resolve(new StreamingClient(s));
      });
      s.once('error', reject);
    });
  }

  close(): void {
    this.socket.destroy();
  }

  /**
   * The value's chunks in order; ends after STREAM_END. A miss ends at once
   * without calling `onBegin` (an empty value calls it, then yields nothing);
   * any error line throws StreamingError.
   */
  async *streamGet(key: string, options: StreamGetOptions = {}): AsyncGenerator<Buffer, void, undefined> {
    const release = await this.acquire();
    try {
      this.socket.write('streaming_get ' + key + (options.chunkSize !== undefined ? ' ' + options.chunkSize : '') + '\r\n');
      const head = await this.readLine();
      if (head.startsWith('STREAM_ERROR NOT_FOUND')) return;
      const m = /^STREAM_BEGIN (\S+) (\d+) (\d+)$/.exec(head);
      if (!m) throw new StreamingError(head);
      const totalBytes = Number(m[2]);
      const chunkCount = Number(m[3]);
      options.onBegin?.(totalBytes, chunkCount);
      let bytes = 0;
      for (let n = 0; n < chunkCount; n++) {
        const line = await this.readLine();
        const d = /^STREAM_DATA (\S+) (\d+) (\d+)$/.exec(line);
        if (!d || Number(d[2]) !== n) throw new StreamingError(line);
        const len = Number(d[3]);
        const chunk = await this.readBytes(len + 2);
        bytes += len;
        options.onProgress?.({ key, bytes, totalBytes, chunks: n + 1, chunkCount });
        yield chunk.subarray(0, len);
      }
      const end = await this.readLine();
      if (end !== 'STREAM_END ' + key) throw new StreamingError(end);
    } finally {
      release();
    }
  }

  /** The whole value (undefined on a miss), read with streamGet. */
  async getAll(key: string, options: StreamGetOptions = {}): Promise<Buffer | undefined> {
    let hit = false;
    const parts: Buffer[] = [];
    const onBegin = (total: number, count: number) => {
      hit = true;
      options.onBegin?.(total, count);
    };
    for await (const c of this.streamGet(key, { ...options, onBegin })) parts.push(c);
    return hit ? Buffer.concat(parts) : undefined;
  }

  /** Uploads `value` in chunks; resolves once the server answered STORED. */
  async upload(key: string, value: Uint8Array, options: UploadOptions = {}): Promise<void> {
    const release = await this.acquire();
    try {
      const chunkSize = options.chunkSize ?? 256 * 1024;
      if (!(chunkSize >= 1)) throw new RangeError('chunkSize must be at least 1');
      const totalBytes = value.length;
      const chunkCount = Math.max(1, Math.ceil(totalBytes / chunkSize));
      await this.command(`set_begin ${key} ${totalBytes} ${chunkCount} ${options.flags ?? 0} ${options.exptime ?? 0}\r\n`, 'OK');
      let bytes = 0;
      for (let n = 0; n < chunkCount; n++) {
        const part = value.subarray(n * chunkSize, Math.min(totalBytes, (n + 1) * chunkSize));
        this.socket.write(`set_data ${key} ${n} ${part.length}\r\n`);
        this.socket.write(part);
        await this.command('\r\n', 'OK');
        bytes += part.length;
        options.onProgress?.({ key, bytes, totalBytes, chunks: n + 1, chunkCount });
      }
      await this.command(`set_end ${key}\r\n`, 'STORED');
    } finally {
      release();
    }
  }

  private async command(text: string, expected: string): Promise<void> {
    this.socket.write(text);
    const line = await this.readLine();
    if (line !== expected) throw new StreamingError(line);
  }

  /** Serialises commands on the connection. */
  private async acquire(): Promise<() => void> {
    let release!: () => void;
    const next = new Promise<void>((r) => (release = r));
    const prev = this.turn;
    this.turn = prev.then(() => next);
    await prev;
    return release;
  }

  private wake(): void {
    const w = this.waiter;
    this.waiter = undefined;
    w?.();
  }

  private async waitData(): Promise<void> {
    if (this.ended) throw this.error ?? new Error('connection closed');
    await new Promise<void>((r) => (this.waiter = r));
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

  private async readBytes(n: number): Promise<Buffer> {
    while (this.queued < n) await this.waitData();
    return this.take(n);
  }

  /** One reply line without its CRLF. */
  private async readLine(): Promise<string> {
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
}
