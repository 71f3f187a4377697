import { createRequire } from 'node:module';

import { expect } from 'chai';

import { OutcomeLog } from './support/client-scenario.js';
import { startChildServer } from './support/child-server.js';
import { freePort } from '../support/free-port.js';
import { startLocalMemcached } from './support/local-memcached.js';
import { startReferenceMemcached } from './support/memcached-container.js';
import { ourServerCommand } from './support/our-server.js';
import type { RunningServer } from './support/running-server.js';

/**
 * memjs speaks only the binary protocol. The target is rat-memcache; with
 * BINARY_TARGET=memcached it is a second memcached instead, to prove the
 * scenario and harness themselves. (Not a RAT_* name: rat-memcached refuses
 * RAT_* variables it does not know.)
 */
const BINARY_TARGET_IS_OURS = process.env['BINARY_TARGET'] !== 'memcached';

interface MemjsClient {
  get(key: string): Promise<{ value: Buffer | null; flags: Buffer | null }>;
  set(key: string, value: string, options: { expires?: number }): Promise<boolean>;
  add(key: string, value: string, options: { expires?: number }): Promise<boolean>;
  replace(key: string, value: string, options: { expires?: number }): Promise<boolean>;
  delete(key: string): Promise<boolean>;
  increment(key: string, amount: number, options: { initial?: number; expires?: number }): Promise<{ success: boolean; value?: number | null }>;
  decrement(key: string, amount: number, options: { initial?: number; expires?: number }): Promise<{ success: boolean; value?: number | null }>;
  append(key: string, value: string): Promise<boolean>;
  prepend(key: string, value: string): Promise<boolean>;
  touch(key: string, expires: number): Promise<boolean>;
  flush(): Promise<Record<string, boolean>>;
  close(): void;
}
interface MemjsModule {
  Client: { create(servers: string, options: Record<string, unknown>): MemjsClient };
}

const require = createRequire(import.meta.url);
const memjs = require('memjs') as MemjsModule;

async function startBinaryTarget(): Promise<RunningServer> {
  const port = await freePort();
  if (!BINARY_TARGET_IS_OURS) return startLocalMemcached(port, 'binary target: a second memcached (BINARY_TARGET=memcached)');
  const { command, args } = ourServerCommand(port);
  return startChildServer({ description: 'binary target: rat-memcache', command, args, port });
}

async function binaryScenario(server: RunningServer): Promise<OutcomeLog> {
  const client = memjs.Client.create(`${server.host}:${server.port}`, { retries: 0, timeout: 5, logger: { log: () => undefined } });
  const log = new OutcomeLog();
  const text = (result: { value: Buffer | null; flags: Buffer | null }): unknown => ({
    value: result.value?.toString('latin1') ?? null,
    flags: result.flags?.toString('hex') ?? null,
  });
  try {
    await log.step('flush', async () => Object.values(await client.flush()));
    await log.step('set', () => client.set('greeting', 'hello', { expires: 0 }));
    await log.step('get', async () => text(await client.get('greeting')));
    await log.step('get missing', async () => text(await client.get('missing')));
    await log.step('add existing', () => client.add('greeting', 'x', {}));
    await log.step('add new', () => client.add('fresh', 'x', {}));
    await log.step('replace missing', () => client.replace('nobody', 'x', {}));
    await log.step('replace', () => client.replace('fresh', 'y', {}));
    await log.step('increment with initial', () => client.increment('counter', 5, { initial: 10 }));
    await log.step('increment', () => client.increment('counter', 5, {}));
    await log.step('decrement past zero', () => client.decrement('counter', 100, {}));
    await log.step('increment non-numeric', () => client.increment('greeting', 1, {}));
    await log.step('append', () => client.append('greeting', ' there'));
    await log.step('prepend', () => client.prepend('greeting', 'oh, '));
    await log.step('append missing', () => client.append('nobody', 'x'));
    await log.step('get appended', async () => text(await client.get('greeting')));
    await log.step('touch', () => client.touch('greeting', 100));
    await log.step('touch missing', () => client.touch('nobody', 100));
    await log.step('delete', () => client.delete('greeting'));
    await log.step('delete again', () => client.delete('greeting'));
    await log.step('flush', async () => Object.values(await client.flush()));
    await log.step('get after flush', async () => text(await client.get('fresh')));
  } finally {
    client.close();
  }
  return log;
}

describe(`real clients: memjs (binary) against reference and ${BINARY_TARGET_IS_OURS ? 'rat-memcache' : 'a second memcached'}`, function () {
  let reference: RunningServer | undefined;
  let target: RunningServer | undefined;

  before(async function () {
    this.timeout(120_000);
    reference = await startReferenceMemcached();
    target = await startBinaryTarget();
  });

  after(async function () {
    this.timeout(30_000);
    await Promise.all([reference?.stop(), target?.stop()]);
  });

  it('gives identical results for the same scenario', async function () {
    const expected = await binaryScenario(reference as RunningServer);
    const actual = await binaryScenario(target as RunningServer);
    expect(expected.entries.length).to.be.greaterThan(18);
    expect(actual.entries).to.deep.equal(expected.entries);
  });
});
