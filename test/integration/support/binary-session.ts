import { bin, encodeFrame, renderBinaryStep, type BinaryStep } from './binary-script.js';
import { BinaryReplyNormaliser } from './binary-normaliser.js';
import { BinaryWireClient } from './binary-wire.js';
import type { RunningServer } from './running-server.js';

/** Per-step limit; generous because some requests carry over 1 MiB. */
const STEP_TIMEOUT_MS = 5_000;

/** What one side answered to one step: one normalised line per response frame, then any end marker. */
export type BinaryObservation = readonly string[];

/** Fixed request used by reset(); its opaque is outside the corpus's and generator's ranges. */
const RESET_FLUSH = encodeFrame(bin.flush(undefined, { opaque: 0xffff_fff0 }), () => 0n);

/**
 * One side of a binary comparison: a connection plus the cas numbering that
 * belongs to the script being run on it.
 */
export class BinarySession {
  private client: BinaryWireClient | undefined;
  private normaliser = new BinaryReplyNormaliser();

  constructor(readonly server: RunningServer) {}

  /** New connection, binary Flush (which also cancels a delayed flush), new cas numbering. */
  async reset(foldDecrPadding = false): Promise<void> {
    this.close();
    this.normaliser = new BinaryReplyNormaliser(foldDecrPadding);
    const client = await this.connect();
    const reply = await client.exchange(RESET_FLUSH, STEP_TIMEOUT_MS);
    const flushed = reply.frames.length === 1 && reply.frames[0]?.readUInt16BE(6) === 0;
    if (reply.outcome !== 'complete' || !flushed) {
      const seen = [...reply.frames.map((f) => f.toString('hex')), reply.unframed.toString('hex')].join(' ');
      throw new Error(`${this.server.description}: reset Flush + Noop answered ${seen || 'nothing'} (${reply.outcome})`);
    }
  }

  async perform(step: BinaryStep): Promise<BinaryObservation> {
    const client = this.client ?? (await this.connect());
    const request = renderBinaryStep(step, (ref) => this.normaliser.resolveCas(ref));
    const reply = await client.exchange(request, STEP_TIMEOUT_MS);
    const lines = reply.frames.map((frame) => this.normaliser.normalise(frame));
    if (reply.unframed.length > 0) lines.push(`<unframed ${reply.unframed.toString('hex')}>`);
    if (reply.outcome === 'complete') return lines;
    // The connection is unusable (closed by the server, or stuck mid-reply);
    // the next step starts a new one, as a client would.
    this.close();
    lines.push(`<connection ${reply.outcome}>`);
    return lines;
  }

  close(): void {
    this.client?.close();
    this.client = undefined;
  }

  /**
   * A new connection, put in binary mode by a Noop first, as a binary client's
   * first frame is: memcached picks the protocol from a connection's first
   * byte, so a step that began a connection with a bad magic byte would be
   * read as a text line (and wait for a newline) instead of closing it.
   */
  private async connect(): Promise<BinaryWireClient> {
    const client = await BinaryWireClient.connect(this.server.host, this.server.port);
    const reply = await client.exchange(Buffer.alloc(0), STEP_TIMEOUT_MS);
    if (reply.outcome !== 'complete' || reply.frames.length > 0) {
      client.close();
      throw new Error(`${this.server.description}: a new connection's Noop answered ${reply.frames.length} frame(s) before it (${reply.outcome})`);
    }
    this.client = client;
    return client;
  }
}
