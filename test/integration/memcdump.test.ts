import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';

import { expect } from 'chai';

import { startReferenceMemcached } from './support/memcached-container.js';
import { startTargetServer } from './support/our-server.js';
import { TcpClient } from '../support/tcp-client.js';
import { EnvironmentError, type RunningServer } from './support/running-server.js';

const run = promisify(execFile);
/** Debian's memcdump (package libmemcached-tools); it lists keys with `stats cachedump <class> 0`. */
const MEMCDUMP = process.env['MEMCDUMP_BIN'] ?? '/usr/bin/memcdump';

const KEYS = ['plain', 'with%percent', 'dots.and-dashes_~', 'k'.repeat(250)];
const BIG: [string, number][] = [
  ['mid', 3000],
  ['large', 6000],
  ['own', 20000],
];

async function fill(server: RunningServer): Promise<void> {
  const c = await TcpClient.connect(server.port, server.host);
  try {
    let request = 'flush_all\r\n';
    for (const [i, key] of KEYS.entries()) request += `set ${key} ${i} ${i === 1 ? 1000 : 0} 3\r\nabc\r\n`;
    // Larger values sit in other size classes (ours past memcached's 63, and one with a buffer of its own).
    for (const [key, n] of BIG) request += `set ${key} 0 0 ${n}\r\n${'v'.repeat(n)}\r\n`;
    // A key stored through a base64 meta set is binary: memcached leaves it out of cachedump.
    request += 'ms YmluYXJ5 1 b\r\nx\r\nmn\r\n';
    c.send(request);
    let replies = '';
    const outcome = await c.waitFor(() => (replies += c.takeAll().toString('latin1')).endsWith('MN\r\n'), 5_000);
    expect(outcome, replies).to.equal('complete');
    expect(replies).to.equal('OK\r\n' + 'STORED\r\n'.repeat(KEYS.length + BIG.length) + 'HD\r\nMN\r\n');
  } finally {
    c.close();
  }
}

async function memcdump(server: RunningServer): Promise<string[]> {
  const { stdout } = await run(MEMCDUMP, [`--servers=${server.host}:${server.port}`], { timeout: 20_000 });
  return stdout
    .split('\n')
    .filter((line) => line.length > 0)
    .sort();
}

/** Debian's memcdump run as a subprocess against memcached 1.6.18 and against us: the same keys come out. */
describe("memcdump (libmemcached-tools) lists our keys as it lists memcached 1.6.18's", function () {
  this.timeout(60_000);
  let reference: RunningServer | undefined;
  let target: RunningServer | undefined;

  before(async function () {
    if (!existsSync(MEMCDUMP)) throw new EnvironmentError(`${MEMCDUMP} is missing: apt-get install libmemcached-tools (as .ci/run does)`);
    reference = await startReferenceMemcached();
    target = await startTargetServer();
  });

  after(async () => {
    await Promise.all([reference?.stop(), target?.stop()]);
  });

  it('dumps every key but the binary one, on both servers', async () => {
    await fill(reference!);
    await fill(target!);
    const expected = [...KEYS, ...BIG.map(([k]) => k)].sort();
    expect(await memcdump(reference!)).to.deep.equal(expected);
    expect(await memcdump(target!)).to.deep.equal(expected);
  });
});
