import { expect } from 'chai';

import { binaryCorpus } from './corpus/binary-index.js';
import { BinaryDifferentialPair, type BinaryRunOutcome } from './support/binary-differential.js';
import type { BinaryStep } from './support/binary-script.js';
import { generateBinaryCommands } from './support/binary-generator.js';

/**
 * Differential conformance for the binary protocol: every step goes frame for
 * frame to the reference memcached and to the server under test, followed by
 * a Noop whose response ends the step, and the response frames must be
 * identical after normalising only cas values, the Version body and Stat
 * values (see support/binary-normaliser.ts).
 */

/** Fixed seeds; RATTEST_BINARY_DIFF_SEED runs just that one (e.g. to replay a CI failure). */
const SEEDS = process.env['RATTEST_BINARY_DIFF_SEED'] ? [Number(process.env['RATTEST_BINARY_DIFF_SEED'])] : [20251121, 7, 1234567];
/** Request frames per seed; 3 × 4000 = 12,000 per run (at least 5,000 asked for). */
const COMMANDS_PER_SEED = Number(process.env['RATTEST_BINARY_DIFF_COMMANDS'] ?? 4000);

describe('differential conformance against memcached (binary protocol)', function () {
  let pair: BinaryDifferentialPair;
  let writes = 0;
  let requestFrames = 0;
  let responseFrames = 0;

  before(async function () {
    this.timeout(120_000);
    pair = await BinaryDifferentialPair.start();
  });

  after(async function () {
    this.timeout(30_000);
    console.log(
      `      binary differential: ${requestFrames} request frames in ${writes} writes compared, ${responseFrames} response frames per side, ` +
        `reference = ${pair?.referenceServer.description ?? 'not started'}, target = ${pair?.targetServer.description ?? 'not started'}`,
    );
    await pair?.stop();
  });

  function count(outcome: BinaryRunOutcome): void {
    writes += outcome.steps;
    requestFrames += outcome.requestFrames;
    responseFrames += outcome.responseFrames;
  }

  async function expectSame(context: string, steps: readonly BinaryStep[], foldDecrPadding = false): Promise<BinaryRunOutcome> {
    await pair.reset({ foldDecrPadding });
    const outcome = await pair.run(steps);
    count(outcome);
    if (outcome.mismatch !== undefined) {
      expect.fail(await pair.explain(context, steps, outcome.mismatch));
    }
    return outcome;
  }

  describe('hand-written binary corpus', function () {
    for (const script of binaryCorpus) {
      it(script.name, async function () {
        const outcome = await expectSame(`binary corpus "${script.name}"`, script.steps);
        expect(outcome.steps).to.equal(script.steps.length);
      });
    }
  });

  describe('seeded random binary streams', function () {
    for (const seed of SEEDS) {
      it(`seed ${seed}: ${COMMANDS_PER_SEED} request frames`, async function () {
        this.timeout(300_000);
        const run = generateBinaryCommands(seed, COMMANDS_PER_SEED);
        const outcome = await expectSame(`random binary stream, seed ${seed} (rerun with RATTEST_BINARY_DIFF_SEED=${seed})`, run.steps, true);
        expect(outcome.steps).to.equal(run.steps.length);
        expect(outcome.requestFrames).to.equal(run.commands);
      });
    }
  });
});
