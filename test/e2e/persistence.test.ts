import { expect } from 'chai';
import { bytesFor, childServerScope, type ChildServer, fetchAll, pipeline, setCommand, sleep, statsOf, type ValueReply } from '../support/child-server.js';
import type { TcpClient } from '../support/tcp-client.js';

/** One item of the data set written before a restart. */
interface Spec {
  key: string;
  flags: number;
  /** Protocol exptime: 0, relative seconds, or an absolute Unix time. */
  exptime: number;
  value: Buffer;
}

const ONE_MIB = 1024 * 1024;
/**
 * docs/durability.md: with sync_writes = false a crash loses at most the
 * writes still in the queue, acknowledged within the time the queue takes to
 * drain (l2_write_lag_max_ms). The bound checked here is generous for a
 * shared machine; the measured lag is printed.
 */
const CRASH_WINDOW_MS = 500;

/**
 * `count` items: mostly small values of varied sizes (random bytes, so
 * "\r\n" occurs inside values), a few 1 MiB values (above the default large
 * value threshold, so they live on disk only), varied flags, and TTLs that are
 * none, long relative, or long absolute.
 */
function dataSet(count: number, prefix: string): Spec[] {
  const nowSec = Math.floor(Date.now() / 1000);
  const big = new Set([1, Math.floor(count / 3), Math.floor((2 * count) / 3), count - 1]);
  const out: Spec[] = [];
  for (let i = 0; i < count; i++) {
    const flags = i % 5 === 0 ? 0 : i % 5 === 1 ? 0xffffffff : (Math.imul(i, 2654435761) >>> 0) % 0x1_0000_0000;
    const exptime = i % 10 === 3 ? 3600 : i % 10 === 7 ? nowSec + 7200 : 0;
    let value: Buffer;
    if (big.has(i)) value = bytesFor(i, ONE_MIB, i % 2 === 0);
    else if (i % 97 === 0) value = Buffer.alloc(0);
    else value = bytesFor(i, 1 + ((i * 37) % 3000), i % 3 === 0);
    out.push({ key: `${prefix}:${i}`, flags, exptime, value });
  }
  return out;
}

async function writeAll(c: TcpClient, specs: Spec[]): Promise<void> {
  const replies = await pipeline(
    c,
    specs.map((s) => setCommand(s.key, s.flags, s.exptime, s.value)),
  );
  const bad = replies.findIndex((r) => r !== 'STORED');
  expect(bad, `reply to set of ${specs[bad]?.key}: ${replies[bad]}`).to.equal(-1);
}

/** Asserts every spec is served byte-identical with its flags; returns the replies. */
async function expectAll(c: TcpClient, specs: Spec[]): Promise<Map<string, ValueReply>> {
  const got = await fetchAll(
    c,
    specs.map((s) => s.key),
    true,
  );
  const missing = specs.filter((s) => !got.has(s.key)).map((s) => s.key);
  expect(missing, 'items missing').to.deep.equal([]);
  for (const s of specs) {
    const r = got.get(s.key)!;
    expect(r.flags, `flags of ${s.key}`).to.equal(s.flags);
    if (!r.value.equals(s.value)) expect.fail(`value of ${s.key} differs (${r.value.length} bytes, expected ${s.value.length})`);
  }
  return got;
}

async function expectNone(c: TcpClient, keys: string[]): Promise<void> {
  const got = await fetchAll(c, keys);
  expect([...got.keys()], 'items that should be gone').to.deep.equal([]);
}

/** Sets `key`, reads its cas, deletes it again; returns the cas (the newest one issued). */
async function issueAndDelete(c: TcpClient, key: string): Promise<number> {
  await writeAll(c, [{ key, flags: 0, exptime: 0, value: Buffer.from('short-lived') }]);
  const cas = (await fetchAll(c, [key], true)).get(key)?.cas;
  expect(cas, `cas of ${key}`).to.be.a('number');
  expect(await c.exchange(`delete ${key}\r\n`, 'DELETED\r\n')).to.equal('DELETED\r\n');
  return cas!;
}

