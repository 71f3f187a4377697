import { TcpClient, type WaitOutcome } from '../../support/tcp-client.js';
import { readReplyUnit } from './reply-framing.js';

/**
 * Appended to every request: a meta get of a key no script uses, with an
 * opaque unique to the exchange. memcached answers it after everything sent
 * before it, with `EN O<opaque>` (a miss echoes the opaque), so reading up to
 * that line captures a request's complete output, including none at all
 * (noreply, quiet meta commands) and stray output a server should not have
 * sent. Unlike `mn`, whose `MN` a request may itself produce, the opaque
 * makes the line impossible to fake.
 */
export const SENTINEL_KEY = 'rat-differential-sentinel';

/** How reading a reply ended. */
export type ReplyOutcome = WaitOutcome;

export interface Reply {
  /** Everything received before the sentinel's line (or before close/timeout). */
  readonly bytes: Buffer;
  readonly outcome: ReplyOutcome;
}

/** A raw TCP connection that sends text-protocol requests and reads reply bytes. */
export class WireClient {
  /** Offset up to which `buffered` was walked unit by unit already. */
  private scanned = 0;
  private exchanges = 0;

  private constructor(private readonly connection: TcpClient) {}

  static async connect(host: string, port: number): Promise<WireClient> {
    return new WireClient(await TcpClient.connect(port, host));
  }

  /** Whether the server closed the connection (e.g. after `quit`). */
  get isClosed(): boolean {
    return this.connection.closed;
  }

  /**
   * Sends `request` followed by the sentinel and resolves with the reply.
   * After a 'timeout' or 'closed' outcome the client must be replaced.
   */
  async exchange(request: Buffer, timeoutMs: number): Promise<Reply> {
    this.exchanges += 1;
    const sentinelLine = `EN O${this.exchanges}`;
    this.connection.send(Buffer.concat([request, Buffer.from(`mg ${SENTINEL_KEY} O${this.exchanges}\r\n`, 'latin1')]));
    let found: { start: number; end: number } | undefined;
    const outcome = await this.connection.waitFor(() => (found = this.findSentinel(sentinelLine)) !== undefined, timeoutMs);
    this.scanned = 0;
    if (outcome !== 'complete' || found === undefined) return { bytes: this.connection.takeAll(), outcome };
    const bytes = Buffer.from(this.connection.buffered.subarray(0, found.start));
    this.connection.buffered = this.connection.buffered.subarray(found.end);
    return { bytes, outcome };
  }

  close(): void {
    this.connection.close();
  }

  /** Walks whole reply units from where the last call stopped, so large values are scanned once. */
  private findSentinel(sentinelLine: string): { start: number; end: number } | undefined {
    const buffered = this.connection.buffered;
    for (;;) {
      const unit = readReplyUnit(buffered, this.scanned);
      if (unit === undefined) return undefined;
      if (unit.line === sentinelLine) return { start: unit.start, end: unit.end };
      this.scanned = unit.end;
    }
  }
}
