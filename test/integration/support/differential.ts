import { sameUpToClockTicks } from './clock-slack.js';
import type { RunningServer } from './running-server.js';
import { abbreviate, describeStep, type Step } from './script.js';
import { Session, type Observation } from './session.js';
import { startServerPair } from './server-pair.js';
import { shrink } from './shrink.js';

/** A step whose normalised replies differed. */
export interface Mismatch {
  readonly index: number;
  readonly step: Step;
  readonly reference: Observation;
  readonly target: Observation;
}

export interface RunOutcome {
  /** Requests sent to both sides and compared. */
  readonly compared: number;
  readonly mismatch?: Mismatch;
}

/** The reference memcached and the server under test, one session each. */
export class DifferentialPair {
  private constructor(
    readonly referenceServer: RunningServer,
    readonly targetServer: RunningServer,
    private readonly reference: Session,
    private readonly target: Session,
  ) {}

  static async start(): Promise<DifferentialPair> {
    const { referenceServer, targetServer } = await startServerPair();
    return new DifferentialPair(referenceServer, targetServer, new Session(referenceServer), new Session(targetServer));
  }

  async stop(): Promise<void> {
    this.reference.close();
    this.target.close();
    await Promise.all([this.referenceServer.stop(), this.targetServer.stop()]);
  }

  /** Whether replies fold decr's in-place padding (see ReplyNormaliser); set per script by reset(). */
  private foldDecrPadding = false;

  /** Fresh, flushed state on both sides. */
  async reset(options: { foldDecrPadding?: boolean } = {}): Promise<void> {
    this.foldDecrPadding = options.foldDecrPadding ?? false;
    await Promise.all([this.reference.reset(this.foldDecrPadding), this.target.reset(this.foldDecrPadding)]);
  }

  /**
   * Sends each step to both sides (concurrently, one step at a time) and
   * stops at the first difference. Does not reset first.
   */
  async run(steps: readonly Step[], record?: (index: number, reference: Observation, target: Observation) => void): Promise<RunOutcome> {
    let compared = 0;
    for (let index = 0; index < steps.length; index += 1) {
      const step = steps[index] as Step;
      if (step.kind === 'sleep') {
        await new Promise((resolve) => setTimeout(resolve, step.ms));
        continue;
      }
      const [reference, target] = await Promise.all([this.reference.perform(step), this.target.perform(step)]);
      compared += 1;
      if (reference.endsWith('<connection timeout>')) {
        // The reference never leaves a complete request unanswered, so the
        // step itself is broken (e.g. a data block shorter than announced
        // swallows the sentinel). Fail loudly rather than compare two stalls.
        throw new Error(`step #${index} ${describeStep(step)}: reference memcached did not finish answering; the step is incomplete`);
      }
      record?.(index, reference, target);
      if (!sameUpToClockTicks(reference, target)) return { compared, mismatch: { index, step, reference, target } };
    }
    return { compared };
  }

  /** Resets both sides and runs `steps`; true if some reply differs. */
  async reproduces(steps: readonly Step[]): Promise<boolean> {
    await this.reset({ foldDecrPadding: this.foldDecrPadding });
    return (await this.run(steps)).mismatch !== undefined;
  }

  /**
   * Shrinks the steps up to a mismatch to a minimal sequence that still
   * produces one on fresh, flushed servers, and describes it for a failure
   * message.
   */
  async explain(context: string, steps: readonly Step[], mismatch: Mismatch): Promise<string> {
    const prefix = steps.slice(0, mismatch.index + 1);
    const started = Date.now();
    const shrunk = await shrink(prefix, (candidate) => this.reproduces(candidate), { maxTests: 3_000, deadlineMs: 120_000 });
    const lines: string[] = [
      `${context}: replies differ at request #${mismatch.index} of ${steps.length}`,
      `  request:   ${describeStep(mismatch.step)}`,
      `  reference: ${abbreviate(mismatch.reference)}  [${this.referenceServer.description}]`,
      `  target:    ${abbreviate(mismatch.target)}  [${this.targetServer.description}]`,
      ...(this.foldDecrPadding ? ["  (replies shown with decr's space padding folded away)"] : []),
      `Shortest reproduction found (${shrunk.items.length} of ${prefix.length} steps, ${shrunk.tests} replays, ` +
        `${Date.now() - started} ms${shrunk.minimal ? '' : ', budget exhausted: may not be minimal'}), on freshly flushed servers:`,
    ];
    await this.reset({ foldDecrPadding: this.foldDecrPadding });
    const transcript: string[] = [];
    const rerun = await this.run(shrunk.items, (index, reference, target) => {
      const step = shrunk.items[index] as Step;
      transcript.push(`  ${index + 1}. send      ${describeStep(step)}`);
      if (sameUpToClockTicks(reference, target)) {
        transcript.push(`     both      ${abbreviate(reference)}`);
      } else {
        transcript.push(`     reference ${abbreviate(reference)}`, `     target    ${abbreviate(target)}`);
      }
    });
    lines.push(...transcript);
    if (rerun.mismatch === undefined) lines.push('  (this sequence did not reproduce on the final rerun: the difference may be timing-dependent)');
    return lines.join('\n');
  }
}
