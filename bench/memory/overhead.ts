/**
 * What one item really costs in the memory tier, against what it is charged.
 *
 *   node --expose-gc dist/bench/memory/overhead.js            # every scenario, each in a fresh process
 *   node --expose-gc dist/bench/memory/overhead.js --quick    # smaller counts, a few seconds
 *   node --expose-gc dist/bench/memory/overhead.js --scenario fill --items 1000000 --value 100 [--key 16] [--ttl]
 *   node --expose-gc dist/bench/memory/overhead.js --scenario steady --budget-mib 64 --value 100|mix [--load 3] [--reads 1] [--copy pool|exact] [--policy s3fifo]
 *
 * Items are built the way the text protocol builds them (src/adapters/ascii/
 * ascii-session.ts): the key is `toString('latin1')` of a slice of the
 * network chunk, the value is `Buffer.from(chunk.subarray(...))` of the data
 * block *with* its trailing CRLF and the store keeps `block.subarray(0, n)`.
 * So small values live in slices of Node's shared 8 KiB Buffer pool, exactly
 * as in the server.
 *
 * - fill: N distinct items into an unbounded store (no eviction), then
 *   (heap + external growth) / N, and that minus key and value bytes.
 * - steady: a store with a byte budget and the server's default s3fifo
 *   policy is filled with 3x (--load) its budget of new keys while a uniformly random
 *   earlier key is read after every set (so random survivors get promoted,
 *   the ghost queue fills and evicted values share pool slabs with live
 *   ones); then the real growth is compared with `max_memory`.
 *
 * Heap and external are read after two forced full GCs; RSS is reported too
 * because it also sees malloc overhead and V8 pages that are not yet returned.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { evictionPolicies } from '../../src/adapters/eviction/policy-registry.js';
import { MemoryCacheStore } from '../../src/adapters/memory/memory-cache-store.js';
import { ENTRY_BASE_OVERHEAD } from '../../src/adapters/memory/memory-store-options.js';
import { makeItem } from '../../src/domain/item.js';
import { seededRandom } from '../eviction/prng.js';

type Copy = 'pool' | 'exact';

interface Scenario {
  scenario: 'fill' | 'steady';
  items: number;
  keySize: number;
  valueSize: number | 'mix';
  budgetMiB: number;
  ttl: boolean;
  /** Random reads of earlier keys per set (steady only). */
  reads: number;
  copy: Copy;
  /** Charged bytes written in the steady scenario, as a multiple of the budget. */
  load: number;
  /** Eviction policy by config name; the server's default is s3fifo. */
  policy: string;
}

interface Reading {
  heap: number;
  external: number;
  rss: number;
}

const gc = (globalThis as { gc?: () => void }).gc;

function settle(): Reading {
  gc!();
  gc!();
  const m = process.memoryUsage();
  return { heap: m.heapUsed, external: m.external, rss: m.rss };
}

/**
 * Builds set commands into a reusable "network chunk" and hands out items
 * copied from it as the text protocol copies them.
 */
class ProtocolLikeSource {
  private readonly chunk: Buffer;
  constructor(
    private readonly keySize: number,
    maxValueSize: number,
    private readonly copy: Copy,
  ) {
    // Key, a separator, value and CRLF: the layout of "set KEY ...\r\nVALUE\r\n" that matters here.
    this.chunk = Buffer.alloc(keySize + 1 + maxValueSize + 2, 0x61);
  }

  key(i: number): string {
    // Fixed-width key: "k" + zero-padded decimal, written into the chunk then read back as latin1.
    const s = ('k' + String(i).padStart(this.keySize - 1, '0')).slice(-this.keySize);
    this.chunk.write(s, 0, 'latin1');
    return this.chunk.toString('latin1', 0, this.keySize);
  }

  value(size: number): Buffer {
    const start = this.keySize + 1;
    const need = size + 2;
    this.chunk.write('\r\n', start + size, 'latin1');
    if (this.copy === 'exact') {
      // The alternative: one exact-size allocation per value, outside the shared pool.
      const own = Buffer.allocUnsafeSlow(size);
      this.chunk.copy(own, 0, start, start + size);
      return own;
    }
    const block = Buffer.from(this.chunk.subarray(start, start + need));
    return block.subarray(0, need - 2);
  }
}

