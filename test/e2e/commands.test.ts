import { expect } from 'chai';
import { againstExternalServer, startE2EServer, type E2EServer } from '../support/server-fixture.js';
import type { TcpClient } from '../support/tcp-client.js';

/**
 * Every classic text command and every error reply over TCP against the
 * in-process server. Expected bytes are what memcached 1.6.18 sends; run with
 * E2E_TARGET_PORT=<port of a real memcached -U 0> to check them against it.
 */

const VERSION = 'VERSION 1.6.18\r\n';
const k250 = 'k'.repeat(250);
const k251 = 'k'.repeat(251);
let seq = 0;
/** A key no other test uses (the external server is shared state). */
const key = (name: string) => `e2e:${name}:${process.pid}:${++seq}`;
/** A key as metadump prints it (memcached's uriencode). */
const uriKey = (k: string) => k.replace(/[^A-Za-z0-9._~-]/g, (ch) => '%' + ch.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0'));

describe('e2e: classic commands over TCP', function () {
  this.timeout(20_000);
  let srv: E2EServer;
  let c: TcpClient;

  before(async () => {
    srv = await startE2EServer();
  });
  after(async () => {
    await srv.stop();
  });
  beforeEach(async () => {
    c = await srv.connect();
  });
  afterEach(() => {
    c.close();
  });

  /** Sends request + "version", expects exactly `expected` + VERSION: no byte more, none less. */
  async function check(request: string | Buffer, expected: string): Promise<void> {
    const req = typeof request === 'string' ? request + 'version\r\n' : Buffer.concat([request, Buffer.from('version\r\n')]);
    expect(await c.exchange(req, expected + VERSION)).to.equal(expected + VERSION);
  }

  describe('retrieval', () => {
    it('get and gets, multi-key, misses skipped', async () => {
      const [a, b] = [key('a'), key('b')];
      await check(`set ${a} 1 0 1\r\nx\r\nset ${b} 2 0 2\r\nyy\r\n`, 'STORED\r\nSTORED\r\n');
      await check(`get ${a} nope ${b}\r\n`, `VALUE ${a} 1 1\r\nx\r\nVALUE ${b} 2 2\r\nyy\r\nEND\r\n`);
      c.send(`gets ${a} ${b}\r\n`);
      const reply = await c.readUntil('END\r\n');
      const m = new RegExp(`^VALUE ${a} 1 1 (\\d+)\\r\\nx\\r\\nVALUE ${b} 2 2 (\\d+)\\r\\nyy\\r\\nEND\\r\\n$`).exec(reply);
      expect(m, reply).to.not.equal(null);
      expect(m![1]).to.not.equal(m![2]);
    });

    it('get of a miss, and get without a key', async () => {
      await check(`get ${key('miss')}\r\n`, 'END\r\n');
      await check('get\r\n', 'ERROR\r\n');
    });

    it('gat and gats', async () => {
      const k = key('gat');
      await check(`set ${k} 3 0 1\r\na\r\n`, 'STORED\r\n');
      await check(`gat 100 ${k} nope\r\n`, `VALUE ${k} 3 1\r\na\r\nEND\r\n`);
      c.send(`gats 0 ${k}\r\n`);
      expect(await c.readUntil('END\r\n')).to.match(new RegExp(`^VALUE ${k} 3 1 \\d+\\r\\na\\r\\nEND\\r\\n$`));
      await check(`gat abc ${k}\r\n`, 'CLIENT_ERROR invalid exptime argument\r\n');
      await check(`gat -1 ${k}\r\nget ${k}\r\n`, `VALUE ${k} 3 1\r\na\r\nEND\r\nEND\r\n`);
    });

    it('touch', async () => {
      const k = key('touch');
      await check(`set ${k} 0 0 1\r\na\r\ntouch ${k} 10\r\ntouch nope${k} 10\r\n`, 'STORED\r\nTOUCHED\r\nNOT_FOUND\r\n');
      await check(`touch ${k} abc\r\ntouch ${k}\r\n`, 'CLIENT_ERROR invalid exptime argument\r\nERROR\r\n');
      await check(`touch ${k} -1\r\nget ${k}\r\n`, 'TOUCHED\r\nEND\r\n');
    });

    it('a 250-byte key works, a long get line with many keys is allowed', async () => {
      await check(`set ${k250} 0 0 1\r\na\r\nget ${k250}\r\n`, `STORED\r\nVALUE ${k250} 0 1\r\na\r\nEND\r\n`);
      const keys = Array.from({ length: 2000 }, (_, i) => `${key('long')}-${i}`);
      await check(`get ${keys.join(' ')}\r\n`, 'END\r\n');
    });

    it('more than 24 tokens in a get: every key is still looked up', async () => {
      const keys = Array.from({ length: 40 }, (_, i) => `${key('many')}-${i}`);
      await check(`set ${keys[39]} 0 0 1\r\nz\r\n`, 'STORED\r\n');
      await check(`get ${keys.join(' ')}\r\n`, `VALUE ${keys[39]} 0 1\r\nz\r\nEND\r\n`);
    });
  });

  describe('storage', () => {
    it('set / add / replace', async () => {
      const k = key('sar');
      await check(`add ${k} 0 0 1\r\na\r\nadd ${k} 0 0 1\r\nb\r\n`, 'STORED\r\nNOT_STORED\r\n');
      await check(`replace nope${k} 0 0 1\r\nc\r\nreplace ${k} 7 0 1\r\nd\r\nget ${k}\r\n`, `NOT_STORED\r\nSTORED\r\nVALUE ${k} 7 1\r\nd\r\nEND\r\n`);
      await check(`set ${k} 4294967295 0 0\r\n\r\nget ${k}\r\n`, `STORED\r\nVALUE ${k} 4294967295 0\r\n\r\nEND\r\n`);
    });

    it('append / prepend keep the flags', async () => {
      const k = key('ap');
      await check(`append ${k} 0 0 1\r\na\r\nprepend ${k} 0 0 1\r\na\r\n`, 'NOT_STORED\r\nNOT_STORED\r\n');
      await check(
        `set ${k} 9 0 1\r\nb\r\nappend ${k} 1 0 2\r\ncd\r\nprepend ${k} 2 0 2\r\nxy\r\nget ${k}\r\n`,
        `STORED\r\nSTORED\r\nSTORED\r\nVALUE ${k} 9 5\r\nxybcd\r\nEND\r\n`,
      );
    });

    it('cas: not found, exists, stored', async () => {
      const k = key('cas');
      await check(`cas ${k} 0 0 1 1\r\na\r\n`, 'NOT_FOUND\r\n');
      await check(`set ${k} 0 0 1\r\nb\r\n`, 'STORED\r\n');
      c.send(`gets ${k}\r\n`);
      const cas = /VALUE \S+ 0 1 (\d+)/.exec(await c.readUntil('END\r\n'))![1]!;
      const wrong = (BigInt(cas) + 1000n).toString();
      await check(
        `cas ${k} 0 0 1 ${wrong}\r\nc\r\ncas ${k} 5 0 1 ${cas}\r\nd\r\ncas ${k} 0 0 1 ${cas}\r\ne\r\nget ${k}\r\n`,
        `EXISTS\r\nSTORED\r\nEXISTS\r\nVALUE ${k} 5 1\r\nd\r\nEND\r\n`,
      );
    });

    it('noreply on every storage command, incr/decr, touch and delete', async () => {
      const k = key('nr');
      await check(
        `set ${k} 0 0 1 noreply\r\na\r\nadd ${k} 0 0 1 noreply\r\nb\r\nreplace ${k} 0 0 1 noreply\r\nc\r\nappend ${k} 0 0 1 noreply\r\nd\r\n` +
          `prepend ${k} 0 0 1 noreply\r\ne\r\ncas ${k} 0 0 1 1 noreply\r\nf\r\nincr ${k} 1 noreply\r\ndecr ${k} 1 noreply\r\ntouch ${k} 10 noreply\r\nget ${k}\r\n`,
        `VALUE ${k} 0 3\r\necd\r\nEND\r\n`,
      );
      await check(
        `set ${k} 0 0 1\r\n5\r\nincr ${k} 1 noreply\r\ndecr ${k} 2 noreply\r\nget ${k}\r\ndelete ${k} noreply\r\nget ${k}\r\n`,
        `STORED\r\nVALUE ${k} 0 1\r\n4\r\nEND\r\nEND\r\n`,
      );
    });

    it('a value with CR LF inside and binary bytes round-trips', async () => {
      const k = key('bin');
      const value = Buffer.from([0, 1, 13, 10, 255, 128, 32, 13]);
      const req = Buffer.concat([Buffer.from(`set ${k} 0 0 ${value.length}\r\n`), value, Buffer.from(`\r\nget ${k}\r\n`)]);
      c.send(req);
      const expected = Buffer.concat([Buffer.from(`STORED\r\nVALUE ${k} 0 ${value.length}\r\n`), value, Buffer.from('\r\nEND\r\n')]);
      expect((await c.readBytes(expected.length)).equals(expected)).to.equal(true);
    });

    it('expiry: exptime -1 stores an item that is already gone', async () => {
      const k = key('neg');
      await check(`set ${k} 0 -1 1\r\na\r\nget ${k}\r\n`, 'STORED\r\nEND\r\n');
    });
  });

  describe('delete, incr, decr', () => {
    it('delete, delete k 0, and the Usage error', async () => {
      const k = key('del');
      await check(`set ${k} 0 0 1\r\na\r\ndelete ${k}\r\ndelete ${k}\r\n`, 'STORED\r\nDELETED\r\nNOT_FOUND\r\n');
      await check(`set ${k} 0 0 1\r\na\r\ndelete ${k} 0\r\n`, 'STORED\r\nDELETED\r\n');
      const usage = 'CLIENT_ERROR bad command line format.  Usage: delete <key> [noreply]\r\n';
      await check(`delete ${k} 1\r\ndelete ${k} x y\r\ndelete ${k} 0 noreply\r\ndelete\r\n`, usage + usage + 'ERROR\r\n');
    });

    it('incr / decr, wrap at 2^64, floor at 0, space padding', async () => {
      const k = key('n');
      await check(`set ${k} 0 0 2\r\n10\r\nincr ${k} 5\r\ndecr ${k} 6\r\nget ${k}\r\n`, `STORED\r\n15\r\n9\r\nVALUE ${k} 0 2\r\n9 \r\nEND\r\n`);
      await check(`decr ${k} 100\r\nincr nope${k} 1\r\ndecr nope${k} 1\r\n`, '0\r\nNOT_FOUND\r\nNOT_FOUND\r\n');
      await check(`set ${k} 0 0 20\r\n18446744073709551615\r\nincr ${k} 2\r\n`, 'STORED\r\n1\r\n');
    });

    it('non-numeric value and invalid delta', async () => {
      const k = key('nn');
      const nonNumeric = 'CLIENT_ERROR cannot increment or decrement non-numeric value\r\n';
      const badDelta = 'CLIENT_ERROR invalid numeric delta argument\r\n';
      await check(`set ${k} 0 0 3\r\nabc\r\nincr ${k} 1\r\ndecr ${k} 1\r\n`, 'STORED\r\n' + nonNumeric + nonNumeric);
      await check(`incr ${k} abc\r\nincr ${k} -1\r\ndecr ${k} 18446744073709551616\r\nincr ${k}\r\n`, badDelta + badDelta + badDelta + 'ERROR\r\n');
    });
  });

  describe('administration', () => {
    it('flush_all, with noreply and with a delay', async () => {
      const [a, b] = [key('fa'), key('fb')];
      await check(`set ${a} 0 0 1\r\na\r\nflush_all\r\nget ${a}\r\n`, 'STORED\r\nOK\r\nEND\r\n');
      await check(`set ${a} 0 0 1\r\na\r\nflush_all noreply\r\nget ${a}\r\n`, 'STORED\r\nEND\r\n');
      // memcached flushes items stored at or before (now + delay - 1) in whole seconds, so a
      // 1 s delay can act at once there; 3 s keeps the item visible for at least a second.
      await check(`set ${b} 0 0 1\r\nb\r\nflush_all 3\r\nget ${b}\r\n`, `STORED\r\nOK\r\nVALUE ${b} 0 1\r\nb\r\nEND\r\n`);
      await new Promise((r) => setTimeout(r, 3_500));
      await check(`get ${b}\r\n`, 'END\r\n');
      await check('flush_all abc\r\nflush_all 0 noreply\r\nflush_all 0\r\n', 'CLIENT_ERROR invalid exptime argument\r\nOK\r\n');
    });

    it('flush_all 1 acts at once; an immediate flush takes a cas unique, a delayed one does not', async () => {
      const [a, b, d, e] = [key('f1a'), key('f1b'), key('f1d'), key('f1e')];
      const casOf = async (k: string): Promise<number> => {
        c.send(`set ${k} 0 0 1\r\nx\r\ngets ${k}\r\n`);
        const reply = await c.readUntil('END\r\n');
        const m = new RegExp(`^STORED\\r\\nVALUE ${k} 0 1 (\\d+)\\r\\nx\\r\\nEND\\r\\n$`).exec(reply);
        expect(m, reply).to.not.equal(null);
        return Number(m![1]);
      };
      const first = await casOf(b);
      await check('flush_all\r\n', 'OK\r\n');
      expect(await casOf(d), 'the immediate flush took one cas unique').to.equal(first + 2);
      await check('flush_all 60\r\n', 'OK\r\n');
      expect(await casOf(e), 'a delayed flush takes none').to.equal(first + 3);
      // memcached 1.6.18 keeps oldest_live = now + delay - 1 s: a 1 s delay is already past (and
      // replaces the pending one). There, items stored later in the same second vanish too: last step.
      await check(`set ${a} 0 0 1\r\na\r\nflush_all 1\r\nget ${a}\r\n`, 'STORED\r\nOK\r\nEND\r\n');
    });

    it('version and verbosity', async () => {
      await check('version\r\n', VERSION);
      await check(
        'verbosity 1\r\nverbosity 1 noreply\r\nverbosity\r\nverbosity abc\r\nverbosity 0\r\n',
        'OK\r\nERROR\r\nCLIENT_ERROR bad command line format\r\nOK\r\n',
      );
    });

    it('stats: general fields', async () => {
      const s = await c.lines('stats\r\n');
      expect(s).to.match(/^STAT pid \d+\r\n/);
      for (const f of [
        'uptime',
        'time',
        'curr_connections',
        'total_connections',
        'cmd_get',
        'cmd_set',
        'get_hits',
        'get_misses',
        'curr_items',
        'total_items',
        'evictions',
        'bytes',
        'limit_maxbytes',
        'threads',
      ]) {
        expect(s).to.match(new RegExp(`\\r\\nSTAT ${f} \\d+\\r\\n`), f);
      }
      expect(s).to.include('\r\nSTAT version 1.6.18\r\n');
      expect(s.endsWith('\r\nEND\r\n')).to.equal(true);
    });

    it('stats settings / items / slabs / sizes', async () => {
      const settings = await c.lines('stats settings\r\n');
      expect(settings).to.match(/^STAT maxbytes \d+\r\n/);
      expect(settings).to.match(/\r\nSTAT item_size_max 1048576\r\n/);
      expect(settings).to.match(/\r\nSTAT maxconns \d+\r\n/);
      const k = key('si');
      await check(`set ${k} 0 0 1\r\na\r\n`, 'STORED\r\n');
      expect(await c.lines('stats items\r\n')).to.match(/^STAT items:\d+:number \d+\r\n(STAT items:\d+:\w+ \d+\r\n)*END\r\n$/);
      expect(await c.lines('stats slabs\r\n')).to.match(/^(STAT \d+:\w+ \d+\r\n)+STAT active_slabs \d+\r\nSTAT total_malloced \d+\r\nEND\r\n$/);
      await check('stats bogus\r\n', 'ERROR\r\n');
    });

    it('stats reset and stats detail on|off|dump', async () => {
      await check('stats reset\r\n', 'RESET\r\n');
      expect(await c.lines('stats\r\n')).to.match(/\r\nSTAT cmd_get 0\r\n/);
      const p = `d${process.pid}x${++seq}`;
      await check(
        `stats detail on\r\nset ${p}:a 0 0 1\r\na\r\nget ${p}:a\r\nget ${p}:b\r\ndelete ${p}:a\r\nstats detail off\r\n`,
        `OK\r\nSTORED\r\nVALUE ${p}:a 0 1\r\na\r\nEND\r\nEND\r\nDELETED\r\nOK\r\n`,
      );
      const dump = await c.lines('stats detail dump\r\n');
      expect(dump).to.include(`PREFIX ${p} get 2 hit 1 set 1 del 1\r\n`);
      expect(dump.endsWith('END\r\n')).to.equal(true);
      await check('stats detail\r\nstats detail x\r\n', 'CLIENT_ERROR usage: stats detail on|off|dump\r\nCLIENT_ERROR usage: stats detail on|off|dump\r\n');
    });

    it('stats reset clears the stats detail per-prefix counters', async () => {
      const p = `r${process.pid}x${++seq}`;
      await check(`stats detail on\r\nget ${p}:a\r\nstats detail off\r\n`, 'OK\r\nEND\r\nOK\r\n');
      expect(await c.lines('stats detail dump\r\n')).to.include(`PREFIX ${p} get 1 hit 0 set 0 del 0\r\n`);
      await check('stats reset\r\nstats detail dump\r\n', 'RESET\r\nEND\r\n');
    });

    it('lru_crawler metadump lists every live key as memcached does', async () => {
      const [a, b] = [key('md a%b'.replace(' ', '')), key('mdb')];
      await check(`set ${a} 5 1000 3\r\nabc\r\nset ${b} 0 0 1\r\nx\r\nget ${b}\r\n`, `STORED\r\nSTORED\r\nVALUE ${b} 0 1\r\nx\r\nEND\r\n`);
      const dump = await c.lines('lru_crawler metadump all\r\n');
      const enc = (k: string) => k.replace(/[^A-Za-z0-9._~-]/g, (ch) => '%' + ch.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0'));
      expect(dump).to.match(new RegExp(`(^|\n)key=${enc(a)} exp=\\d+ la=\\d+ cas=\\d+ fetch=no cls=\\d+ size=\\d+\n`));
      expect(dump).to.match(new RegExp(`(^|\n)key=${enc(b)} exp=-1 la=\\d+ cas=\\d+ fetch=(yes|no) cls=\\d+ size=\\d+\n`));
      expect(dump.endsWith('\nEND\r\n')).to.equal(true);
      expect(await c.lines('lru_crawler metadump hash\r\n')).to.include(`key=${enc(b)} `);
      // Past memcached's 63 only our own classes are valid (the memory tier has ~71: docs/compatibility.md).
      for (const bad of ['0', 'x', '200']) await check(`lru_crawler metadump ${bad}\r\n`, 'BADCLASS invalid class id\r\n');
      // memcached cannot stream a dump behind replies still owed on the connection.
      await check('version\r\nlru_crawler metadump all\r\n', VERSION + 'ERROR cannot pipeline other commands before metadump\r\n');
    });

    it('metadump reports each item in its size class, as stats items, stats slabs and cachedump count it', async () => {
      const sizes = [10, 3000, 20000]; // two arena classes, then a value with a buffer of its own (> 8 KiB)
      const keys = sizes.map((n) => key(`cls${n}`));
      for (const [i, k] of keys.entries()) await check(`set ${k} 0 0 ${sizes[i]}\r\n${'v'.repeat(sizes[i]!)}\r\n`, 'STORED\r\n');
      const dump = await c.lines('lru_crawler metadump all\r\n');
      const items = await c.lines('stats items\r\n');
      const slabs = await c.lines('stats slabs\r\n');
      const classes = keys.map((k) => Number(new RegExp(`(?:^|\n)key=${uriKey(k)} .* cls=(\\d+) size=`).exec(dump)?.[1]));
      expect(new Set(classes).size, dump).to.equal(3);
      for (const [i, cls] of classes.entries()) {
        expect(items).to.match(new RegExp(`STAT items:${cls}:number [1-9]\\d*\r\n`));
        const chunk = Number(new RegExp(`STAT ${cls}:chunk_size (\\d+)\r\n`).exec(slabs)?.[1]);
        // The own-buffer class's chunk_size is the mean of those buffers.
        if (i < 2) expect(chunk, `class ${cls}`).to.be.at.least(keys[i]!.length + sizes[i]!);
        expect(await c.lines(`lru_crawler metadump ${cls}\r\n`)).to.include(`key=${uriKey(keys[i]!)} `);
        expect(await c.lines(`stats cachedump ${cls} 0\r\n`)).to.include(`ITEM ${keys[i]} [${sizes[i]} b; 0 s]\r\n`);
        // me (the meta debug command) names the same class.
        expect(await c.lines(`me ${keys[i]}\r\n`, '\r\n')).to.match(new RegExp(`^ME ${keys[i]} .* cls=${cls} size=\\d+\r\n$`));
      }
      // The own-buffer class comes after every arena class; a class asked for alone lists only its items.
      expect(classes[2]).to.equal(Math.max(...[...slabs.matchAll(/STAT (\d+):chunk_size/g)].map((m) => Number(m[1]))));
      expect(await c.lines(`lru_crawler metadump ${classes[0]}\r\n`)).to.not.include(`key=${uriKey(keys[1]!)} `);
      // Tools walk memcached's classes 1..63 only: 63 also lists the classes above it.
      expect(classes[2]).to.be.greaterThan(63);
      expect(await c.lines('stats cachedump 63 0\r\n')).to.include(`ITEM ${keys[2]} [20000 b; 0 s]\r\n`);
    });

    it('stats cachedump lists keys with size and expiry; stats conns lists the connections', async () => {
      const k = key('cd');
      await check(`set ${k} 0 0 4\r\nabcd\r\n`, 'STORED\r\n');
      const cls = new RegExp(`(?:^|\n)key=${uriKey(k)} .* cls=(\\d+) `).exec(await c.lines('lru_crawler metadump all\r\n'))?.[1];
      expect(await c.lines(`stats cachedump ${cls} 0\r\n`)).to.include(`ITEM ${k} [4 b; 0 s]\r\n`);
      await check(
        'stats cachedump 200 0\r\nstats cachedump 1\r\nstats cachedump x 0\r\n',
        'CLIENT_ERROR Illegal slab id\r\nCLIENT_ERROR bad command line\r\nCLIENT_ERROR bad command line format\r\n',
      );
      const other = await srv.connect();
      try {
        await other.exchange('version\r\n', VERSION);
        const conns = await c.lines('stats conns\r\n');
        const me = /STAT (\d+):state conn_parse_cmd\r\n/.exec(conns);
        expect(me, conns).to.not.equal(null);
        expect(conns).to.match(new RegExp(`STAT ${me![1]}:addr tcp:127\\.0\\.0\\.1:\\d+\r\nSTAT ${me![1]}:listen_addr tcp:127\\.0\\.0\\.1:${srv.port}\r\n`));
        expect(conns).to.match(/STAT \d+:state conn_read\r\nSTAT \d+:secs_since_last_cmd \d+\r\n/);
      } finally {
        other.close();
      }
    });

    it('cache_memlimit', async () => {
      await check(
        'cache_memlimit 100\r\ncache_memlimit 1\r\ncache_memlimit abc\r\ncache_memlimit\r\ncache_memlimit 64 noreply\r\ncache_memlimit 64\r\n',
        'OK\r\nMEMLIMIT_TOO_SMALL cannot set maxbytes to less than 8m\r\nERROR\r\nERROR\r\nOK\r\n',
      );
    });

    it('slabs, lru_crawler and lru replies', async () => {
      await check(
        'slabs reassign 1 1\r\nslabs automove 1\r\nslabs automove 3\r\nslabs\r\nslabs foo\r\n',
        'SAME src and dst class are identical\r\nOK\r\nERROR\r\nERROR\r\nERROR\r\n',
      );
      await check(
        'lru_crawler sleep 10\r\nlru_crawler sleep 2000000\r\nlru_crawler tocrawl 5\r\nlru_crawler\r\n',
        'OK\r\nCLIENT_ERROR sleep must be one second or less\r\nOK\r\nERROR\r\n',
      );
      await check(
        'lru mode flat\r\nlru mode segmented\r\nlru mode x\r\nlru temp_ttl 10\r\nlru tune 10 20 0.1 2\r\nlru tune 60 60 0.1 2\r\nlru\r\n',
        'OK\r\nOK\r\nERROR\r\nOK\r\nOK\r\nERROR hot and warm pcts must not exceed 80\r\nERROR\r\n',
      );
    });

    it('shutdown is refused unless enabled', async () => {
      await check('shutdown\r\nshutdown graceful\r\n', 'ERROR: shutdown not enabled\r\nERROR: shutdown not enabled\r\n');
    });

    it('watch is refused (logging streams are not offered)', async function () {
      // memcached 1.6.18 answers OK and streams logs; we answer as memcached does with watch disabled.
      if (againstExternalServer()) return; // nothing to compare against memcached here
      await check('watch\r\n', 'CLIENT_ERROR watch commands not allowed\r\n');
    });

    it('quit closes the connection', async () => {
      c.send('version\r\nquit\r\nversion\r\n');
      expect((await c.readBytes(VERSION.length)).toString()).to.equal(VERSION);
      expect(await c.waitClosed()).to.equal(true);
      expect(c.pending.length).to.equal(0);
    });
  });

  describe('error replies', () => {
    it('ERROR for unknown commands and empty lines; too many tokens', async () => {
      await check('bogus\r\n\r\nBOGUS a b c\r\n', 'ERROR\r\nERROR\r\nERROR\r\n');
      await check(`set ${Array.from({ length: 30 }, (_, i) => 'x' + i).join(' ')}\r\n`, 'ERROR\r\n');
      await check(`${Array.from({ length: 30 }, (_, i) => 'x' + i).join(' ')}\r\n`, 'ERROR\r\n');
    });

    it('CLIENT_ERROR bad command line format: 251-byte key, negative length, bad flags, bad cas', async () => {
      const bad = 'CLIENT_ERROR bad command line format\r\n';
      await check(`set ${k251} 0 0 1\r\na\r\n`, bad + 'ERROR\r\n');
      await check(`get a ${k251}\r\n`, bad);
      await check(`delete ${k251}\r\nincr ${k251} 1\r\ntouch ${k251} 1\r\n`, bad + bad + bad);
      await check('set x 0 0 -1\r\n', bad);
      await check('set x abc 0 1\r\na\r\nset x -1 0 1\r\na\r\n', bad + 'ERROR\r\n' + bad + 'ERROR\r\n');
      await check('set x 0 abc 1\r\na\r\n', bad + 'ERROR\r\n');
      await check('cas x 0 0 1 abc\r\na\r\ncas x 0 0 1 -1\r\na\r\n', bad + 'ERROR\r\n' + bad + 'ERROR\r\n');
      await check('set x 0 0\r\ncas x 0 0 1\r\n', 'ERROR\r\nERROR\r\n');
    });

    it('CLIENT_ERROR bad data chunk, connection still usable', async () => {
      const k = key('chunk');
      await check(`set ${k} 0 0 1\r\nabc\r\nget ${k}\r\n`, 'CLIENT_ERROR bad data chunk\r\nERROR\r\nEND\r\n');
      await check(`set ${k} 0 0 3\r\nab\r\nxx\r\nget ${k}\r\n`, 'CLIENT_ERROR bad data chunk\r\nERROR\r\nEND\r\n');
    });

    it('SERVER_ERROR object too large: data swallowed, connection usable, old value gone for set', async () => {
      const k = key('big');
      const big = 'x'.repeat(1024 * 1024 + 1);
      await check(
        `set ${k} 0 0 1\r\na\r\nset ${k} 0 0 ${big.length}\r\n${big}\r\nget ${k}\r\n`,
        'STORED\r\nSERVER_ERROR object too large for cache\r\nEND\r\n',
      );
      await check(
        `set ${k} 0 0 1\r\na\r\nadd ${k} 0 0 ${big.length}\r\n${big}\r\nget ${k}\r\n`,
        `STORED\r\nSERVER_ERROR object too large for cache\r\nVALUE ${k} 0 1\r\na\r\nEND\r\n`,
      );
      await check(`set ${k} 0 0 ${big.length} noreply\r\n${big}\r\n`, '');
      // The largest value -I 1m takes under a short key, and one byte more.
      const fits = 'y'.repeat(1_048_516);
      const j = 'j';
      await check(
        `set ${j} 0 0 ${fits.length}\r\n${fits}\r\nset ${j} 0 0 ${fits.length + 1}\r\n${fits}y\r\n`,
        'STORED\r\nSERVER_ERROR object too large for cache\r\n',
      );
    });

    it('a line of more than 2048 bytes without a newline closes the connection', async () => {
      c.send('x'.repeat(4096));
      expect(await c.waitClosed()).to.equal(true);
    });

    it('an HTTP request line closes the connection', async () => {
      c.send('GET / HTTP/1.1\r\nHost: localhost\r\n\r\n');
      expect(await c.waitClosed()).to.equal(true);
      expect(c.pending.toString()).to.equal('');
    });
  });
});

describe('e2e: shutdown command when enabled (-A)', function () {
  this.timeout(10_000);
  it('closes the connection and stops the server', async function () {
    if (againstExternalServer()) return; // nothing to compare against memcached here
    const srv = await startE2EServer({ server: { shutdown_enabled: true } });
    try {
      const c = await srv.connect();
      c.send('shutdown\r\n');
      expect(await c.waitClosed()).to.equal(true);
      const refused = await srv.connect().then(
        () => false,
        () => true,
      );
      expect(refused).to.equal(true);
    } finally {
      await srv.stop();
    }
  });
});
