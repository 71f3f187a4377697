/**
 * The disk tier at scale (issue #12): 5,000,000 items of 16-byte keys and
 * 100-byte values into our server in its default configuration with a
 * 64 MiB memory tier, then a restart of that data dir.
 *
 *   npm run bench:l2-scale                              # = build + node dist/bench/l2-scale.js
 *   node dist/bench/l2-scale.js --items 200000          # smaller, for a smoke run
 *
 * Reports (markdown on stdout, progress on stderr): fill rate, RSS, the RAM
 * each disk-only key costs beyond the fixed base (RSS growth between 1M and
 * all items, once the memory tier is full; and the index's own count), the
 * data dir's size, the time from spawn to accepting after the restart, the
 * index scan's duration, and a sample (first, last and 10,000 random keys)
 * checked byte-exact with flags while the scan still runs, then every key
 * counted once it has ended.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { rssBytes } from './lib/proc.js';
import { fmtInt, MIB } from './lib/report.js';
import { sleep } from './lib/scenario.js';
import { ourCommand, startServer, stopServer, type RunningServer, type ServerSpec } from './lib/servers.js';
import { textStats } from './lib/stats.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const argValue = (name: string): string | undefined => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const ITEMS = Number(argValue('--items') ?? 5_000_000);
const MEMORY_MIB = Number(argValue('--memory') ?? 64);
/** RSS is also read at this many items, when the memory tier is long full, as the base of the per-key figure. */
const BASE_ITEMS = Math.min(1_000_000, Math.floor(ITEMS / 5));
const SAMPLE = 10_000;
const CONNS = 4;
const DEPTH = 512;

const log = (line: string): void => void process.stderr.write(`${line}\n`);
const key = (i: number): string => `k${String(i).padStart(15, '0')}`;
const flagsOf = (i: number): number => i % 65_536;

/** 100 bytes that differ per key: its number, then a pattern seeded by it. */
function value(i: number): Buffer {
  const out = Buffer.alloc(100, 0x2e);
  out.write(String(i), 0, 'latin1');
  let x = (i * 2654435761) >>> 0 || 1;
  for (let j = 16; j < 100; j++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out[j] = 0x21 + (x % 94);
  }
  return out;
}

/** Sets keys [from, to) over CONNS pipelined connections; resolves with the count of STORED replies. */
async function fill(port: number, from: number, to: number): Promise<number> {
  let next = from;
  const one = (): Promise<number> =>
    new Promise((resolve, reject) => {
      const socket = net.connect(port, '127.0.0.1');
      let inFlight = 0;
      let stored = 0;
      let tail = '';
      const send = (): void => {
        const parts: Buffer[] = [];
        while (inFlight < DEPTH && next < to) {
          const i = next++;
          parts.push(Buffer.from(`set ${key(i)} ${flagsOf(i)} 0 100\r\n`, 'latin1'), value(i), Buffer.from('\r\n'));
          inFlight++;
        }
        if (parts.length > 0) socket.write(Buffer.concat(parts));
        else if (inFlight === 0) {
          socket.end();
          resolve(stored);
        }
      };
      socket.on('connect', send);
      socket.on('data', (d: Buffer) => {
        const text = tail + d.toString('latin1');
        const lines = text.split('\r\n');
        tail = lines.pop()!;
        for (const line of lines) {
          inFlight--;
          if (line === 'STORED') stored++;
          else reject(new Error(`set answered ${line}`));
        }
        if (inFlight < DEPTH / 2) send();
      });
      socket.on('error', reject);
    });
  const counts = await Promise.all(Array.from({ length: CONNS }, one));
  return counts.reduce((a, b) => a + b, 0);
}

