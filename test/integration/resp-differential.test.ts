import { expect } from 'chai';
import { connectionSteps } from './resp-corpus/connection.js';
import { keyspaceSteps } from './resp-corpus/keyspace.js';
import { protocolSteps } from './resp-corpus/protocol.js';
import { stringSteps } from './resp-corpus/strings.js';
import { cmd, RespDifferential, type RespStep } from './support/resp-differential.js';
import { generateRespCommands } from './support/resp-generator.js';

/**
 * Differential conformance of the RESP listener: every request goes to the
 * real redis-server (Debian's 7.0) and to rat-memcache, replies compared
 * byte for byte after normalising only client ids, KEYS/SCAN order and the
 * contents of introspection replies (support/resp-differential.ts). Each
 * script runs in RESP2 and again after HELLO 3. A mismatch is shrunk to a
 * minimal reproduction.
 */

const SEEDS = process.env['RATTEST_RESP_SEED'] ? [Number(process.env['RATTEST_RESP_SEED'])] : [20261203, 7, 4242, 99];
/** Per seed and protocol version: 4 seeds x 10,000 x 2 versions = 80,000 commands. */
const COMMANDS_PER_SEED = Number(process.env['RATTEST_RESP_COMMANDS'] ?? 10000);

const SCRIPTS: Record<string, RespStep[]> = {
  strings: stringSteps,
  keyspace: keyspaceSteps,
  'connection, introspection and transactions': connectionSteps,
  'request framing and protocol errors': protocolSteps,
};

describe('differential conformance against redis-server (RESP2 and RESP3)', function () {
  this.timeout(300_000);
  let pair: RespDifferential;
  let compared = 0;
  let random = 0;

  before(async () => {
    pair = await RespDifferential.start();
  });
  after(async () => {
    console.log(
      `      RESP differential: ${compared} replies compared (${random} from the random streams), reference = ${pair?.reference.description}, target = ${pair?.target.description}`,
    );
    await pair?.stop();
  });

  const check = async (context: string, steps: RespStep[], batch: number): Promise<number> => {
    await pair.reset();
    const outcome = await pair.run(steps, batch);
    compared += outcome.compared;
    if (outcome.mismatch) expect.fail(await pair.explain(context, steps, outcome.mismatch));
    return outcome.compared;
  };

  for (const resp of [2, 3]) {
    const prefix = resp === 3 ? [cmd('HELLO', '3')] : [];
    for (const [name, steps] of Object.entries(SCRIPTS)) {
      it(`RESP${resp} corpus: ${name} (${steps.length} requests)`, async () => {
        await check(`RESP${resp} ${name}`, [...prefix, ...steps], 1);
      });
    }
    it(`RESP${resp} corpus: everything pipelined in batches of 32`, async () => {
      const all = Object.values(SCRIPTS)
        .flat()
        .filter((s) => s.kind === 'cmd' && String(s.args[0]).toUpperCase() !== 'QUIT');
      await check(`RESP${resp} pipelined corpus`, [...prefix, ...all], 32);
    });
    for (const seed of SEEDS) {
      it(`RESP${resp} random stream, seed ${seed}: ${COMMANDS_PER_SEED} commands`, async () => {
        const n = await check(`RESP${resp} seed ${seed}`, [...prefix, ...generateRespCommands(seed, COMMANDS_PER_SEED)], 50);
        random += n;
        expect(n).to.equal(COMMANDS_PER_SEED + prefix.length);
      });
    }
  }
});
