import { frame, HEADER_LENGTH, Op, RESPONSE_MAGIC } from '../../support/binary-frames.js';
import { TcpClient, type WaitOutcome } from '../../support/tcp-client.js';

/**
 * Opaque of the Noop appended to every request. Both servers answer a Noop
 * only after everything sent before it, so reading up to its response
 * captures a step's complete output, quiet commands' silence included. Corpus
 * and generator opaques stay below 2^31, so a Noop of theirs is never taken
 * for it.
 */
export const SENTINEL_OPAQUE = 0xffff_fffe;

const SENTINEL_REQUEST = frame(Op.Noop, { opaque: SENTINEL_OPAQUE });

export type BinaryReplyOutcome = WaitOutcome;

export interface BinaryReply {
  /** Whole response frames (header and body) before the sentinel's response. */
  readonly frames: readonly Buffer[];
  /** Bytes that do not form a response frame (bad magic, or a frame cut short by close/timeout). */
  readonly unframed: Buffer;
  readonly outcome: BinaryReplyOutcome;
}

/** A raw TCP connection speaking the binary protocol, one exchange at a time. */
export class BinaryWireClient {
  /** Offset up to which `buffered` has been cut into frames already. */
  private scanned = 0;
  private parsed: Buffer[] = [];

  private constructor(private readonly connection: TcpClient) {}

  static async connect(host: string, port: number): Promise<BinaryWireClient> {
    return new BinaryWireClient(await TcpClient.connect(port, host));
  }

  /**
   * Sends `request` plus the sentinel Noop and resolves with the response
   * frames before the sentinel's. After 'closed' or 'timeout' the client must
   * be replaced.
   */
  async exchange(request: Buffer, timeoutMs: number): Promise<BinaryReply> {
    this.connection.send(Buffer.concat([request, SENTINEL_REQUEST]));
    const outcome = await this.connection.waitFor(() => this.cutFrames(), timeoutMs);
    if (outcome !== 'complete') return this.drain(outcome);
    const frames = this.parsed;
    this.parsed = [];
    return { frames, unframed: Buffer.alloc(0), outcome };
  }

  close(): void {
    this.connection.close();
  }

  /**
   * Moves whole frames from `buffered` to `parsed`; true once the sentinel's
   * response was cut (it is dropped, and so is everything before it in
   * `buffered`). Stops at bytes that are not a response header: nothing after
   * them can be framed, so they wait for close or timeout.
   */
  private cutFrames(): boolean {
    const b = this.connection.buffered;
    for (;;) {
      const at = this.scanned;
      if (b.length - at < HEADER_LENGTH || b[at] !== RESPONSE_MAGIC) return false;
      const end = at + HEADER_LENGTH + b.readUInt32BE(at + 8);
      if (b.length < end) return false;
      this.scanned = end;
      if (b[at + 1] === Op.Noop && b.readUInt32BE(at + 12) === SENTINEL_OPAQUE) {
        this.connection.buffered = b.subarray(end);
        this.scanned = 0;
        return true;
      }
      this.parsed.push(Buffer.from(b.subarray(at, end)));
    }
  }

  private drain(outcome: BinaryReplyOutcome): BinaryReply {
    const frames = this.parsed;
    const unframed = this.connection.takeAll().subarray(this.scanned);
    this.parsed = [];
    this.scanned = 0;
    return { frames, unframed, outcome };
  }
}
