import { expect } from 'chai';
import {
  bytesFor,
  childServerScope,
  type ChildServer,
  directorySize,
  fetchAll,
  pipeline,
  setCommand,
  sleep,
  statsOf,
  statsWhenIndexed,
} from '../support/child-server.js';
import type { TcpClient } from '../support/tcp-client.js';

const KIB = 1024;
const MIB = 1024 * KIB;

/** A generous resource bound on the child's resident memory while it holds 50 MiB on disk with a 1 MiB memory tier. */
const RSS_BOUND = 250 * MIB;

/** Samples the child's VmRSS every 50 ms until stopped; keeps the peak. */
function rssSampler(server: ChildServer): { peak: () => number; stop: () => void } {
  let peak = server.rssBytes() ?? 0;
  const t = setInterval(() => {
    const r = server.rssBytes();
    if (r !== undefined && r > peak) peak = r;
  }, 50);
  return {
    peak: () => Math.max(peak, server.rssBytes() ?? 0),
    stop: () => clearInterval(t),
  };
}

/** 500 values of 100 KiB, a third of them compressible, the rest random. */
const bulk = Array.from({ length: 500 }, (_, i) => ({ key: `bulk:${i}`, value: bytesFor(7000 + i, 100 * KIB, i % 3 === 0) }));

async function writeBulk(c: TcpClient): Promise<void> {
  const replies = await pipeline(
    c,
    bulk.map((b, i) => setCommand(b.key, i, 0, b.value)),
    10,
    MIB,
  );
  expect(replies.filter((r) => r !== 'STORED')).to.deep.equal([]);
}

/**
 * Replays a command script and records every reply. Each `send` is followed by
 * a `version` sentinel, so replies of any shape are captured exactly.
 */
class Transcript {
  readonly lines: string[] = [];
  private fills = 0;

  constructor(private readonly c: TcpClient) {}

  async send(request: string | Buffer): Promise<string> {
    const req = typeof request === 'string' ? Buffer.from(request, 'latin1') : request;
    this.c.send(Buffer.concat([req, Buffer.from('version\r\n')]));
    const raw = await this.c.readUntil('VERSION 1.6.18\r\n', 10_000);
    if (!raw.endsWith('VERSION 1.6.18\r\n'))
      throw new Error(`no sentinel after ${JSON.stringify(req.toString('latin1').slice(0, 200))}: ${JSON.stringify(raw.slice(-200))}`);
    const reply = raw.slice(0, -'VERSION 1.6.18\r\n'.length);
    this.lines.push(`${JSON.stringify(summarise(req))} => ${JSON.stringify(reply)}`);
    return reply;
  }

  /**
   * Quiet sets of new keys, enough to push everything else out of a tiny
   * LRU memory tier (they are noreply, so they add nothing to the transcript).
   */
  fill(): string {
    let out = '';
    for (let i = 0; i < 40; i++) out += `set fill:${this.fills++} 0 0 40 noreply\r\n${'f'.repeat(40)}\r\n`;
    return out;
  }

  /** The cas of `key` from a `gets` issued through the transcript. */
  async casOf(key: string): Promise<number> {
    const reply = await this.send(`gets ${key}\r\n`);
    const m = /^VALUE \S+ \d+ \d+ (\d+)\r\n/.exec(reply);
    if (!m) throw new Error(`no cas for ${key}: ${reply}`);
    return Number(m[1]);
  }
}

/** Long fillers make transcripts unreadable: drop them from the recorded request. */
function summarise(req: Buffer): string {
  return req.toString('latin1').replace(/(set fill:\d+ 0 0 40 noreply\r\nf{40}\r\n)+/g, '<fill>');
}

/**
 * Every read-modify-write command on keys that were pushed out of memory
 * (or are too large for it), one by one and pipelined. Runs identically
 * against any server; the replies are compared between servers.
 */
