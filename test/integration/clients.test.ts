import { createRequire } from 'node:module';

import { expect } from 'chai';

import { OutcomeLog } from './support/client-scenario.js';
import { startReferenceMemcached } from './support/memcached-container.js';
import { startTargetServer } from './support/our-server.js';
import type { RunningServer } from './support/running-server.js';

/** The npm `memcached` client (ASCII protocol); it ships no types. */
interface AsciiClient {
  set(key: string, value: string, lifetime: number, cb: Callback): void;
  get(key: string, cb: Callback): void;
  getMulti(keys: string[], cb: Callback): void;
  gets(key: string, cb: Callback): void;
  cas(key: string, value: string, cas: string, lifetime: number, cb: Callback): void;
  add(key: string, value: string, lifetime: number, cb: Callback): void;
  replace(key: string, value: string, lifetime: number, cb: Callback): void;
  incr(key: string, amount: number, cb: Callback): void;
  decr(key: string, amount: number, cb: Callback): void;
  append(key: string, value: string, cb: Callback): void;
  prepend(key: string, value: string, cb: Callback): void;
  touch(key: string, lifetime: number, cb: Callback): void;
  del(key: string, cb: Callback): void;
  flush(cb: Callback): void;
  version(cb: Callback): void;
  end(): void;
}
type Callback = (error: unknown, result?: unknown) => void;
type AsciiClientConstructor = new (location: string, options: Record<string, unknown>) => AsciiClient;

const require = createRequire(import.meta.url);
const Memcached = require('memcached') as AsciiClientConstructor;

function call(invoke: (cb: Callback) => void): Promise<unknown> {
  return new Promise((resolve, reject) =>
    invoke((error, result) => (error ? reject(error instanceof Error ? error : new Error(String(error))) : resolve(result))),
  );
}

/** set/get/gets/cas/incr/decr/append/prepend/touch/del/flush/version through the npm `memcached` client. */
async function asciiScenario(server: RunningServer): Promise<OutcomeLog> {
  const client = new Memcached(`${server.host}:${server.port}`, { retries: 0, timeout: 5000, idle: 1000 });
  const log = new OutcomeLog();
  try {
    await log.step('flush', () => call((cb) => client.flush(cb)));
    await log.step('set greeting', () => call((cb) => client.set('greeting', 'hello', 0, cb)));
    await log.step('get greeting', () => call((cb) => client.get('greeting', cb)));
    await log.step('get missing', () => call((cb) => client.get('missing', cb)));
    await log.step('getMulti', () => call((cb) => client.getMulti(['greeting', 'missing', 'greeting'], cb)));
    const gets = (await call((cb) => client.gets('greeting', cb))) as { greeting: string; cas: string } | undefined;
    log.record('gets greeting', gets && { greeting: gets.greeting, cas: log.cas(gets.cas) });
    await log.step('cas with fresh token', () => call((cb) => client.cas('greeting', 'hi', gets?.cas ?? '0', 0, cb)));
    await log.step('cas with stale token', () => call((cb) => client.cas('greeting', 'yo', gets?.cas ?? '0', 0, cb)));
    await log.step('get after cas', () => call((cb) => client.get('greeting', cb)));
    await log.step('add existing', () => call((cb) => client.add('greeting', 'x', 0, cb)));
    await log.step('add new', () => call((cb) => client.add('fresh', 'x', 0, cb)));
    await log.step('replace missing', () => call((cb) => client.replace('nobody', 'x', 0, cb)));
    await log.step('set counter', () => call((cb) => client.set('counter', '10', 0, cb)));
    await log.step('incr', () => call((cb) => client.incr('counter', 5, cb)));
    await log.step('decr', () => call((cb) => client.decr('counter', 20, cb)));
    await log.step('incr missing', () => call((cb) => client.incr('nocounter', 1, cb)));
    await log.step('incr non-numeric', () => call((cb) => client.incr('greeting', 1, cb)));
    await log.step('get counter', () => call((cb) => client.get('counter', cb)));
    await log.step('append', () => call((cb) => client.append('greeting', ' there', cb)));
    await log.step('prepend', () => call((cb) => client.prepend('greeting', 'oh, ', cb)));
    await log.step('append missing', () => call((cb) => client.append('nobody', 'x', cb)));
    await log.step('get greeting', () => call((cb) => client.get('greeting', cb)));
    await log.step('touch', () => call((cb) => client.touch('greeting', 100, cb)));
    await log.step('touch missing', () => call((cb) => client.touch('nobody', 100, cb)));
    await log.step('del', () => call((cb) => client.del('greeting', cb)));
    await log.step('del again', () => call((cb) => client.del('greeting', cb)));
    await log.step('get deleted', () => call((cb) => client.get('greeting', cb)));
    await log.step('flush', () => call((cb) => client.flush(cb)));
    await log.step('get after flush', () => call((cb) => client.get('fresh', cb)));
    // The version text differs by design; that the call succeeds and parses is what is compared.
    const version = (await call((cb) => client.version(cb))) as Array<Record<string, unknown>> | undefined;
    log.record(
      'version fields',
      version?.map((entry) => Object.keys(entry).sort()),
    );
  } finally {
    client.end();
  }
  return log;
}

describe('real clients: npm memcached (ASCII) against reference and target', function () {
  let reference: RunningServer | undefined;
  let target: RunningServer | undefined;

  before(async function () {
    this.timeout(120_000);
    reference = await startReferenceMemcached();
    target = await startTargetServer();
  });

  after(async function () {
    this.timeout(30_000);
    await Promise.all([reference?.stop(), target?.stop()]);
  });

  it('gives identical results for the same scenario', async function () {
    const expected = await asciiScenario(reference as RunningServer);
    const actual = await asciiScenario(target as RunningServer);
    expect(expected.entries.length).to.be.greaterThan(25);
    expect(actual.entries).to.deep.equal(expected.entries);
  });
});
