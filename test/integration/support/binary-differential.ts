import { describeBinaryStep, frameCount, type BinaryStep } from './binary-script.js';
import { BinarySession, type BinaryObservation } from './binary-session.js';
import type { RunningServer } from './running-server.js';
import { abbreviate } from './script.js';
import { startServerPair } from './server-pair.js';
import { shrink } from './shrink.js';

/** A step whose normalised responses differed. */
export interface BinaryMismatch {
  readonly index: number;
  readonly step: BinaryStep;
  readonly reference: BinaryObservation;
  readonly target: BinaryObservation;
}

export interface BinaryRunOutcome {
  /** Steps (writes) sent to both sides and compared. */
  readonly steps: number;
  /** Request frames in those steps. */
  readonly requestFrames: number;
  /** Response frames compared (per side). */
  readonly responseFrames: number;
  readonly mismatch?: BinaryMismatch;
}

function same(a: BinaryObservation, b: BinaryObservation): boolean {
  return a.length === b.length && a.every((line, i) => line === b[i]);
}

function render(observation: BinaryObservation, indent: string): string {
  if (observation.length === 0) return `${indent}(nothing)`;
  return observation.map((line) => `${indent}${abbreviate(line).slice(1, -1)}`).join('\n');
}

/** The reference memcached and the server under test, one binary session each. */
export class BinaryDifferentialPair {
  private foldDecrPadding = false;

  private constructor(
    readonly referenceServer: RunningServer,
    readonly targetServer: RunningServer,
    private readonly reference: BinarySession,
    private readonly target: BinarySession,
  ) {}

  static async start(): Promise<BinaryDifferentialPair> {
    const { referenceServer, targetServer } = await startServerPair();
    return new BinaryDifferentialPair(referenceServer, targetServer, new BinarySession(referenceServer), new BinarySession(targetServer));
  }

  async stop(): Promise<void> {
    this.reference.close();
    this.target.close();
    await Promise.all([this.referenceServer.stop(), this.targetServer.stop()]);
  }

  /** Fresh, flushed state on both sides. */
  async reset(options: { foldDecrPadding?: boolean } = {}): Promise<void> {
    this.foldDecrPadding = options.foldDecrPadding ?? false;
    await Promise.all([this.reference.reset(this.foldDecrPadding), this.target.reset(this.foldDecrPadding)]);
  }

  /** Sends each step to both sides (concurrently, one step at a time) and stops at the first difference. */
  async run(
    steps: readonly BinaryStep[],
    record?: (index: number, reference: BinaryObservation, target: BinaryObservation) => void,
  ): Promise<BinaryRunOutcome> {
    let compared = 0;
    let requestFrames = 0;
    let responseFrames = 0;
    for (let index = 0; index < steps.length; index += 1) {
      const step = steps[index] as BinaryStep;
      const [reference, target] = await Promise.all([this.reference.perform(step), this.target.perform(step)]);
      compared += 1;
      requestFrames += frameCount(step);
      if (reference[reference.length - 1] === '<connection timeout>') {
        // memcached never leaves a complete request unanswered, so the step is
        // broken (e.g. a body shorter than its declared length swallows the
        // sentinel Noop). Fail loudly rather than compare two stalls.
        throw new Error(`step #${index} ${describeBinaryStep(step)}: reference memcached did not finish answering; the step is incomplete`);
      }
      record?.(index, reference, target);
      responseFrames += reference.filter((line) => line.startsWith('[')).length;
      if (!same(reference, target)) return { steps: compared, requestFrames, responseFrames, mismatch: { index, step, reference, target } };
    }
    return { steps: compared, requestFrames, responseFrames };
  }

  /** Resets both sides and runs `steps`; true if some response differs. */
  async reproduces(steps: readonly BinaryStep[]): Promise<boolean> {
    await this.reset({ foldDecrPadding: this.foldDecrPadding });
    return (await this.run(steps)).mismatch !== undefined;
  }

  /**
   * Shrinks the steps up to a mismatch to a minimal sequence that still
   * produces one on fresh, flushed servers, and describes it: requests frame
   * by frame, responses with every header field decoded.
   */
  async explain(context: string, steps: readonly BinaryStep[], mismatch: BinaryMismatch): Promise<string> {
    const prefix = steps.slice(0, mismatch.index + 1);
    const started = Date.now();
    const shrunk = await shrink(prefix, (candidate) => this.reproduces(candidate), { maxTests: 3_000, deadlineMs: 60_000 });
    const lines: string[] = [
      `${context}: responses differ at step #${mismatch.index} of ${steps.length}`,
      `  request:   ${describeBinaryStep(mismatch.step)}`,
      `  reference [${this.referenceServer.description}]:`,
      render(mismatch.reference, '    '),
      `  target [${this.targetServer.description}]:`,
      render(mismatch.target, '    '),
      ...(this.foldDecrPadding ? ["  (values shown with decr's space padding folded away)"] : []),
      `Shortest reproduction found (${shrunk.items.length} of ${prefix.length} steps, ${shrunk.tests} replays, ` +
        `${Date.now() - started} ms${shrunk.minimal ? '' : ', budget exhausted: may not be minimal'}), on freshly flushed servers:`,
    ];
    await this.reset({ foldDecrPadding: this.foldDecrPadding });
    const rerun = await this.run(shrunk.items, (index, reference, target) => {
      const step = shrunk.items[index] as BinaryStep;
      lines.push(`  ${index + 1}. send      ${describeBinaryStep(step)}`);
      if (same(reference, target)) {
        lines.push('     both:', render(reference, '       '));
      } else {
        lines.push('     reference:', render(reference, '       '), '     target:', render(target, '       '));
      }
    });
    if (rerun.mismatch === undefined) lines.push('  (this sequence did not reproduce on the final rerun: the difference may be timing-dependent)');
    return lines.join('\n');
  }
}