async function script(t: Transcript): Promise<void> {
  const big = 'x'.repeat(100); // above the 64-byte large value threshold: disk only
  // incr / decr
  await t.send(`set n 5 0 2\r\n10\r\n${t.fill()}`);
  await t.send(`incr n 5\r\n${t.fill()}`);
  await t.send(`decr n 100\r\n${t.fill()}`);
  await t.send(`incr n 18446744073709551615\r\n${t.fill()}`);
  await t.send(`incr n 2\r\n${t.fill()}`);
  await t.send(`gets n\r\n${t.fill()}`);
  await t.send(`set word 0 0 3\r\nabc\r\n${t.fill()}incr word 1\r\n${t.fill()}decr word 1\r\n`);
  await t.send(`incr missing 1\r\ndecr missing 1\r\n`);
  // append / prepend, including growing past the large value threshold
  await t.send(`set a 9 0 3\r\nmid\r\n${t.fill()}`);
  await t.send(`append a 0 0 4\r\n-end\r\n${t.fill()}`);
  await t.send(`prepend a 0 0 6\r\nstart-\r\n${t.fill()}`);
  await t.send(`gets a\r\n${t.fill()}`);
  await t.send(`append a 0 0 100\r\n${big}\r\n${t.fill()}gets a\r\n`);
  await t.send(`prepend a 0 0 2\r\n<<\r\n${t.fill()}get a\r\n`);
  await t.send(`append nothing 0 0 1\r\nx\r\nprepend nothing 0 0 1\r\nx\r\n`);
  // cas with the right and a wrong value
  await t.send(`set c 1 0 5\r\nfirst\r\n${t.fill()}`);
  let cas = await t.casOf('c');
  await t.send(t.fill());
  await t.send(`cas c 2 0 6 ${cas + 1000}\r\nsecond\r\n`);
  await t.send(t.fill());
  await t.send(`cas c 2 0 6 ${cas}\r\nsecond\r\n${t.fill()}`);
  await t.send(`cas c 3 0 5 ${cas}\r\nthird\r\n${t.fill()}gets c\r\n`);
  await t.send(`cas nope 0 0 1 1\r\nx\r\n`);
  await t.send(`set cbig 0 0 100\r\n${big}\r\n`);
  cas = await t.casOf('cbig');
  await t.send(`${t.fill()}cas cbig 4 0 3 ${cas}\r\nnew\r\n${t.fill()}gets cbig\r\n`);
  // touch / gat
  await t.send(`set t 0 0 4\r\ntttt\r\n${t.fill()}touch t 100\r\n${t.fill()}gats 0 t\r\n`);
  await t.send(`${t.fill()}touch t -1\r\n${t.fill()}get t\r\ntouch t 10\r\n`);
  await t.send(`set tbig 0 0 100\r\n${big}\r\n${t.fill()}touch tbig 100\r\n${t.fill()}gat 100 tbig\r\n`);
  // add / replace / delete
  await t.send(`set d 0 0 1\r\nd\r\n${t.fill()}add d 0 0 1\r\ne\r\n${t.fill()}replace d 6 0 1\r\nf\r\n${t.fill()}gets d\r\n`);
  await t.send(`${t.fill()}delete d\r\n${t.fill()}delete d\r\nget d\r\nadd d 0 0 1\r\ng\r\n${t.fill()}gets d\r\n`);
  await t.send(`set dbig 0 0 100\r\n${big}\r\n${t.fill()}delete dbig\r\nget dbig\r\nreplace dbig 0 0 1\r\nz\r\n`);
  // flush_all removes items held only on disk
  await t.send(`set f1 0 0 2\r\nf1\r\nset f2 0 0 100\r\n${big}\r\n${t.fill()}flush_all\r\n`);
  await t.send(`get f1 f2 fill:0\r\nadd f1 0 0 3\r\nnew\r\nget f1\r\n`);
  await t.send(`set f3 0 0 2\r\nf3\r\n${t.fill()}flush_all noreply\r\nget f3\r\n`);
  // One pipelined sequence on one key, memory pushed out between every step.
  await t.send(
    [
      `set p 0 0 1\r\n7\r\n`,
      t.fill(),
      `incr p 3\r\n`,
      t.fill(),
      `append p 0 0 2\r\n00\r\n`,
      t.fill(),
      `incr p 1\r\n`,
      `prepend p 0 0 1\r\n9\r\n`,
      t.fill(),
      `gets p\r\n`,
      `decr p 90000\r\n`,
      t.fill(),
      `touch p 1000\r\n`,
      `append p 0 0 100\r\n${big}\r\n`,
      t.fill(),
      `incr p 1\r\n`,
      `gets p\r\n`,
      `delete p\r\n`,
      t.fill(),
      `incr p 1\r\n`,
      `add p 3 0 2\r\n42\r\n`,
      t.fill(),
      `replace p 4 0 2\r\n43\r\n`,
      `gets p\r\n`,
      `set p 0 0 1 noreply\r\n1\r\n`,
      `incr p 1 noreply\r\n`,
      t.fill(),
      `append p 0 0 1 noreply\r\n0\r\n`,
      `gets p\r\n`,
    ].join(''),
  );
  cas = await t.casOf('p');
  await t.send(`${t.fill()}cas p 0 0 1 ${cas}\r\n5\r\ncas p 0 0 1 ${cas}\r\n6\r\n${t.fill()}incr p 5\r\ngets p\r\n`);
}