/** `get` of `ids` in batches of 100 over one connection; returns the ids not served byte-exact with their flags. */
async function verify(port: number, ids: number[]): Promise<number[]> {
  const socket = net.connect(port, '127.0.0.1');
  await new Promise((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  let buf = Buffer.alloc(0);
  let wake: (() => void) | undefined;
  socket.on('data', (d: Buffer) => {
    buf = Buffer.concat([buf, d]);
    wake?.();
  });
  const bad: number[] = [];
  for (let b = 0; b < ids.length; b += 100) {
    const batch = ids.slice(b, b + 100);
    socket.write(`get ${batch.map(key).join(' ')}\r\n`);
    while (!buf.subarray(Math.max(0, buf.length - 5)).equals(Buffer.from('END\r\n'))) await new Promise<void>((r) => (wake = r));
    const got = new Map<string, { flags: number; value: Buffer }>();
    let at = 0;
    for (;;) {
      const eol = buf.indexOf('\r\n', at);
      const line = buf.toString('latin1', at, eol);
      if (line === 'END') break;
      const [, k, flags, bytes] = line.split(' ');
      const start = eol + 2;
      got.set(k!, { flags: Number(flags), value: buf.subarray(start, start + Number(bytes)) });
      at = start + Number(bytes) + 2;
    }
    for (const i of batch) {
      const g = got.get(key(i));
      if (g === undefined || g.flags !== flagsOf(i) || !g.value.equals(value(i))) bad.push(i);
    }
    buf = Buffer.alloc(0);
  }
  socket.destroy();
  return bad;
}

async function statsOf(port: number): Promise<Map<string, string>> {
  const s = await textStats(port, 10_000);
  if (s === undefined) throw new Error('stats unanswered');
  return s;
}

async function until(port: number, done: (s: Map<string, string>) => boolean, ms: number): Promise<Map<string, string>> {
  const deadline = Date.now() + ms;
  for (;;) {
    const s = await statsOf(port);
    if (done(s)) return s;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms`);
    await sleep(100);
  }
}

function directorySize(dir: string): number {
  let total = 0;
  for (const e of readdirSync(dir, { withFileTypes: true }))
    total += e.isDirectory() ? directorySize(path.join(dir, e.name)) : statSync(path.join(dir, e.name)).size;
  return total;
}

/** Anonymous and file-backed resident memory: LevelDB maps its table files, and pages it read count in VmRSS as RssFile. */
function rssParts(pid: number): { anon: number; file: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (name: string): number => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
  return { anon: kb('RssAnon'), file: kb('RssFile') };
}

const settled = (port: number): Promise<Map<string, string>> => until(port, (s) => s.get('l2_write_queue_items') === '0', 600_000);

function spec(dataDir: string): ServerSpec {
  const start = ourCommand(root);
  return {
    name: 'ours',
    command: (port) => [...start, '-l', '127.0.0.1', '-p', String(port), '-m', String(MEMORY_MIB), '--data-dir', dataDir],
    binary: true,
    stats: true,
  };
}

async function main(): Promise<void> {
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'rat-l2-scale-'));
  const dataDir = path.join(scratch, 'data');
  let server: RunningServer | undefined;
  try {
    log(`l2-scale: ${fmtInt(ITEMS)} items (16 B keys, 100 B values), -m ${MEMORY_MIB}, data dir ${dataDir}`);
    server = await startServer(spec(dataDir));
    await sleep(500);
    const rssEmpty = rssBytes(server.pid)!;
    let t = performance.now();
    let stored = await fill(server.port, 0, BASE_ITEMS);
    await settled(server.port);
    await sleep(2000);
    const rssBase = rssBytes(server.pid)!;
    stored += await fill(server.port, BASE_ITEMS, ITEMS);
    const fillSeconds = (performance.now() - t) / 1000;
    const full = await settled(server.port);
    await sleep(2000);
    const rssFull = rssBytes(server.pid)!;
    const partsFull = rssParts(server.pid);
    log(
      `  filled in ${fillSeconds.toFixed(1)} s (${fmtInt(ITEMS / fillSeconds)} sets/s); RSS ${fmtInt(rssEmpty / MIB)} → ${fmtInt(rssBase / MIB)} → ${fmtInt(rssFull / MIB)} MiB`,
    );
    await stopServer(server);
    server = undefined;
    const diskBytes = directorySize(dataDir);

    t = performance.now();
    server = await startServer(spec(dataDir));
    const acceptMs = performance.now() - t;
    const first = await statsOf(server.port);
    const scanningAtAccept = first.get('l2_scan_running') === '1';
    let seed = 42;
    const ids = [0, ITEMS - 1];
    while (ids.length < SAMPLE + 2) {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      ids.push(seed % ITEMS);
    }
    const v = performance.now();
    const bad = await verify(server.port, ids);
    const verifySeconds = (performance.now() - v) / 1000;
    const afterSample = await statsOf(server.port);
    const sampleDuringScan = scanningAtAccept && afterSample.get('l2_scan_running') === '1';
    log(
      `  accepted after ${fmtInt(acceptMs)} ms; sample of ${fmtInt(ids.length)} keys checked in ${verifySeconds.toFixed(1)} s, ${bad.length} bad, scan ${sampleDuringScan ? 'still running' : 'already done'} (${afterSample.get('l2_scan_items')} records scanned)`,
    );
    const indexed = await until(server.port, (s) => s.get('l2_scan_running') === '0', 600_000);
    const scanSeconds = (performance.now() - t) / 1000;
    const warmed = await until(server.port, (s) => s.get('l2_warm_running') === '0', 600_000);
    const warmSeconds = (performance.now() - t) / 1000;
    await sleep(2000);
    const rssRestart = rssBytes(server.pid)!;
    const partsRestart = rssParts(server.pid);
    const items = Number(indexed.get('curr_items'));
    const indexBytes = Number(warmed.get('l2_index_bytes'));
    const perKey = (rssFull - rssBase) / (ITEMS - BASE_ITEMS);
    log(
      `  indexed after ${scanSeconds.toFixed(1)} s, L1 warm after ${warmSeconds.toFixed(1)} s; curr_items ${fmtInt(items)}; RSS ${fmtInt(rssRestart / MIB)} MiB`,
    );

    const row = (name: string, val: string): string => `| ${name} | ${val} |`;
    console.log(
      [
        `### Disk tier at scale: ${fmtInt(ITEMS)} items (16 B key + 100 B value), \`-m ${MEMORY_MIB}\`, default config`,
        '',
        '| measure | value |',
        '|---|---|',
        row(
          'fill (4 connections, 512 sets in flight each)',
          `${fillSeconds.toFixed(1)} s, ${fmtInt(ITEMS / fillSeconds)} sets/s, ${fmtInt(stored)} STORED, curr_items ${full.get('curr_items')}`,
        ),
        row('RSS: empty / at ' + fmtInt(BASE_ITEMS) + ' items / full', `${fmtInt(rssEmpty / MIB)} / ${fmtInt(rssBase / MIB)} / ${fmtInt(rssFull / MIB)} MiB`),
        row('RAM per disk-only key beyond the base (RSS growth / keys added)', `${perKey.toFixed(1)} B`),
        row('index (l2_index_bytes / keys)', `${fmtInt(indexBytes)} B, ${(indexBytes / items).toFixed(1)} B/key`),
        row('data dir', `${fmtInt(diskBytes / MIB)} MiB (${(diskBytes / ITEMS).toFixed(0)} B/item)`),
        row('restart: spawn → accepting', `${fmtInt(acceptMs)} ms`),
        row(
          `sample (first, last, ${fmtInt(SAMPLE)} random) before the scan ends`,
          `${bad.length === 0 ? 'all byte-exact with flags' : `${bad.length} BAD`} in ${verifySeconds.toFixed(1)} s; scan ${sampleDuringScan ? 'still running at the end of the sample' : 'not running throughout'}`,
        ),
        row('index scan (spawn → l2_scan_running 0)', `${scanSeconds.toFixed(1)} s (${fmtInt(ITEMS / scanSeconds)} keys/s)`),
        row('L1 warm-up done (spawn → l2_warm_running 0)', `${warmSeconds.toFixed(1)} s`),
        row('after the scan', `curr_items ${fmtInt(items)}${items === ITEMS ? ' (all)' : ` (EXPECTED ${fmtInt(ITEMS)})`}, RSS ${fmtInt(rssRestart / MIB)} MiB`),
        row(
          'RSS anonymous / file-backed: full, after the restart',
          `${fmtInt(partsFull.anon / MIB)} / ${fmtInt(partsFull.file / MIB)}, ${fmtInt(partsRestart.anon / MIB)} / ${fmtInt(partsRestart.file / MIB)} MiB`,
        ),
      ].join('\n'),
    );
    if (bad.length > 0 || items !== ITEMS || stored !== ITEMS) process.exitCode = 1;
  } finally {
    if (server) await stopServer(server);
    rmSync(scratch, { recursive: true, force: true });
  }
}

await main();
