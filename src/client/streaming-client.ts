import { CommandClient } from './command-client.js';
import { ReplyConnection, ReplyError, type ConnectOptions } from './connection.js';

export { ConnectionError, ReplyError, type ConnectOptions } from './connection.js';

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

/** The server answered a streaming command with an error line. */
export class StreamingError extends ReplyError {
  constructor(reply: string) {
    super(reply);
    this.name = 'StreamingError';
  }
}

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
export class StreamingClient extends CommandClient {
  static async connect(port: number, host = '127.0.0.1', options: ConnectOptions = {}): Promise<StreamingClient> {
    return new StreamingClient(await ReplyConnection.open(port, host, options));
  }

  /**
   * The value's chunks in order; ends after STREAM_END. A miss ends at once
   * without calling `onBegin` (an empty value calls it, then yields nothing);
   * any error line throws StreamingError.
   */
  async *streamGet(key: string, options: StreamGetOptions = {}): AsyncGenerator<Buffer, void, undefined> {
    const release = await this.conn.acquire();
    try {
      this.conn.write('streaming_get ' + key + (options.chunkSize !== undefined ? ' ' + options.chunkSize : '') + '\r\n');
      const head = await this.conn.readLine();
      if (head.startsWith('STREAM_ERROR NOT_FOUND')) return;
      const m = /^STREAM_BEGIN (\S+) (\d+) (\d+)$/.exec(head);
      if (!m) throw new StreamingError(head);
      const totalBytes = Number(m[2]);
      const chunkCount = Number(m[3]);
      options.onBegin?.(totalBytes, chunkCount);
      let bytes = 0;
      for (let n = 0; n < chunkCount; n++) {
        const line = await this.conn.readLine();
        const d = /^STREAM_DATA (\S+) (\d+) (\d+)$/.exec(line);
        if (!d || Number(d[2]) !== n) throw new StreamingError(line);
        const len = Number(d[3]);
        const chunk = await this.conn.readBytes(len + 2);
        bytes += len;
        options.onProgress?.({ key, bytes, totalBytes, chunks: n + 1, chunkCount });
        yield chunk.subarray(0, len);
      }
      const end = await this.conn.readLine();
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
  upload(key: string, value: Uint8Array, options: UploadOptions = {}): Promise<void> {
    return this.uploadFrom(key, value.length, [value], options);
  }

  /**
   * Uploads `totalBytes` read from `source` (a file stream, for instance)
   * without holding the value in memory: the source's pieces are cut into
   * `chunkSize` chunks. Throws if the source yields a different length.
   */
  async uploadFrom(key: string, totalBytes: number, source: Iterable<Uint8Array> | AsyncIterable<Uint8Array>, options: UploadOptions = {}): Promise<void> {
    const chunkSize = options.chunkSize ?? 256 * 1024;
    if (!(chunkSize >= 1)) throw new RangeError('chunkSize must be at least 1');
    await this.exclusive(async () => {
      const chunkCount = Math.max(1, Math.ceil(totalBytes / chunkSize));
      await this.command(`set_begin ${key} ${totalBytes} ${chunkCount} ${options.flags ?? 0} ${options.exptime ?? 0}\r\n`, 'OK');
      let bytes = 0;
      let n = 0;
      const send = async (part: Uint8Array): Promise<void> => {
        this.conn.write(`set_data ${key} ${n} ${part.length}\r\n`);
        this.conn.write(part);
        await this.command('\r\n', 'OK');
        bytes += part.length;
        n++;
        options.onProgress?.({ key, bytes, totalBytes, chunks: n, chunkCount });
      };
      for await (const part of rechunk(source, chunkSize)) {
        if (bytes + part.length > totalBytes) throw new RangeError(`the source holds more than ${totalBytes} bytes`);
        await send(part);
      }
      if (bytes !== totalBytes) throw new RangeError(`the source held ${bytes} bytes, not ${totalBytes}`);
      if (n === 0) await send(new Uint8Array(0)); // an empty value is one empty chunk
      await this.command(`set_end ${key}\r\n`, 'STORED');
    });
  }

  private async command(text: string, expected: string): Promise<void> {
    this.conn.write(text);
    const line = await this.conn.readLine();
    if (line !== expected) throw new StreamingError(line);
  }
}

/** Cuts a byte source into pieces of exactly `size` bytes (the last may be shorter), copying only across piece boundaries. */
async function* rechunk(source: Iterable<Uint8Array> | AsyncIterable<Uint8Array>, size: number): AsyncGenerator<Uint8Array> {
  let pending: Uint8Array[] = [];
  let pendingBytes = 0;
  for await (const piece of source) {
    let rest = piece;
    while (pendingBytes + rest.length >= size) {
      const need = size - pendingBytes;
      const head = rest.subarray(0, need);
      rest = rest.subarray(need);
      yield pending.length === 0 ? head : Buffer.concat([...pending, head]);
      pending = [];
      pendingBytes = 0;
    }
    if (rest.length > 0) {
      pending.push(rest);
      pendingBytes += rest.length;
    }
  }
  if (pendingBytes > 0) yield pending.length === 1 ? pending[0]! : Buffer.concat(pending);
}
