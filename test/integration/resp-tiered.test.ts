import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { silentLogger } from '../../src/domain/ports/logger.js';
import { loadSettings, type Overrides } from '../../src/infrastructure/config.js';
import { RatMemcachedServer } from '../../src/infrastructure/server.js';
import { connectionSteps } from './resp-corpus/connection.js';
import { keyspaceSteps } from './resp-corpus/keyspace.js';
import { stringSteps } from './resp-corpus/strings.js';
import { cmd, RespDifferential, type RespStep } from './support/resp-differential.js';
import { generateRespCommands } from './support/resp-generator.js';
import type { RunningServer } from './support/running-server.js';

/**
 * The disk tier changes no RESP reply: the same corpus and random stream go
 * to rat-memcache memory-only and to rat-memcache with every value kept only
 * on disk (large_value_threshold 0, acknowledged after the write), where
 * every read and write of a non-empty value waits for LevelDB. This drives
 * each command's asynchronous path, which the memory-only comparison with
 * redis-server never takes.
 */
async function startOurs(description: string, overrides: Overrides): Promise<RunningServer> {
  const settings = loadSettings([], {
    ...overrides,
    server: { port: 0, host: '127.0.0.1', shutdown_grace_ms: 200 },
    redis: { port: 0 },
    logging: { enable_logging: false },
  });
  const server = new RatMemcachedServer(settings, silentLogger);
  await server.start();
  return { description, host: '127.0.0.1', port: server.redisPort!, stop: () => server.stop() };
}

describe('RESP replies are the same with every value on disk', function () {
  this.timeout(120_000);
  let dir: string;
  let pair: RespDifferential;

  before(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'rat-resp-tiered-'));
    const memory = await startOurs('rat-memcache, memory only', { l2: { enable_l2_cache: false } });
    const disk = await startOurs('rat-memcache, values on disk only', {
      l2: { enable_l2_cache: true, data_dir: dir, sync_writes: true },
      performance: { large_value_threshold: 0 },
    });
    pair = RespDifferential.between(memory, disk);
  });
  after(async () => {
    await pair?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const check = async (context: string, steps: RespStep[], batch: number): Promise<void> => {
    await pair.reset();
    const outcome = await pair.run(steps, batch);
    if (outcome.mismatch) expect.fail(await pair.explain(context, steps, outcome.mismatch));
    expect(outcome.compared).to.equal(steps.length);
  };

  // QUIT would end the shared session.
  const usable = (s: RespStep): boolean => s.kind !== 'cmd' || String(s.args[0]).toUpperCase() !== 'QUIT';

  it('hand-written corpus, one request at a time', async () => {
    await check('corpus', [...stringSteps, ...keyspaceSteps, ...connectionSteps].filter(usable), 1);
  });

  it('random stream in RESP3, pipelined 50 per write', async () => {
    await check('random', [cmd('HELLO', '3'), ...generateRespCommands(5150, 4000)], 50);
  });
});
