import { then, type MaybePromise } from '../../domain/maybe-promise.js';
import { SHARED_VALUE_LIMIT } from '../../domain/ports/cache-store.js';
import { KEY_MAX_LENGTH } from '../../domain/rules.js';
import { StoreMode } from '../../application/storage.js';
import type { UseCases } from '../../application/use-cases.js';
import { tokenI32, tokenU32, tokenU64, type Tokens } from '../protocol/tokenizer.js';
import { Reply, storeReply } from './ascii-replies.js';
import type { AsciiExtension, AsciiSession } from './ascii-session.js';

/** Limits of the streaming extension (see docs/streaming-protocol.md). */
export interface StreamingOptions {
  /**
   * Largest value an upload may build, in bytes. Only used when
   * `largeValues` is true (a disk tier holds them); otherwise the item size
   * limit applies, as for `set`.
   */
  maxValueSize: number;
  /** Values above the item size limit are accepted (up to maxValueSize). */
  largeValues: boolean;
  /** An upload with no command for this long is dropped with its data. */
  uploadIdleTimeoutMs: number;
  /** streaming_get's chunk size when none is given. */
  defaultChunkSize: number;
  /** Largest streaming_get chunk size and set_data chunk accepted. */
  maxChunkSize: number;
  /** Uploads one connection may have open at once. */
  maxUploadsPerConnection: number;
}

export const DEFAULT_STREAMING_OPTIONS: StreamingOptions = {
  maxValueSize: 64 * 1024 * 1024,
  largeValues: false,
  uploadIdleTimeoutMs: 30_000,
  defaultChunkSize: 16 * 1024,
  maxChunkSize: 4 * 1024 * 1024,
  maxUploadsPerConnection: 4,
};

const StreamReply = {
  BAD_CHUNK_SIZE: 'CLIENT_ERROR invalid chunk size\r\n',
  BAD_CHUNK_COUNT: 'CLIENT_ERROR invalid chunk count\r\n',
  UNKNOWN_UPLOAD: 'CLIENT_ERROR unknown upload\r\n',
  OUT_OF_RANGE: 'CLIENT_ERROR chunk out of range\r\n',
  DUPLICATE: 'CLIENT_ERROR duplicate chunk\r\n',
  CHUNK_TOO_LARGE: 'CLIENT_ERROR chunk too large\r\n',
  SIZE_MISMATCH: 'CLIENT_ERROR upload size mismatch\r\n',
  INCOMPLETE: 'CLIENT_ERROR upload incomplete\r\n',
  TIMED_OUT: 'SERVER_ERROR upload timed out\r\n',
  TOO_MANY: 'SERVER_ERROR too many uploads in progress\r\n',
} as const;

/** One chunked upload in progress; nothing of it is visible until set_end. */
interface Upload {
  key: string;
  total: number;
  flags: number;
  exptime: number;
  chunks: (Buffer | undefined)[];
  chunkCount: number;
  received: number;
  timer: NodeJS.Timeout | undefined;
}

/** A connection's uploads, and the keys of those that timed out (to say so once). */
interface ConnectionUploads {
  open: Map<string, Upload>;
  timedOut: Set<string>;
}

const MAX_REMEMBERED_TIMEOUTS = 64;

/**
 * The large-value extension of the text protocol: `streaming_get` (alias
 * `sget`) sends a value in chunks, each written only when the socket has
 * room for it, and `set_begin` / `set_data` / `set_end` (and `set_abort`)
 * upload one in chunks that becomes visible atomically at `set_end`.
 * Uploads belong to their connection: closing it, or leaving an upload idle
 * past the timeout, frees the partial data.
 */
export class StreamingCommands implements AsciiExtension {
  private readonly options: StreamingOptions;
  private readonly connections = new WeakMap<AsciiSession, ConnectionUploads>();
  private buffered = 0;
  private openCount = 0;

  constructor(
    private readonly uc: UseCases,
    options: Partial<StreamingOptions> = {},
  ) {
    this.options = { ...DEFAULT_STREAMING_OPTIONS, ...options };
  }

  /** Bytes held by uploads in progress on every connection. */
  get bufferedBytes(): number {
    return this.buffered;
  }

  /** Uploads in progress on every connection. */
  get openUploads(): number {
    return this.openCount;
  }

  handle(session: AsciiSession, t: Tokens): boolean | Promise<void> {
    const c = t.byte(0);
    let r: MaybePromise<void>;
    if (c === 0x73) {
      if (t.is(0, 'streaming_get') || t.is(0, 'sget')) r = this.streamingGet(session, t);
      else if (t.is(0, 'set_begin')) r = this.setBegin(session, t);
      else if (t.is(0, 'set_data')) r = this.setData(session, t);
      else if (t.is(0, 'set_end')) r = this.setEnd(session, t);
      else if (t.is(0, 'set_abort')) r = this.setAbort(session, t);
      else return false;
    } else {
      return false;
    }
    return r instanceof Promise ? r : true;
  }

