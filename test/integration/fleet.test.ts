import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Memcached from 'memcached';
import { Fleet, type FleetInstance } from '../../examples/fleet/fleet.js';
import { TextClient } from '../../src/client/text-client.js';

/**
 * examples/fleet as shipped: three rat-memcached instances (disk tier on)
 * behind Debian's nutcracker with the committed nutcracker.yml (ketama,
 * auto_eject_hosts), on free loopback ports, driven by the npm memcached
 * client through the proxy.
 */

const KEYS = 10_000;
const POOL = 8;
const key = (i: number): string => `fleet:key:${i}`;
const value = (i: number): string => `value-${i}-${'x'.repeat(i % 200)}`;

function call<T>(f: (cb: (err: Error | undefined, r: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => f((err, r) => (err ? reject(err) : resolve(r))));
}

function client(port: number): Memcached {
  // Never mark the server dead on the client side: the proxy, not the client, handles failures here.
  return new Memcached(`127.0.0.1:${port}`, { retries: 0, failures: 1_000_000, retry: 50, timeout: 5_000, idle: 5_000, poolSize: POOL });
}

/** getMulti in batches; resolves to the keys found with their values. */
async function getAll(mc: Memcached, keys: string[]): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  for (let i = 0; i < keys.length; i += 500) {
    const batch = await call<Record<string, unknown>>((cb) => mc.getMulti(keys.slice(i, i + 500), cb));
    for (const [k, v] of Object.entries(batch)) found.set(k, String(v));
  }
  return found;
}

async function stats(i: FleetInstance): Promise<Map<string, string>> {
  const c = await TextClient.connect(i.port, i.host, { connectTimeoutMs: 5_000, replyTimeoutMs: 5_000 });
  try {
    return new Map(await c.stats());
  } finally {
    c.close();
  }
}

/** Retries `check` until it returns true or `ms` runs out; returns the last outcome. */
async function eventually(ms: number, check: () => Promise<boolean>): Promise<boolean> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      if (await check()) return true;
    } catch {
      // the proxy may answer errors while it notices a node went away or came back
    }
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 250));
  }
}

const allServed = (found: Map<string, string>, indexes: number[]): boolean => indexes.every((i) => found.get(key(i)) === value(i));

describe('fleet: rat-memcached x3 behind nutcracker (examples/fleet)', function () {
  this.timeout(180_000);
  let dir: string;
  let fleet: Fleet;
  let proxy: Memcached;
  /** Which instance holds each key index, learnt from the instances themselves. */
  const owner = new Map<string, number[]>();

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'rat-fleet-'));
    fleet = await Fleet.start({ workDir: dir, freePorts: true, serverArgs: ['-m', '32'] });
    proxy = client(fleet.proxy.port);
  });
  after(async () => {
    proxy?.end();
    await fleet?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes 10,000 keys through the proxy and finds them spread over all three instances', async () => {
    expect(fleet.instances.map((i) => i.name)).to.deep.equal(['rat1', 'rat2', 'rat3']);
    // As many sets in flight as the client has connections (its pool refuses more).
    for (let i = 0; i < KEYS; i += POOL) {
      await Promise.all(Array.from({ length: POOL }, (_, j) => call<boolean>((cb) => proxy.set(key(i + j), value(i + j), 0, cb))));
    }
    const counts: number[] = [];
    for (const inst of fleet.instances) {
      const direct = client(inst.port);
      try {
        const found = await getAll(
          direct,
          Array.from({ length: KEYS }, (_, i) => key(i)),
        );
        owner.set(
          inst.name,
          [...found.keys()].map((k) => Number(k.slice('fleet:key:'.length))),
        );
      } finally {
        direct.end();
      }
      const s = await stats(inst);
      counts.push(Number(s.get('curr_items')));
      expect(Number(s.get('curr_items'))).to.equal(owner.get(inst.name)!.length);
    }
    console.log(`      keys per instance: ${fleet.instances.map((inst, n) => `${inst.name} ${counts[n]}`).join(', ')}`);
    expect(counts.reduce((a, b) => a + b, 0)).to.equal(KEYS);
    // ketama over three equal weights: each holds a fair share, none is empty.
    for (const c of counts) expect(c).to.be.within(KEYS / 3 / 2, (KEYS / 3) * 2);
    const all = await getAll(
      proxy,
      Array.from({ length: KEYS }, (_, i) => key(i)),
    );
    expect(
      allServed(
        all,
        Array.from({ length: KEYS }, (_, i) => i),
      ),
    ).to.equal(true);
  });

  it('after kill -9 of one instance, the proxy keeps serving the other keys', async () => {
    const victim = fleet.instance('rat2');
    // Wait for the disk tier to have written everything (sync_writes off: queued writes may be lost on a crash).
    expect(await eventually(20_000, async () => (await stats(victim)).get('l2_pending_writes') === '0')).to.equal(true);
    expect(Number((await stats(victim)).get('l2_items'))).to.equal(owner.get('rat2')!.length);
    await victim.kill('SIGKILL');
    expect(victim.running).to.equal(false);

    const survivors = [...owner.get('rat1')!, ...owner.get('rat3')!];
    const served = await eventually(20_000, async () => allServed(await getAll(proxy, survivors.map(key)), survivors));
    expect(served, 'keys of rat1 and rat3 through the proxy').to.equal(true);
    // Ejected from the ring: its keys now hash to the survivors, where they are misses.
    const lost = owner.get('rat2')!.slice(0, 200);
    const found = await getAll(proxy, lost.map(key));
    expect(found.size).to.equal(0);
  });

  it('restarted on its data directory, the instance serves its keys through the proxy again', async () => {
    const victim = fleet.instance('rat2');
    await victim.start();
    const mine = owner.get('rat2')!;
    // nutcracker retries an ejected node after server_retry_timeout (2 s) and puts it back in the ring.
    const back = await eventually(30_000, async () => allServed(await getAll(proxy, mine.map(key)), mine));
    expect(back, "rat2's keys through the proxy after its restart").to.equal(true);
    // Served from its own disk tier, not rewritten: nothing was set since the crash.
    const s = await stats(victim);
    expect(Number(s.get('l2_items'))).to.equal(mine.length);
    expect(Number(s.get('cmd_set'))).to.equal(0);
    const others = [...owner.get('rat1')!, ...owner.get('rat3')!];
    expect(allServed(await getAll(proxy, others.map(key)), others)).to.equal(true);
  });
});