function l2Args(dir: string): string[] {
  return ['--l2', 'on', '--data-dir', dir, '-I', '2m', '-m', '64'];
}

describe('e2e: persistence of the disk tier across restarts (CLI child process)', function () {
  this.timeout(180_000);
  const scope = childServerScope('rat-persist-');
  const start = (dir: string, env: Record<string, string> = {}): Promise<ChildServer> => scope.start(l2Args(dir), env);

  it('10,000 items (with 1 MiB values) survive SIGTERM + restart: bytes, flags, TTLs and cas', async () => {
    const dir = scope.dir('sigterm');
    const specs = dataSet(10_000, 'p');
    const expireBeforeStop = Array.from({ length: 20 }, (_, i) => `early:${i}`);
    const expireAfterRestart = Array.from({ length: 20 }, (_, i) => `late:${i}`);

    const first = await start(dir);
    const c1 = await first.connect();
    // Written first so they have expired by the time the server stops.
    await writeAll(
      c1,
      expireBeforeStop.map((key, i) => ({ key, flags: i, exptime: 2, value: bytesFor(1000 + i, 100) })),
    );
    // Taken after the replies: the server set the items no later than this.
    const earlyAt = Date.now();
    await writeAll(c1, specs);
    const before = await expectAll(c1, specs);
    const casBefore = [...before.values()].map((r) => r.cas!);
    expect(new Set(casBefore).size, 'cas values are unique').to.equal(specs.length);
    const maxCasBefore = Math.max(...casBefore);
    // Let the early group expire while the server still runs (they stay on disk until swept).
    await sleep(Math.max(0, earlyAt + 2_200 - Date.now()));
    await expectNone(c1, expireBeforeStop);
    await writeAll(
      c1,
      expireAfterRestart.map((key, i) => ({ key, flags: i, exptime: 2, value: bytesFor(2000 + i, 100) })),
    );
    const lateAt = Date.now();

    // The newest cas issued before the stop belongs to an item deleted since: it is on disk nowhere.
    const highestBefore = await issueAndDelete(c1, 'gone');
    expect(highestBefore).to.be.greaterThan(maxCasBefore);

    const exit = await first.stop('SIGTERM');
    expect(exit, first.stderr.slice(-2000)).to.deep.equal({ code: 0, signal: null });

    const second = await start(dir);
    const c2 = await second.connect();
    const after = await expectAll(c2, specs);
    for (const s of specs) expect(after.get(s.key)!.cas, `cas of ${s.key} after restart`).to.equal(before.get(s.key)!.cas);
    await expectNone(c2, expireBeforeStop);

    // A cas from before the restart is still the item's cas.
    const target = specs[42]!;
    const replaced = Buffer.from('replaced after restart');
    const casReply = await c2.exchange(
      Buffer.concat([Buffer.from(`cas ${target.key} 7 0 ${replaced.length} ${before.get(target.key)!.cas}\r\n`), replaced, Buffer.from('\r\n')]),
      'STORED\r\n',
    );
    expect(casReply).to.equal('STORED\r\n');

    // New writes get cas values above every cas issued before the restart, all distinct.
    const fresh = Array.from({ length: 50 }, (_, i) => ({ key: `fresh:${i}`, flags: 0, exptime: 0, value: Buffer.from(`v${i}`) }));
    await writeAll(c2, fresh);
    const freshCas = [...(await fetchAll(c2, [target.key, ...fresh.map((f) => f.key)], true)).values()].map((r) => r.cas!);
    expect(freshCas).to.have.length(51);
    expect(new Set(freshCas).size).to.equal(51);
    for (const cas of freshCas) expect(cas).to.be.greaterThan(highestBefore);

    // The 2 s items were restored with their remaining TTL: gone once it has passed, not reset by the restart.
    await sleep(Math.max(0, lateAt + 2_200 - Date.now()));
    await expectNone(c2, expireAfterRestart);
    // ...while items with long TTLs are still there.
    await expectAll(
      c2,
      specs.filter((s) => s.exptime !== 0 && s !== target),
    );

    const s = await statsOf(c2);
    expect(Number(s.get('l2_corrupt_records'))).to.equal(0);
    expect(Number(s.get('l2_write_errors'))).to.equal(0);
    const exit2 = await second.stop('SIGTERM');
    expect(exit2.code).to.equal(0);
  });

  it('cas values are never issued twice: not after flush_all, nor after the newest item expired', async () => {
    const dir = scope.dir('cas');
    const casOf = async (c: TcpClient, key: string): Promise<number> => (await fetchAll(c, [key], true)).get(key)!.cas!;

    let server = await start(dir);
    let c = await server.connect();
    await writeAll(c, [{ key: 'a', flags: 0, exptime: 0, value: Buffer.from('1') }]);
    await writeAll(c, [{ key: 'b', flags: 0, exptime: 0, value: Buffer.from('2') }]);
    const beforeFlush = await casOf(c, 'b');
    expect(await c.exchange('flush_all\r\n', 'OK\r\n')).to.equal('OK\r\n');
    expect((await server.stop()).code).to.equal(0);

    server = await start(dir);
    c = await server.connect();
    await expectNone(c, ['a', 'b']);
    await writeAll(c, [{ key: 'b', flags: 0, exptime: 0, value: Buffer.from('3') }]);
    expect(await casOf(c, 'b'), 'cas after flush_all and restart').to.be.greaterThan(beforeFlush);
    // The newest item expires while the server is down; its cas must not come back.
    await writeAll(c, [{ key: 'short', flags: 0, exptime: 1, value: Buffer.from('x') }]);
    const shortAt = Date.now();
    const shortCas = await casOf(c, 'short');
    expect((await server.stop()).code).to.equal(0);
    await sleep(Math.max(0, shortAt + 1_200 - Date.now()));

    // This start drops the expired record; the next one must still know its cas.
    server = await start(dir);
    c = await server.connect();
    await expectNone(c, ['short']);
    expect((await server.stop()).code).to.equal(0);
    server = await start(dir);
    c = await server.connect();
    await writeAll(c, [{ key: 'short', flags: 0, exptime: 0, value: Buffer.from('y') }]);
    expect(await casOf(c, 'short'), 'cas after the newest item expired').to.be.greaterThan(shortCas);
    // ...and the same holds across one more restart (the scan recorded it).
    const latest = await casOf(c, 'short');
    expect(await c.exchange('delete short\r\n', 'DELETED\r\n')).to.equal('DELETED\r\n');
    const exit = await server.stop('SIGKILL');
    expect(exit.signal).to.equal('SIGKILL');
    server = await start(dir, { RAT_L2_SYNC_WRITES: 'true' });
    c = await server.connect();
    expect(await issueAndDelete(c, 'again')).to.be.greaterThan(latest);
    expect((await server.stop()).code).to.equal(0);
  });

  it('with sync_writes, nothing acknowledged is lost to kill -9', async () => {
    const dir = scope.dir('sigkill');
    const env = { RAT_L2_SYNC_WRITES: 'true' };
    const specs = dataSet(10_000, 'k');

    const first = await start(dir, env);
    const c1 = await first.connect();
    await writeAll(c1, specs);
    // Overwrites, deletes and read-modify-write commands must be as durable as sets.
    const overwritten = specs.slice(0, 500).map((s, i) => ({ ...s, flags: 12345, value: bytesFor(50_000 + i, 64) }));
    await writeAll(c1, overwritten);
    const deleted = specs.slice(500, 700).map((s) => s.key);
    const delReplies = await pipeline(
      c1,
      deleted.map((k) => Buffer.from(`delete ${k}\r\n`)),
    );
    expect(delReplies.every((r) => r === 'DELETED')).to.equal(true);
    const counters = Array.from({ length: 100 }, (_, i) => ({ key: `ctr:${i}`, flags: 3, exptime: 0, value: Buffer.from(String(i)) }));
    await writeAll(c1, counters);
    const incrReplies = await pipeline(
      c1,
      counters.map((s) => Buffer.from(`incr ${s.key} 1000\r\n`)),
    );
    expect(incrReplies).to.deep.equal(counters.map((_, i) => String(i + 1000)));
    const appended = specs.slice(700, 800).map((s) => ({ ...s, value: Buffer.concat([s.value, Buffer.from('+tail')]) }));
    const appendReplies = await pipeline(
      c1,
      specs.slice(700, 800).map((s) => Buffer.from(`append ${s.key} 0 0 5\r\n+tail\r\n`)),
    );
    expect(appendReplies.every((r) => r === 'STORED')).to.equal(true);

    const highestBefore = await issueAndDelete(c1, 'gone');

    // The last reply has been read: kill at once, no graceful stop.
    const exit = await first.stop('SIGKILL');
    expect(exit.signal).to.equal('SIGKILL');

    const second = await start(dir, env);
    const c2 = await second.connect();
    const expected = [...overwritten, ...specs.slice(800), ...appended, ...counters.map((s, i) => ({ ...s, value: Buffer.from(String(i + 1000)) }))];
    await expectAll(c2, expected);
    await expectNone(c2, deleted);
    const s = await statsOf(c2);
    expect(Number(s.get('l2_corrupt_records'))).to.equal(0);
    // cas values stay unique across the crash too.
    expect(await issueAndDelete(c2, 'after')).to.be.greaterThan(highestBefore);
    expect((await second.stop('SIGTERM')).code).to.equal(0);
  });
  it('with sync_writes = false, kill -9 during a write stream loses nothing acknowledged more than the window before it', async () => {
    const dir = scope.dir('crash-window');
    const env = { RAT_L2_SYNC_WRITES: 'false' };
    const server = await start(dir, env);
    const c = await server.connect();
    const acked: Array<Spec & { at: number }> = [];
    let n = 0;
    const started = performance.now();
    // Windows of 50 sets, replies read before the next window: each ack time is known.
    while (performance.now() - started < 1500) {
      const window = Array.from({ length: 50 }, () => {
        const i = n++;
        return { key: `crash:${i}`, flags: (i * 2654435761) >>> 0, exptime: i % 2 === 0 ? 3600 : 0, value: bytesFor(90_000 + i, 1 + ((i * 53) % 2000)) };
      });
      c.send(Buffer.concat(window.map((s) => setCommand(s.key, s.flags, s.exptime, s.value))));
      for (const spec of window) {
        expect(await c.readUntil('\r\n', 15_000)).to.equal('STORED\r\n');
        acked.push({ ...spec, at: performance.now() });
      }
    }
    const lag = Number((await statsOf(c)).get('l2_write_lag_max_ms'));
    // A last window is in flight when the process dies.
    c.send(Buffer.concat(Array.from({ length: 50 }, (_, j) => setCommand(`crash:tail:${j}`, 0, 0, Buffer.from('in flight')))));
    const killedAt = performance.now();
    expect((await server.stop('SIGKILL')).signal).to.equal('SIGKILL');

    const due = acked.filter((s) => s.at <= killedAt - CRASH_WINDOW_MS);
    expect(due.length, 'writes acknowledged before the window').to.be.greaterThan(1000);
    const second = await start(dir, env);
    const c2 = await second.connect();
    await expectAll(c2, due);
    // TTLs survive too: every item written with 3600 s still has about that long to live.
    for (const s of due.filter((d) => d.exptime !== 0).slice(0, 200)) {
      c2.send(`mg ${s.key} t\r\n`);
      const reply = await c2.readUntil('\r\n');
      const ttl = Number(/ t(-?\d+)/.exec(reply)?.[1]);
      expect(ttl, `${s.key}: ${reply.trim()}`).to.be.within(3500, 3600);
    }
    const survived = (
      await fetchAll(
        c2,
        acked.map((s) => s.key),
      )
    ).size;
    console.log(
      `      ${acked.length} acknowledged, ${due.length} more than ${CRASH_WINDOW_MS} ms before the kill (all present); ${survived} of all present; max queue lag ${lag} ms`,
    );
    expect((await second.stop('SIGTERM')).code).to.equal(0);
  });
});