describe('e2e: the tiered store over TCP (CLI child process)', function () {
  this.timeout(180_000);
  const { start, dir: dataDir } = childServerScope('rat-tiering-');

  it('50 MiB through a 1 MiB memory tier: all readable byte-exact from disk, RSS bounded', async () => {
    const server = await start(['--l2', 'on', '--data-dir', dataDir('big'), '-I', '2m'], { RAT_L1_MAX_MEMORY: String(MIB) });
    const rss = rssSampler(server);
    try {
      const c = await server.connect();
      await writeBulk(c);
      const got = await fetchAll(
        c,
        bulk.map((b) => b.key),
        false,
        5,
      );
      for (const [i, b] of bulk.entries()) {
        const r = got.get(b.key);
        expect(r, `${b.key} missing`).to.not.equal(undefined);
        expect(r!.flags).to.equal(i);
        if (!r!.value.equals(b.value)) expect.fail(`${b.key} differs`);
      }
      const s = await statsOf(c);
      expect(Number(s.get('l2_items'))).to.equal(500);
      expect(Number(s.get('limit_maxbytes'))).to.equal(MIB);
      expect(Number(s.get('bytes'))).to.be.at.most(MIB);
      // Nearly every read had to come from disk.
      expect(Number(s.get('l2_hits'))).to.be.greaterThan(450);
      expect(Number(s.get('evictions')), 'L1 evictions lose no data').to.equal(0);
    } finally {
      rss.stop();
    }
    const peak = rss.peak();
    console.log(`      peak VmRSS of the child: ${(peak / MIB).toFixed(1)} MiB`);
    expect(peak).to.be.greaterThan(0);
    expect(peak).to.be.below(RSS_BOUND);
    expect((await server.stop()).code).to.equal(0);
  });

  it('with max_disk_size below the data written, the disk stays within budget and the oldest items go', async () => {
    const limit = 20 * MIB;
    const server = await start(['--l2', 'on', '--data-dir', dataDir('bounded'), '-I', '2m'], {
      RAT_L1_MAX_MEMORY: String(MIB),
      RAT_L2_MAX_DISK_SIZE: String(limit),
    });
    const c = await server.connect();
    await writeBulk(c);
    const s = await statsOf(c);
    expect(Number(s.get('l2_limit_bytes'))).to.equal(limit);
    expect(Number(s.get('l2_bytes'))).to.be.at.most(limit);
    expect(Number(s.get('l2_evictions'))).to.be.greaterThan(0);
    const got = await fetchAll(
      c,
      bulk.map((b) => b.key),
      false,
      5,
    );
    const present = bulk.map((b) => got.has(b.key));
    const firstPresent = present.indexOf(true);
    expect(firstPresent, 'some of the oldest items were dropped').to.be.greaterThan(0);
    // Exactly the oldest are gone: everything from the first survivor on is present and intact.
    expect(present.slice(firstPresent).every(Boolean), 'survivors are the newest items').to.equal(true);
    for (const b of bulk.slice(firstPresent)) if (!got.get(b.key)!.value.equals(b.value)) expect.fail(`${b.key} differs`);
    console.log(`      l2_bytes ${s.get('l2_bytes')} of ${limit}; oldest ${firstPresent} of 500 items dropped`);
    expect((await server.stop()).code).to.equal(0);
    // The budget also holds after a restart (the index is rebuilt from disk).
    const again = await start(['--l2', 'on', '--data-dir', dataDir('bounded'), '-I', '2m'], {
      RAT_L1_MAX_MEMORY: String(MIB),
      RAT_L2_MAX_DISK_SIZE: String(limit),
    });
    const c2 = await again.connect();
    const s2 = await statsWhenIndexed(c2);
    expect(Number(s2.get('l2_bytes'))).to.be.at.most(limit);
    expect(Number(s2.get('l2_items'))).to.equal(500 - firstPresent);
    expect((await again.stop()).code).to.equal(0);
  });

  it('compressible values take less disk than their size; incompressible ones are stored raw', async () => {
    const count = 200;
    const size = 50 * KIB;
    const raw = count * size;
    const measure = async (name: string, compressible: boolean): Promise<{ ratio: number; disk: number }> => {
      const dir = dataDir(name);
      const server = await start(['--l2', 'on', '--data-dir', dir, '-I', '2m']);
      const c = await server.connect();
      const replies = await pipeline(
        c,
        Array.from({ length: count }, (_, i) => setCommand(`${name}:${i}`, 0, 0, bytesFor(9000 + i, size, compressible))),
        20,
      );
      expect(replies.filter((r) => r !== 'STORED')).to.deep.equal([]);
      const ratio = Number((await statsOf(c)).get('l2_compression_ratio'));
      expect((await server.stop()).code).to.equal(0);
      return { ratio, disk: directorySize(dir) };
    };
    const packed = await measure('packed', true);
    const random = await measure('random', false);
    console.log(
      `      ${raw} value bytes: compressible -> ${packed.disk} bytes on disk (ratio ${packed.ratio}); random -> ${random.disk} bytes (ratio ${random.ratio})`,
    );
    expect(packed.ratio).to.be.greaterThan(2);
    expect(packed.disk).to.be.below(raw / 2);
    expect(random.ratio).to.equal(1);
    expect(random.disk).to.be.at.least(raw);
  });

  it('after a restart, the warm-up fills memory with the newest items', async () => {
    const dir = dataDir('warm');
    const env = { RAT_L1_MAX_MEMORY: String(MIB) };
    // About 2.5 MiB of items (with the per-item overhead): the memory tier holds well under half.
    const keys = Array.from({ length: 2000 }, (_, i) => `warm:${i}`);
    const first = await start(['--l2', 'on', '--data-dir', dir], env);
    const c1 = await first.connect();
    const replies = await pipeline(
      c1,
      keys.map((k, i) => setCommand(k, 0, 0, bytesFor(i, 1000))),
    );
    expect(replies.filter((r) => r !== 'STORED')).to.deep.equal([]);
    expect((await first.stop()).code).to.equal(0);

    const second = await start(['--l2', 'on', '--data-dir', dir], env);
    const c2 = await second.connect();
    let s = await statsOf(c2);
    for (let i = 0; i < 200 && s.get('l2_warm_running') !== '0'; i++) {
      await sleep(50);
      s = await statsOf(c2);
    }
    expect(s.get('l2_warm_running'), 'warm-up finished').to.equal('0');
    expect(Number(s.get('l2_warm_loaded'))).to.be.greaterThan(200);
    expect(Number(s.get('bytes'))).to.be.at.most(MIB);
    const hitsBefore = Number(s.get('l2_hits'));
    const newest = keys.slice(-200);
    const got = await fetchAll(c2, newest);
    expect(got.size).to.equal(200);
    const fromDisk = Number((await statsOf(c2)).get('l2_hits')) - hitsBefore;
    expect(fromDisk, 'newest items read from disk instead of memory').to.equal(0);
    expect((await second.stop()).code).to.equal(0);
  });

  describe('read-modify-write commands on items held only on disk', () => {
    it('a probe shows the filler really pushes keys out of memory', async () => {
      const server = await start(['--l2', 'on', '--data-dir', dataDir('probe')], {
        RAT_L1_MAX_MEMORY: '8192',
        RAT_L1_EVICTION_STRATEGY: 'lru',
      });
      const c = await server.connect();
      const t = new Transcript(c);
      await t.send(`set probe 0 0 5\r\nprobe\r\n${t.fill()}`);
      const before = Number((await statsOf(c)).get('l2_hits'));
      expect(await t.send('get probe\r\n')).to.equal('VALUE probe 0 5\r\nprobe\r\nEND\r\n');
      expect(Number((await statsOf(c)).get('l2_hits'))).to.equal(before + 1);
      // Promoted: the next read is served from memory.
      await t.send('get probe\r\n');
      expect(Number((await statsOf(c)).get('l2_hits'))).to.equal(before + 1);
      expect((await server.stop()).code).to.equal(0);
    });

    it('two connections racing on one disk-only key lose no update (sync writes)', async () => {
      const server = await start(['--l2', 'on', '--data-dir', dataDir('race')], {
        RAT_L1_MAX_MEMORY: '8192',
        RAT_L1_EVICTION_STRATEGY: 'lru',
        RAT_L2_SYNC_WRITES: 'true',
      });
      const a = await server.connect();
      const b = await server.connect();
      expect(await a.exchange('set ctr 0 0 1\r\n0\r\nset log 0 0 0\r\n\r\n', 'STORED\r\nSTORED\r\n')).to.equal('STORED\r\nSTORED\r\n');
      const rounds = 300;
      const script = (tag: string): string => {
        let out = '';
        for (let i = 0; i < rounds; i++) {
          // The filler pushes both keys out of memory again and again.
          out += `incr ctr 1\r\nappend log 0 0 1\r\n${tag}\r\nset fill:${tag}:${i} 0 0 1000 noreply\r\n${'f'.repeat(1000)}\r\n`;
        }
        return out;
      };
      const readReplies = async (c: TcpClient): Promise<string[]> => {
        const out: string[] = [];
        for (let i = 0; i < rounds * 2; i++) out.push(await c.readUntil('\r\n', 15_000));
        return out;
      };
      a.send(script('A'));
      b.send(script('B'));
      const [ra, rb] = await Promise.all([readReplies(a), readReplies(b)]);
      for (const replies of [ra, rb]) {
        expect(replies.filter((_, i) => i % 2 === 1 && replies[i] !== 'STORED\r\n')).to.deep.equal([]);
      }
      // Every incr reply is distinct: no two saw the same old value.
      const counts = [...ra, ...rb].filter((_, i) => i % 2 === 0).map((r) => Number(r));
      expect(new Set(counts).size).to.equal(rounds * 2);
      const got = await fetchAll(a, ['ctr', 'log']);
      expect(got.get('ctr')!.value.toString().trim()).to.equal(String(rounds * 2));
      const log = got.get('log')!.value.toString();
      expect(log.length).to.equal(rounds * 2);
      expect(log.replace(/B/g, '').length).to.equal(rounds);
      expect((await server.stop()).code).to.equal(0);
    });

    it('replies exactly as the memory-only server does, one by one and pipelined', async () => {
      const tiered = await start(['--l2', 'on', '--data-dir', dataDir('semantics')], {
        RAT_L1_MAX_MEMORY: '8192',
        RAT_L1_EVICTION_STRATEGY: 'lru',
        RAT_PERFORMANCE_LARGE_VALUE_THRESHOLD: '64',
      });
      const memory = await start(['--l2', 'off', '-m', '64']);
      const withDisk = new Transcript(await tiered.connect());
      const memoryOnly = new Transcript(await memory.connect());
      await script(withDisk);
      await script(memoryOnly);
      expect(withDisk.lines.length).to.equal(memoryOnly.lines.length);
      for (let i = 0; i < withDisk.lines.length; i++) {
        expect(withDisk.lines[i], `step ${i}`).to.equal(memoryOnly.lines[i]);
      }
      const s = await statsOf(await tiered.connect());
      // The commands really found their items on disk.
      expect(Number(s.get('l2_hits')), 'disk hits during the script').to.be.greaterThan(20);
      expect(Number(s.get('l2_write_errors'))).to.equal(0);
      expect((await tiered.stop()).code).to.equal(0);
      expect((await memory.stop()).code).to.equal(0);
    });
  });
});
