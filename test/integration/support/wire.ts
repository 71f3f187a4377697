import net from 'node:net';

import { readReplyUnit } from './reply-framing.js';

/**
 * Appended to every request. memcached 1.6 answers the meta no-op `mn` with
 * "MN\r\n" after everything sent before it has been answered, so reading up to
 * that line captures a request's complete output, including none at all
 * (noreply) and stray output a server should not have sent.
 */
export const SENTINEL_REQUEST = 'mn\r\n';
const SENTINEL_LINE = 'MN';

/** How reading a reply ended. */
export type ReplyOutcome = 'complete' | 'closed' | 'timeout';

export interface Reply {
  /** Everything received before the sentinel's line (or before close/timeout). */
  readonly bytes: Buffer;
  readonly outcome: ReplyOutcome;
}

/** A raw TCP connection that sends request bytes and reads reply bytes. */
export class WireClient {
  private buffered: Buffer = Buffer.alloc(0);
  private scanned = 0;
  private closed = false;
  private wake: (() => void) | undefined;

  private constructor(private readonly socket: net.Socket) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
      this.wake?.();
    });
    socket.on('close', () => {
      this.closed = true;
      this.wake?.();
    });
    // A reset shows up as 'close' right after; the error itself carries nothing to compare.
    socket.on('error', () => undefined);
  }

  static async connect(host: string, port: number): Promise<WireClient> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host, port });
      socket.once('connect', () => {
        socket.removeListener('error', reject);
        resolve(new WireClient(socket));
      });
      socket.once('error', reject);
    });
  }

  /** Whether the server closed the connection (e.g. after `quit`). */
  get isClosed(): boolean {
    return this.closed;
  }

  /**
   * Sends `request` followed by the sentinel and resolves with the reply.
   * After a 'timeout' or 'closed' outcome the client must be replaced.
   */
  async exchange(request: Buffer, timeoutMs: number): Promise<Reply> {
    if (!this.closed) this.socket.write(Buffer.concat([request, Buffer.from(SENTINEL_REQUEST, 'latin1')]));
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.findSentinel();
      if (found !== undefined) {
        const bytes = this.buffered.subarray(0, found.start);
        this.buffered = this.buffered.subarray(found.end);
        this.scanned = 0;
        return { bytes: Buffer.from(bytes), outcome: 'complete' };
      }
      if (this.closed) return this.drain('closed');
      const left = deadline - Date.now();
      if (left <= 0) return this.drain('timeout');
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = undefined;
    }
  }

  close(): void {
    this.socket.destroy();
  }

  /** Walks whole reply units from where the last call stopped, so large values are scanned once. */
  private findSentinel(): { start: number; end: number } | undefined {
    for (;;) {
      const unit = readReplyUnit(this.buffered, this.scanned);
      if (unit === undefined) return undefined;
      if (unit.line === SENTINEL_LINE) return { start: unit.start, end: unit.end };
      this.scanned = unit.end;
    }
  }

  private drain(outcome: ReplyOutcome): Reply {
    const bytes = Buffer.from(this.buffered);
    this.buffered = Buffer.alloc(0);
    this.scanned = 0;
    return { bytes, outcome };
  }
}