  // ---- streaming_get -------------------------------------------------------

  private streamingGet(s: AsciiSession, t: Tokens): MaybePromise<void> {
    if (t.count < 2 || t.count > 3) return s.reply(Reply.ERROR);
    if (t.length(1) > KEY_MAX_LENGTH) return s.reply(Reply.BAD_FORMAT);
    let chunkSize = this.options.defaultChunkSize;
    if (t.count === 3) {
      const n = tokenI32(t, 2);
      if (n === undefined || n < 1 || n > this.options.maxChunkSize) return s.reply(StreamReply.BAD_CHUNK_SIZE);
      chunkSize = n;
    }
    const key = t.str(1);
    return then(this.uc.retrieval.get(key), (item) => {
      if (item === undefined) return s.reply('STREAM_ERROR NOT_FOUND ' + key + '\r\n');
      // send() waits for drains: a small value may be a view of store memory that changes meanwhile (CacheStore).
      const value = item.value.length < SHARED_VALUE_LIMIT ? Buffer.from(item.value) : item.value;
      return this.send(s, key, value, chunkSize);
    });
  }

  /**
   * Writes the chunks one at a time; when the socket buffer is full, waits
   * for it to drain, so a slow reader holds at most about one chunk (plus the
   * socket's high-water mark) in this process, never the whole value.
   */
  private async send(s: AsciiSession, key: string, value: Buffer, chunkSize: number): Promise<void> {
    const total = value.length;
    const count = Math.ceil(total / chunkSize);
    s.reply('STREAM_BEGIN ' + key + ' ' + total + ' ' + count + '\r\n');
    for (let n = 0; n < count; n++) {
      if (s.isClosed) return;
      // A view, not a copy: the stored Buffer is never modified in place.
      const part = value.subarray(n * chunkSize, Math.min(total, (n + 1) * chunkSize));
      s.reply('STREAM_DATA ' + key + ' ' + n + ' ' + part.length + '\r\n');
      s.writer.data(part);
      s.reply('\r\n');
      if (!s.flushReplies()) await s.writable();
    }
    s.reply('STREAM_END ' + key + '\r\n');
  }

  // ---- chunked upload ----------------------------------------------------

  private uploadsOf(s: AsciiSession): ConnectionUploads {
    let u = this.connections.get(s);
    if (u === undefined) {
      const created: ConnectionUploads = { open: new Map(), timedOut: new Set() };
      u = created;
      this.connections.set(s, created);
      s.socket.once('close', () => {
        for (const up of created.open.values()) this.drop(created, up);
      });
    }
    return u;
  }

  private setBegin(s: AsciiSession, t: Tokens): void {
    if (t.count !== 5 && t.count !== 6) return s.reply(Reply.ERROR);
    if (t.length(1) > KEY_MAX_LENGTH) return s.reply(Reply.BAD_FORMAT);
    const total64 = tokenU64(t, 2);
    const count = tokenI32(t, 3);
    const flags = tokenU32(t, 4);
    const exptime = t.count === 6 ? tokenI32(t, 5) : 0;
    if (total64 === undefined || count === undefined || flags < 0 || exptime === undefined) return s.reply(Reply.BAD_FORMAT);
    const key = t.str(1);
    const o = this.options;
    const tooLarge = o.largeValues ? total64 > BigInt(o.maxValueSize) : !this.uc.storage.fits(key.length, Number(total64), flags);
    if (tooLarge || total64 > BigInt(Number.MAX_SAFE_INTEGER)) return s.reply(Reply.TOO_LARGE);
    const total = Number(total64);
    // Every chunk holds at least one byte (an empty value is one empty chunk) and at most maxChunkSize.
    if (count < 1 || count > Math.max(total, 1) || count < Math.ceil(total / o.maxChunkSize)) return s.reply(StreamReply.BAD_CHUNK_COUNT);
    const conn = this.uploadsOf(s);
    const existing = conn.open.get(key);
    if (existing !== undefined)
      this.drop(conn, existing); // set_begin again restarts the upload
    else if (conn.open.size >= o.maxUploadsPerConnection) return s.reply(StreamReply.TOO_MANY);
    conn.timedOut.delete(key);
    const up: Upload = { key, total, flags, exptime, chunks: new Array<Buffer | undefined>(count), chunkCount: 0, received: 0, timer: undefined };
    conn.open.set(key, up);
    this.openCount++;
    this.arm(conn, up);
    s.reply(Reply.OK);
  }

