import { expect } from 'chai';

import { corpus, expiryScripts } from './corpus/index.js';
import { generateCommands } from './support/command-generator.js';
import { DifferentialPair } from './support/differential.js';
import type { Script, Step } from './support/script.js';

/**
 * Differential conformance: every request goes byte for byte to the reference
 * memcached and to the server under test, and the replies must be identical
 * after normalising only cas uniques, version strings and stats values (see
 * support/normaliser.ts).
 */

/** Fixed seeds; RATTEST_DIFF_SEED runs just that one (e.g. to replay a CI failure). */
const SEEDS = process.env['RATTEST_DIFF_SEED'] ? [Number(process.env['RATTEST_DIFF_SEED'])] : [20251121, 7, 1234567, 42, 16, 2026, 99991, 314159];
/** Commands per seed; 8 × 7000 = 56,000 per run. */
const COMMANDS_PER_SEED = Number(process.env['RATTEST_DIFF_COMMANDS'] ?? 7000);

describe('differential conformance against memcached (classic ASCII)', function () {
  let pair: DifferentialPair;
  /** Requests compared (one write each); a pipelined request holds several commands. */
  let requests = 0;
  let commands = 0;
  let metaCommands = 0;
  let metaFaultCommands = 0;

  before(async function () {
    this.timeout(120_000);
    pair = await DifferentialPair.start();
  });

  after(async function () {
    this.timeout(30_000);
    console.log(
      `      differential: ${commands} commands in ${requests} requests compared (${metaCommands} random meta commands among them, ` +
        `${metaFaultCommands} of those from the every-flag fault generator), ` +
        `reference = ${pair?.referenceServer.description ?? 'not started'}, target = ${pair?.targetServer.description ?? 'not started'}`,
    );
    await pair?.stop();
  });

  async function expectSame(context: string, steps: readonly Step[], foldDecrPadding = false): Promise<number> {
    await pair.reset({ foldDecrPadding });
    const outcome = await pair.run(steps);
    requests += outcome.compared;
    if (outcome.mismatch !== undefined) {
      expect.fail(await pair.explain(context, steps, outcome.mismatch));
    }
    return outcome.compared;
  }

  describe('hand-written corpus', function () {
    for (const script of corpus) {
      it(script.name, async function () {
        commands += await expectSame(`corpus "${script.name}"`, script.steps);
      });
    }
  });

  describe('seeded random command streams', function () {
    for (const seed of SEEDS) {
      it(`seed ${seed}: ${COMMANDS_PER_SEED} commands`, async function () {
        this.timeout(600_000);
        const run = generateCommands(seed, COMMANDS_PER_SEED);
        const steps = await expectSame(`random stream, seed ${seed} (rerun with RATTEST_DIFF_SEED=${seed})`, run.steps, true);
        expect(steps).to.equal(run.steps.length);
        commands += run.commands;
        metaCommands += run.metaCommands;
        metaFaultCommands += run.metaFaultCommands;
      });
    }
  });

  describe('expiry (timing-dependent, 2 s TTLs)', function () {
    for (const script of expiryScripts as Script[]) {
      it(script.name, async function () {
        this.timeout(60_000);
        commands += await expectSame(`expiry "${script.name}"`, script.steps);
      });
    }
  });
});
