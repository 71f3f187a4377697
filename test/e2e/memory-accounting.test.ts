import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ChildServer, fetchAll, setCommand } from '../support/child-server.js';
import { TcpClient } from '../support/tcp-client.js';

// dist/test/e2e -> dist/src/infrastructure/cli.js
const cli = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'src', 'infrastructure', 'cli.js');

/** Memory tier budget of the child (`-m`), MiB. */
const BUDGET_MIB = 16;
const BUDGET = BUDGET_MIB * 2 ** 20;
/** Keys + values written, as a multiple of the budget: enough to force many evictions. */
const LOAD_FACTOR = 3;
/**
 * Allowed peak RSS (VmHWM): the idle server's RSS + max_memory + a fixed
 * allowance. The memory tier charges everything it allocates (slab pages,
 * own buffers, per-entry metadata and policy state) against max_memory, so
 * what remains is not per item: V8's young generation under sustained
 * allocation, values and read garbage awaiting GC, malloc arenas.
 * docs/memory.md has the measurements. The idle base no longer holds what
 * only work brings (the optimizing compiler's pages of the node binary, the
 * young generation grown by start-up: ADR 0018), so it shows in the growth
 * instead: peak - idle - max_memory was 37-41 MiB at -m 16 and is ~53 MiB
 * now, for an absolute peak no higher than before (~120 MiB).
 */
const RSS_FIXED = 60 * 2 ** 20;
const RSS_FACTOR = 1;
/** Commands (and bytes) in flight per pipelined window. */
const WINDOW = 100;
const WINDOW_BYTES = 1 << 20;
/** Random earlier keys read after every window, so some items are hit and survive. */
const READS_PER_WINDOW = 20;
const WAIT_MS = 15_000;

/** xorshift32: deterministic, so the expected value of any key can be rebuilt instead of kept. */
function xorshift(seed: number): () => number {
  let x = seed | 0 || 0x9e3779b9;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return x >>> 0;
  };
}

const keyOf = (i: number): string => `acct:${String(i).padStart(8, '0')}`;

/** Value size of item i: mostly 16 B..1 KiB (Buffer-pool sized), one in ten 4..32 KiB (own allocation). */
function sizeOf(i: number): number {
  const r = xorshift(i * 2654435761 + 1);
  r();
  return r() % 10 === 0 ? 4096 + (r() % 28_673) : 16 + (r() % 1009);
}

function valueOf(i: number): Buffer {
  const n = sizeOf(i);
  const b = Buffer.allocUnsafe(n);
  const r = xorshift(i + 0x51ed27);
  for (let j = 0; j < n; j++) b[j] = r() & 0xff;
  // The key index up front makes a value served under the wrong key impossible to mistake.
  b.write(String(i).padStart(8, '0').slice(-Math.min(8, n)), 0, 'latin1');
  return b;
}

/** VmRSS and VmHWM (peak) of a live process, bytes. */
function procMemory(pid: number): { rss: number; hwm: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name: string): number => {
    const m = new RegExp(`^${name}:\\s+(\\d+)\\s+kB`, 'm').exec(status);
    if (!m) throw new Error(`no ${name} in /proc/${pid}/status`);
    return Number(m[1]) * 1024;
  };
  return { rss: field('VmRSS'), hwm: field('VmHWM') };
}

function listeningPort(child: ChildProcess, ms = WAIT_MS): Promise<number> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const t = setTimeout(() => reject(new Error(`no "listening" log line within ${ms} ms: ${seen.slice(-2000)}`)), ms);
    child.once('exit', (code) => {
      clearTimeout(t);
      reject(new Error(`the CLI exited (${code}) before listening: ${seen.slice(-2000)}`));
    });
    child.stderr!.on('data', (d: Buffer) => {
      seen = (seen + d.toString()).slice(-20_000);
      const m = /"port":(\d+)[^\n]*listening|listening[^\n]*"port":(\d+)/.exec(seen);
      if (m) {
        clearTimeout(t);
        resolve(Number(m[1] ?? m[2]));
      }
    });
  });
}

