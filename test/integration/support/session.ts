import { EnvironmentError, type RunningServer } from './running-server.js';
import { ReplyNormaliser } from './normaliser.js';
import { renderStep, type SendStep } from './script.js';
import { WireClient } from './wire.js';

/** Per-request limit; generous because some requests carry over 1 MiB. */
const STEP_TIMEOUT_MS = 5_000;

/** What one side answered to one step, normalised, as latin1 text. */
export type Observation = string;

/**
 * One side of a comparison: a connection plus the normaliser state (cas
 * numbering) that belongs to the script being run on it.
 */
export class Session {
  private client: WireClient | undefined;
  private normaliser = new ReplyNormaliser();

  constructor(readonly server: RunningServer) {}

  /**
   * Makes the server as good as fresh for a new script: new connection,
   * `flush_all` (which also cancels a pending delayed flush), new cas numbering.
   * @param foldDecrPadding see {@link ReplyNormaliser}.
   */
  async reset(foldDecrPadding = false): Promise<void> {
    this.close();
    this.normaliser = new ReplyNormaliser(foldDecrPadding);
    const client = await this.connect();
    const reply = await client.exchange(Buffer.from('flush_all\r\n', 'latin1'), STEP_TIMEOUT_MS);
    const text = reply.bytes.toString('latin1');
    if (reply.outcome === 'timeout' && text.endsWith('ERROR\r\n')) {
      throw new EnvironmentError(
        `${this.server.description} does not answer a meta get miss "mg <key> O<opaque>" with "EN O<opaque>\\r\\n" (got ${JSON.stringify(text)}): the suite ends every request with one as its end-of-reply sentinel`,
      );
    }
    if (reply.outcome !== 'complete' || text !== 'OK\r\n') {
      throw new Error(`${this.server.description}: reset flush_all answered ${JSON.stringify(text)} (${reply.outcome})`);
    }
  }

  async perform(step: SendStep): Promise<Observation> {
    const client = this.client ?? (await this.connect());
    const request = renderStep(step, (ref) => this.normaliser.resolveCas(ref));
    const reply = await client.exchange(request, STEP_TIMEOUT_MS);
    const text = this.normaliser.normalise(reply.bytes).toString('latin1');
    if (reply.outcome === 'complete') return text;
    // The connection is unusable (closed by the server, or stuck mid-reply);
    // the next step starts a new one, as a client would.
    this.close();
    return `${text}<connection ${reply.outcome}>`;
  }

  close(): void {
    this.client?.close();
    this.client = undefined;
  }

  private async connect(): Promise<WireClient> {
    this.client = await WireClient.connect(this.server.host, this.server.port);
    return this.client;
  }
}