/** Value sizes: a fixed size, or "mix" = the e2e test's mix (9 in 10 of 16 B..1 KiB, 1 in 10 of 4..32 KiB). */
function valueSizes(spec: Scenario['valueSize']): { max: number; next: () => number; label: string } {
  if (spec !== 'mix') return { max: spec, next: () => spec, label: `${spec} B value` };
  const rand = seededRandom(11);
  return {
    max: 4096 + 28_672,
    next: () => (rand() < 0.1 ? 4096 + Math.floor(rand() * 28_673) : 16 + Math.floor(rand() * 1009)),
    label: 'mixed 16 B..32 KiB values',
  };
}

function mib(n: number): string {
  return (n / 2 ** 20).toFixed(1);
}

function runFill(s: Scenario): Record<string, number | string> {
  const store = new MemoryCacheStore({ maxMemory: 0, maxEntries: 0, cleanupIntervalMs: 0 }, { now: () => 1_700_000_000_000 }, evictionPolicies[s.policy]!);
  if (s.valueSize === 'mix') throw new Error('fill needs a fixed --value');
  const size = s.valueSize;
  const src = new ProtocolLikeSource(s.keySize, size, s.copy);
  const exptime = s.ttl ? 1_700_000_000_000 + 3_600_000 : 0;
  const before = settle();
  for (let i = 0; i < s.items; i++) store.set(makeItem(src.key(i), src.value(size), 0, exptime, i + 1));
  const after = settle();
  const st = store.stats();
  if (st.items !== s.items) throw new Error(`expected ${s.items} items, the store holds ${st.items}`);
  const heap = (after.heap - before.heap) / s.items;
  const ext = (after.external - before.external) / s.items;
  const payload = s.keySize + size;
  return {
    scenario: `fill ${s.items} x (${s.keySize} B key, ${size} B value${s.ttl ? ', with TTL' : ''}${s.copy === 'exact' ? ', exact copies' : ''})`,
    'heap B/item': heap.toFixed(1),
    'external B/item': ext.toFixed(1),
    'total B/item': (heap + ext).toFixed(1),
    'overhead B/item (total - key - value)': (heap + ext - payload).toFixed(1),
    'charged B/item (stats bytes / items)': (st.bytes / st.items).toFixed(1),
    'RSS B/item': ((after.rss - before.rss) / s.items).toFixed(1),
    'real / charged': ((heap + ext) / (st.bytes / st.items)).toFixed(3),
  };
}

async function runSteady(s: Scenario): Promise<Record<string, number | string>> {
  const budget = s.budgetMiB * 2 ** 20;
  const store = new MemoryCacheStore({ maxMemory: budget, maxEntries: 0, cleanupIntervalMs: 0 }, { now: () => 1_700_000_000_000 }, evictionPolicies[s.policy]!);
  const sizes = valueSizes(s.valueSize);
  const src = new ProtocolLikeSource(s.keySize, sizes.max, s.copy);
  const rand = seededRandom(7);
  const before = settle();
  let hits = 0;
  let reads = 0;
  let charged = 0;
  let total = 0;
  for (; charged < s.load * budget; total++) {
    const size = sizes.next();
    charged += s.keySize + size + store.entryOverhead;
    store.set(makeItem(src.key(total), src.value(size), 0, 0, total + 1));
    for (let r = 0; r < s.reads; r++, reads++) {
      if (store.get(src.key(Math.floor(rand() * (total + 1)))) !== undefined) hits++;
    }
  }
  const after = settle();
  const st = store.stats();
  let payload = 0;
  for await (const k of store.keys()) payload += k.length + store.peek(k)!.value.length;
  const real = after.heap - before.heap + (after.external - before.external);
  return {
    scenario: `steady: ${s.budgetMiB} MiB budget, ${s.load}x written, ${total} sets of (${s.keySize} B key, ${sizes.label}) + ${s.reads} random get(s) each, ${s.policy}${s.copy === 'exact' ? ', exact copies' : ''}`,
    'items resident': st.items,
    evictions: st.evictions,
    'hit ratio': reads > 0 ? (hits / reads).toFixed(3) : 'n/a',
    'stats bytes MiB': mib(st.bytes),
    'heap growth MiB': mib(after.heap - before.heap),
    'external growth MiB': mib(after.external - before.external),
    'real / max_memory': (real / budget).toFixed(3),
    'real B per resident item': (real / st.items).toFixed(1),
    'overhead B/item beyond key+value': ((real - payload) / st.items).toFixed(1),
    'RSS growth MiB': mib(after.rss - before.rss),
  };
}