async function stats(c: TcpClient): Promise<Map<string, number>> {
  const text = await c.lines('stats\r\n');
  if (!text.endsWith('END\r\n')) throw new Error(`stats reply not terminated: ${text.slice(-200)}`);
  const out = new Map<string, number>();
  for (const m of text.matchAll(/^STAT (\S+) (\S+)\r$/gm)) out.set(m[1]!, Number(m[2]));
  return out;
}

/**
 * `get` of item indexes; checks every returned value byte for byte against
 * the value that was stored under that key and returns the indexes found.
 */
async function getChecked(c: TcpClient, indexes: number[]): Promise<Set<number>> {
  c.send(`get ${indexes.map(keyOf).join(' ')}\r\n`);
  const wanted = new Set(indexes);
  const found = new Set<number>();
  for (;;) {
    const line = await c.readUntil('\r\n', WAIT_MS);
    if (line === 'END\r\n') return found;
    const m = /^VALUE acct:(\d{8}) 0 (\d+)\r\n$/.exec(line);
    if (!m) throw new Error(`unexpected retrieval line ${JSON.stringify(line.slice(0, 200))}`);
    const i = Number(m[1]);
    if (!wanted.has(i) || found.has(i)) throw new Error(`VALUE for ${keyOf(i)}, which was not asked for (or twice)`);
    const data = await c.readBytes(Number(m[2]) + 2, WAIT_MS);
    const expected = valueOf(i);
    if (data.length !== expected.length + 2 || !data.subarray(0, expected.length).equals(expected) || data.toString('latin1', expected.length) !== '\r\n') {
      throw new Error(`${keyOf(i)}: a wrong value (${data.length - 2} bytes, expected ${expected.length})`);
    }
    found.add(i);
  }
}

describe('e2e: memory accounting of the memory tier (-m budget)', function () {
  this.timeout(60_000);
  let child: ChildProcess | undefined;
  let client: TcpClient | undefined;

  afterEach(async () => {
    client?.close();
    if (child && child.exitCode === null && child.signalCode === null) {
      const gone = new Promise((r) => child!.once('exit', r));
      child.kill('SIGKILL');
      await Promise.race([gone, new Promise((r) => setTimeout(r, 5_000))]);
    }
    child = client = undefined;
  });

  // Linux only: RSS is read from /proc, as everywhere else in this suite.
  it(`stays within ${BUDGET_MIB} MiB of charged bytes, serves only exact values, and bounds RSS, under ${LOAD_FACTOR}x the budget`, async () => {
    child = spawn(process.execPath, [cli, '-l', '127.0.0.1', '-p', '0', '-m', String(BUDGET_MIB), '--l2', 'off'], {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, RAT_LOGGING_ENABLE_LOGGING: 'true', RAT_LOGGING_LEVEL: 'info' },
    });
    const pid = child.pid!;
    const port = await listeningPort(child);
    client = await TcpClient.connect(port);
    const c = client;
    // The fixed base: an idle, freshly started server (one stats round trip so the protocol path is loaded).
    expect((await stats(c)).get('limit_maxbytes')).to.equal(BUDGET);
    await new Promise((r) => setTimeout(r, 300));
    const base = procMemory(pid).rss;

    // Load: distinct keys until keys + values reach LOAD_FACTOR x the budget, pipelined in bounded windows.
    const rand = xorshift(12345);
    let n = 0;
    let written = 0;
    let readHits = 0;
    while (written < LOAD_FACTOR * BUDGET) {
      const parts: Buffer[] = [];
      let bytes = 0;
      const first = n;
      while (n - first < WINDOW && bytes < WINDOW_BYTES && written < LOAD_FACTOR * BUDGET) {
        const key = keyOf(n);
        const v = valueOf(n);
        parts.push(Buffer.from(`set ${key} 0 0 ${v.length}\r\n`, 'latin1'), v, Buffer.from('\r\n', 'latin1'));
        bytes += v.length + key.length + 20;
        written += key.length + v.length;
        n++;
      }
      c.send(Buffer.concat(parts));
      for (let i = first; i < n; i++) {
        const line = await c.readUntil('\r\n', WAIT_MS);
        if (line !== 'STORED\r\n') throw new Error(`set ${keyOf(i)}: ${JSON.stringify(line)}`);
      }
      const reads = Array.from({ length: READS_PER_WINDOW }, () => rand() % n);
      readHits += (await getChecked(c, [...new Set(reads)])).size;
    }

    const s = await stats(c);
    const evictions = s.get('evictions')!;
    const items = s.get('curr_items')!;
    expect(s.get('limit_maxbytes')).to.equal(BUDGET);
    expect(s.get('bytes'), 'stats bytes').to.be.at.most(BUDGET);
    expect(evictions, 'evictions').to.be.greaterThan(0);
    // Every key was set once and nothing was deleted or expired: what is not resident was evicted.
    expect(items + evictions, 'curr_items + evictions').to.equal(n);

    // Scan every key: each answer is the exact value or a miss, and the misses are exactly the evictions.
    let present = 0;
    for (let i = 0; i < n; i += 100) {
      const batch = Array.from({ length: Math.min(100, n - i) }, (_, j) => i + j);
      present += (await getChecked(c, batch)).size;
    }
    expect(present, 'items found by the scan').to.equal(items);
    expect(n - present, 'misses').to.equal(evictions);
    expect(readHits, 'reads during the load hit something').to.be.greaterThan(0);

    // The resource bound: the peak RSS over the whole run, not just the end.
    const { rss, hwm } = procMemory(pid);
    const bound = base + RSS_FIXED + RSS_FACTOR * BUDGET;
    const mib = (x: number): string => (x / 2 ** 20).toFixed(1);
    console.log(
      `      idle RSS ${mib(base)} MiB, end ${mib(rss)} MiB, peak ${mib(hwm)} MiB (bound ${mib(bound)}); ` +
        `${n} sets, ${items} resident, ${evictions} evicted, stats bytes ${mib(s.get('bytes')!)} MiB`,
    );
    expect(hwm, `peak RSS ${mib(hwm)} MiB vs idle ${mib(base)} MiB + ${mib(RSS_FIXED)} MiB + ${RSS_FACTOR} x ${BUDGET_MIB} MiB`).to.be.at.most(bound);
  });
});