  private setData(s: AsciiSession, t: Tokens): void {
    if (t.count !== 4) return s.reply(Reply.ERROR);
    const len = tokenI32(t, 3);
    if (len === undefined || len < 0 || len > 0x7fff_fffd) return s.reply(Reply.BAD_FORMAT);
    // Once the length is known, a refused chunk's data is skipped, never parsed as commands.
    const refuse = (text: string): void => {
      s.reply(text);
      s.swallowData(len + 2);
    };
    if (t.length(1) > KEY_MAX_LENGTH) return refuse(Reply.BAD_FORMAT);
    const n = tokenI32(t, 2);
    if (n === undefined || n < 0) return refuse(Reply.BAD_FORMAT);
    if (len > this.options.maxChunkSize) return refuse(StreamReply.CHUNK_TOO_LARGE);
    const key = t.str(1);
    const conn = this.uploadsOf(s);
    const up = conn.open.get(key);
    if (up === undefined) return refuse(this.unknown(conn, key));
    if (n >= up.chunks.length) return refuse(StreamReply.OUT_OF_RANGE);
    if (up.chunks[n] !== undefined) return refuse(StreamReply.DUPLICATE);
    if (up.received + len > up.total || (len === 0 && up.total > 0)) return refuse(StreamReply.SIZE_MISMATCH);
    this.arm(conn, up);
    s.expectData(len + 2, {
      data: (block) => {
        // The upload may have timed out or been restarted while the block arrived.
        if (conn.open.get(key) !== up) return s.reply(this.unknown(conn, key));
        if (up.chunks[n] !== undefined) return s.reply(StreamReply.DUPLICATE);
        up.chunks[n] = block;
        up.chunkCount++;
        up.received += block.length;
        this.buffered += block.length;
        this.arm(conn, up);
        s.reply(Reply.OK);
      },
      badChunk: () => s.reply(Reply.BAD_CHUNK),
    });
  }

  private setEnd(s: AsciiSession, t: Tokens): MaybePromise<void> {
    if (t.count !== 2) return s.reply(Reply.ERROR);
    if (t.length(1) > KEY_MAX_LENGTH) return s.reply(Reply.BAD_FORMAT);
    const key = t.str(1);
    const conn = this.uploadsOf(s);
    const up = conn.open.get(key);
    if (up === undefined) return s.reply(this.unknown(conn, key));
    const { chunks } = up;
    const complete = up.chunkCount === chunks.length;
    const sizeOk = up.received === up.total;
    // Whatever happens next, the upload is over: a failed one must be started again.
    this.drop(conn, up);
    if (!complete) return s.reply(StreamReply.INCOMPLETE);
    if (!sizeOk) return s.reply(StreamReply.SIZE_MISMATCH);
    const value = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks as Buffer[], up.total);
    const r = this.uc.storage.store(StoreMode.Set, key, up.flags, up.exptime, value, 0);
    return then(r, (outcome) => s.reply(storeReply(outcome)));
  }

  private setAbort(s: AsciiSession, t: Tokens): void {
    if (t.count !== 2) return s.reply(Reply.ERROR);
    const conn = this.uploadsOf(s);
    const up = conn.open.get(t.str(1));
    if (up === undefined) return s.reply(this.unknown(conn, t.str(1)));
    this.drop(conn, up);
    s.reply(Reply.OK);
  }

  private unknown(conn: ConnectionUploads, key: string): string {
    if (conn.timedOut.delete(key)) return StreamReply.TIMED_OUT;
    return StreamReply.UNKNOWN_UPLOAD;
  }

  /** (Re)starts the idle timer of an upload. */
  private arm(conn: ConnectionUploads, up: Upload): void {
    if (up.timer !== undefined) clearTimeout(up.timer);
    up.timer = setTimeout(() => {
      if (conn.open.get(up.key) !== up) return;
      this.drop(conn, up);
      if (conn.timedOut.size >= MAX_REMEMBERED_TIMEOUTS) conn.timedOut.delete(conn.timedOut.values().next().value!);
      conn.timedOut.add(up.key);
    }, this.options.uploadIdleTimeoutMs);
    up.timer.unref();
  }

  /** Forgets an upload and frees its data. */
  private drop(conn: ConnectionUploads, up: Upload): void {
    if (up.timer !== undefined) clearTimeout(up.timer);
    up.timer = undefined;
    if (conn.open.get(up.key) === up) {
      conn.open.delete(up.key);
      this.openCount--;
    }
    for (const c of up.chunks) if (c !== undefined) this.buffered -= c.length;
    up.chunks = new Array<Buffer | undefined>(up.chunks.length);
  }
}