function parse(argv: string[]): { quick: boolean; one: Scenario | undefined } {
  const s: Scenario = {
    scenario: 'fill',
    items: 1_000_000,
    keySize: 16,
    valueSize: 100,
    budgetMiB: 64,
    ttl: false,
    reads: 1,
    copy: 'pool',
    policy: 's3fifo',
    load: 3,
  };
  let quick = false;
  let one = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const num = (): number => {
      const v = Number(argv[++i]);
      if (!Number.isInteger(v) || v <= 0) throw new Error(`${a} needs a positive integer`);
      return v;
    };
    if (a === '--quick') quick = true;
    else if (a === '--scenario') {
      const v = argv[++i];
      if (v !== 'fill' && v !== 'steady') throw new Error('--scenario is fill or steady');
      s.scenario = v;
      one = true;
    } else if (a === '--items') s.items = num();
    else if (a === '--key') s.keySize = num();
    else if (a === '--value') s.valueSize = argv[i + 1] === 'mix' ? (i++, 'mix') : num();
    else if (a === '--reads') {
      s.reads = Number(argv[++i]);
      if (!Number.isInteger(s.reads) || s.reads < 0) throw new Error('--reads needs a non-negative integer');
    } else if (a === '--policy') {
      const v = argv[++i]!;
      if (!(v in evictionPolicies)) throw new Error(`--policy is one of ${Object.keys(evictionPolicies).join(', ')}`);
      s.policy = v;
    } else if (a === '--copy') {
      const v = argv[++i];
      if (v !== 'pool' && v !== 'exact') throw new Error('--copy is pool or exact');
      s.copy = v;
    } else if (a === '--budget-mib') s.budgetMiB = num();
    else if (a === '--ttl') s.ttl = true;
    else if (a === '--load') s.load = num();
    else throw new Error(`unknown argument ${a}; see the header of bench/memory/overhead.ts`);
  }
  if (s.keySize < 2) throw new Error('--key must be at least 2');
  return { quick, one: one ? s : undefined };
}

/** The default set of scenarios, each run in its own process so one's garbage cannot blur the next. */
function scenarios(quick: boolean): string[][] {
  const k = quick ? 10 : 1;
  const steady = (...rest: string[]): string[] => ['--scenario', 'steady', '--budget-mib', quick ? '8' : '64', ...rest];
  return [
    ['--scenario', 'fill', '--items', String(1_000_000 / k), '--value', '100'],
    ['--scenario', 'fill', '--items', String(1_000_000 / k), '--value', '100', '--ttl'],
    ['--scenario', 'fill', '--items', String(250_000 / k), '--value', '1024'],
    ['--scenario', 'fill', '--items', String(20_000 / k), '--value', '8192'],
    steady('--value', '100', '--reads', '0'),
    steady('--value', '100', '--reads', '0', '--policy', 'lru'),
    steady('--value', '100'),
    steady('--value', '100', '--copy', 'exact'),
    steady('--value', '100', '--load', '10'),
    steady('--value', '100', '--load', '10', '--copy', 'exact'),
    steady('--value', '1024'),
    steady('--value', '1024', '--load', '10'),
    steady('--value', '1024', '--load', '10', '--copy', 'exact'),
    steady('--value', 'mix'),
    steady('--value', 'mix', '--copy', 'exact'),
  ];
}

async function main(): Promise<void> {
  if (gc === undefined) throw new Error('run with node --expose-gc');
  const { quick, one } = parse(process.argv.slice(2));
  if (one) {
    const row = one.scenario === 'fill' ? runFill(one) : await runSteady(one);
    console.log(JSON.stringify(row));
    return;
  }
  console.log(`Node ${process.version}, ENTRY_BASE_OVERHEAD = ${ENTRY_BASE_OVERHEAD}`);
  for (const args of scenarios(quick)) {
    const r = spawnSync(process.execPath, ['--expose-gc', fileURLToPath(import.meta.url), ...args], { encoding: 'utf8', timeout: 300_000 });
    if (r.status !== 0) {
      console.log(`${args.join(' ')}: failed (${r.status ?? r.signal}): ${r.stderr.trim().split('\n').slice(-3).join(' ')}`);
      continue;
    }
    const row = JSON.parse(r.stdout.trim().split('\n').pop()!) as Record<string, string | number>;
    console.log(`\n${row.scenario}`);
    for (const [k, v] of Object.entries(row)) if (k !== 'scenario') console.log(`  ${k.padEnd(40)} ${v}`);
  }
}

await main();