/** `stats <group>` as name -> number. */
async function statsGroup(c: TcpClient, group: string): Promise<Map<string, number>> {
  const text = await c.lines(`stats ${group}\r\n`);
  const out = new Map<string, number>();
  for (const m of text.matchAll(/^STAT (\S+) (\S+)\r$/gm)) out.set(m[1]!, Number(m[2]));
  return out;
}

/** The class ids named by `<id>:chunk_size` (stats slabs) or `items:<id>:number` (stats items). */
function classIds(s: Map<string, number>, pattern: RegExp): number[] {
  return [...s.keys()].flatMap((k) => {
    const m = pattern.exec(k);
    return m ? [Number(m[1])] : [];
  });
}

async function storeAll(c: TcpClient, keys: string[], exptime: number, value: Buffer): Promise<void> {
  c.send(Buffer.concat(keys.map((k) => setCommand(k, 0, exptime, value))));
  for (const k of keys) expect(await c.readUntil('\r\n'), `set ${k}`).to.equal('STORED\r\n');
}

const PAGE = 64 * 1024;

for (const [label, args] of [
  ['--l2 off', ['--l2', 'off']],
  ['default config (L2 on)', [] as string[]],
] as const) {
  describe(`e2e: stats slabs / stats items and reuse of expired memory (${label})`, function () {
    this.timeout(30_000);
    let server: ChildServer | undefined;
    let dir: string | undefined;

    beforeEach(async () => {
      dir = mkdtempSync(path.join(tmpdir(), 'rat-slabs-'));
      server = await ChildServer.start({ args: [...args, '--data-dir', dir] });
    });
    afterEach(async () => {
      await server?.kill();
      if (dir) rmSync(dir, { recursive: true, force: true });
      server = dir = undefined;
    });

    it('reuses the memory of expired items: total_malloced does not grow when ten 65 KiB items replace ten expired ones', async () => {
      const c = await server!.connect();
      const value = Buffer.alloc(65 * 1024, 0x61);
      const first = Array.from({ length: 10 }, (_, i) => `ttl:a${i}`);
      const second = Array.from({ length: 10 }, (_, i) => `ttl:b${i}`);
      await storeAll(c, first, 2, value);
      const before = (await statsGroup(c, 'slabs')).get('total_malloced')!;
      expect(before, 'total_malloced holds the ten values').to.be.at.least(10 * value.length);
      // TTLs count in whole seconds: a 2 s item may live up to 3 s. Nothing reads them meanwhile.
      await new Promise((r) => setTimeout(r, 3_200));
      await storeAll(c, second, 0, value);
      const after = (await statsGroup(c, 'slabs')).get('total_malloced')!;
      expect(after, `total_malloced ${before} -> ${after}`).to.be.at.most(before);
      expect(after, 'total_malloced holds the ten new values').to.be.at.least(10 * value.length);
      expect((await fetchAll(c, second)).size, 'the new items').to.equal(10);
      expect((await fetchAll(c, first)).size, 'the expired items').to.equal(0);
    });

    it('reports the real size classes and pages, consistent with total_malloced and curr_items', async () => {
      const c = await server!.connect();
      // Payloads of distinct size classes, and one past the largest chunk (a Buffer of its own).
      const sizes = [10, 100, 1000, 5000, 20_000];
      for (const n of sizes)
        await storeAll(
          c,
          Array.from({ length: 3 }, (_, i) => `cls:${n}:${i}`),
          0,
          Buffer.alloc(n, 0x62),
        );
      const slabs = await statsGroup(c, 'slabs');
      const ids = classIds(slabs, /^(\d+):chunk_size$/);
      expect(ids.length, 'classes').to.equal(sizes.length);
      expect(slabs.get('active_slabs')).to.equal(ids.length);
      let pagesBytes = 0;
      let used = 0;
      for (const id of ids.slice(0, -1)) {
        const f = (name: string): number => slabs.get(`${id}:${name}`)!;
        expect(f('chunk_size') * f('chunks_per_page'), `class ${id} fills at most a page`).to.be.at.most(PAGE);
        expect(f('total_chunks')).to.equal(f('total_pages') * f('chunks_per_page'));
        expect(f('used_chunks') + f('free_chunks') + f('free_chunks_end')).to.equal(f('total_chunks'));
        expect(f('used_chunks'), `class ${id} used chunks`).to.equal(3);
        pagesBytes += f('total_pages') * PAGE;
        used += f('used_chunks');
      }
      // Distinct chunk sizes, growing with the class id, each at least the payload it holds.
      const chunkSizes = ids.map((id) => slabs.get(`${id}:chunk_size`)!);
      expect([...chunkSizes].sort((a, b) => a - b)).to.deep.equal(chunkSizes);
      sizes.forEach((n, i) => expect(chunkSizes[i], `chunk for ${n} B values`).to.be.at.least(n + 10));
      // The own-buffer class: one chunk per value.
      const own = ids[ids.length - 1]!;
      expect(slabs.get(`${own}:used_chunks`)).to.equal(3);
      const ownBytes = slabs.get('total_malloced')! - pagesBytes;
      expect(ownBytes, 'own buffers').to.be.within(3 * 20_000, 3 * slabs.get(`${own}:chunk_size`)!);
      used += 3;

      const items = await statsGroup(c, 'items');
      expect(classIds(items, /^items:(\d+):number$/)).to.deep.equal(ids);
      const numbers = ids.map((id) => items.get(`items:${id}:number`)!);
      expect(numbers.reduce((a, b) => a + b, 0)).to.equal(used);
      expect((await statsGroup(c, '')).get('curr_items')).to.equal(used);
      for (const id of ids) expect(items.get(`items:${id}:mem_requested`), `class ${id} mem_requested`).to.be.greaterThan(0);
    });
  });
}
