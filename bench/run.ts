/**
 * Side-by-side benchmark: memcached, the floor server (bench/floor-server.ts)
 * and our server under the same workloads, alternated round by round so that
 * drift on a shared machine hits all of them alike; medians are reported.
 *
 * Usage: node dist/bench/run.js [--quick] [--only NAME] [--rounds N] [--seconds S]
 *   --quick     one round of ~1 s and small key sets: a smoke test that it runs
 *   --only NAME run one workload (see WORKLOADS below, or "memory")
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildMcload, MEMCASLAP, runMcload } from './lib/loadgen.js';
import { rssBytes } from './lib/proc.js';
import { fmtInt, fmtRatio, mainTable, ratio, summarize, type Outcome, type WorkloadRow } from './lib/report.js';
import { HAS_TASKSET, ourL2Flag, ourSpec, serverSpecs, startServer, stopServer, type RunningServer, type ServerSpec } from './lib/servers.js';
import { textStats } from './lib/stats.js';
import { measure, preload, SEED, workloads, type Workload } from './lib/workloads.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

interface Args {
  quick: boolean;
  only: string | undefined;
  rounds: number;
  seconds: number;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { quick: false, only: undefined, rounds: 3, seconds: 5 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--quick') args.quick = true;
    else if (a === '--only') args.only = argv[++i];
    else if (a === '--rounds') args.rounds = Number(argv[++i]);
    else if (a === '--seconds') args.seconds = Number(argv[++i]);
    else throw new Error(`unknown argument ${a}; usage: run.js [--quick] [--only NAME] [--rounds N] [--seconds S]`);
  }
  if (args.quick) {
    args.rounds = 1;
    args.seconds = 1;
  }
  return args;
}

/** memcaslap configs and L2 data directories; removed when the run ends. */
const scratchDir = mkdtempSync(path.join(os.tmpdir(), 'rat-bench-'));

const started: RunningServer[] = [];

async function start(spec: ServerSpec): Promise<RunningServer> {
  const s = await startServer(spec);
  started.push(s);
  return s;
}

async function stop(s: RunningServer): Promise<void> {
  await stopServer(s);
  started.splice(started.indexOf(s), 1);
}

async function stopAll(): Promise<void> {
  for (const s of [...started]) await stop(s);
  rmSync(scratchDir, { recursive: true, force: true });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Runs one workload: fresh servers, preload, then rounds alternating A/B/C. */
async function runWorkload(w: Workload, specs: ServerSpec[], args: Args, mcload: string | undefined): Promise<Map<string, Outcome>> {
  const outcomes = new Map<string, Outcome>();
  const live: RunningServer[] = [];
  for (const spec of specs) {
    if (w.binary && !spec.binary) {
      outcomes.set(spec.name, { na: 'text only' });
      continue;
    }
    if (w.tool === 'memaslap' && !MEMCASLAP) {
      outcomes.set(spec.name, { na: 'no memcaslap' });
      continue;
    }
    try {
      const s = await start(spec);
      await preload(s, w, mcload);
      live.push(s);
      outcomes.set(spec.name, { samples: [] });
    } catch (e) {
      outcomes.set(spec.name, { na: shortReason(e) });
      log(`  ${spec.name}: ${String(e)}`);
    }
  }
  for (let round = 1; round <= args.rounds; round++) {
    for (const s of live) {
      const out = outcomes.get(s.spec.name);
      if (!out || !('samples' in out)) continue;
      try {
        const sample = await measure(s, w, args.seconds, mcload, scratchDir);
        out.samples.push(sample);
        log(`  ${w.name} round ${round} ${s.spec.name}: ${fmtInt(sample.opsPerSec)} ops/s p50 ${sample.p50us} µs p99 ${sample.p99us} µs, server ${sample.cpuPerOpUs.toFixed(2)} µs/op (${Math.round(sample.serverCpuPct)}%), loadgen ${Math.round(sample.loadgenCpuPct)}%${sample.misses ? `, misses ${sample.misses}` : ''}${sample.errors ? `, errors ${sample.errors}` : ''}`);
      } catch (e) {
        outcomes.set(s.spec.name, { na: shortReason(e) });
        log(`  ${w.name} ${s.spec.name}: ${String(e)}`);
      }
    }
  }
  for (const s of live) await stop(s);
  return outcomes;
}

function shortReason(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split('\n')[0]!.slice(0, 60).replace(/\|/g, '/');
}

interface MemoryResult {
  readonly bytesPerItem?: number;
  readonly note: string;
}

/** RSS growth per item after storing exactly `items` distinct 16-byte keys with 100-byte values. */
async function measureMemory(spec: ServerSpec, items: number, mcload: string | undefined): Promise<MemoryResult> {
  if (!mcload) return { note: 'mcload not built' };
  let s: RunningServer | undefined;
  try {
    s = await start(spec);
    await sleep(500);
    const before = rssBytes(s.pid);
    const r = await runMcload(mcload, { port: s.port, mode: 'preload', conns: 4, depth: 100, sets: 1, gets: 0,
      valueSize: 100, keys: items, seconds: 0, seed: SEED });
    await sleep(1000); // let a Node server's young-generation garbage settle
    const after = rssBytes(s.pid);
    let note = `${r.ops} STORED, ${r.errors} errors`;
    if (spec.stats) {
      const stats = await textStats(s.port);
      note += `, curr_items ${stats?.get('curr_items') ?? 'n/a'}`;
    }
    if (before === undefined || after === undefined) return { note: `${note}; RSS unreadable` };
    return { bytesPerItem: (after - before) / items, note: `${note}; RSS ${fmtInt(before / 2 ** 20)} → ${fmtInt(after / 2 ** 20)} MiB` };
  } catch (e) {
    return { note: shortReason(e) };
  } finally {
    if (s) await stop(s);
  }
}

function log(line: string): void {
  process.stderr.write(`${line}\n`);
}

/** nproc, CPU model, Node and memcached versions, load average: for the docs and for judging noise. */
function machine(): string {
  const cpu = os.cpus()[0]?.model.trim() ?? 'unknown CPU';
  let memcached = 'not installed';
  try {
    memcached = execFileSync('memcached', ['-V'], { encoding: 'utf8' }).trim();
  } catch {
    /* not installed */
  }
  const load = os.loadavg().map((x) => x.toFixed(2)).join(' ');
  return `machine: ${os.availableParallelism()} CPUs, ${cpu}; Node ${process.version}; ${memcached}; load average ${load}`;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  console.log(machine());
  const { specs, notes } = serverSpecs(root, scratchDir);
  for (const n of notes) console.log(`note: ${n}`);
  if (!HAS_TASKSET) console.log('note: taskset not found: servers and load generator are not pinned to CPUs.');
  if (!MEMCASLAP) console.log('note: memcaslap not found (libmemcached-tools): memcaslap workloads are skipped.');
  let mcload: string | undefined;
  try {
    mcload = buildMcload(root);
  } catch (e) {
    console.log(`note: could not build bench/lib/mcload.c: ${String(e)}`);
  }
  if (!mcload) console.log('note: no C compiler: mcload workloads are skipped.');

  const names = ['memcached', 'floor', 'ours'];
  const selected = workloads(args.quick).filter((w) => !args.only || args.only === w.name);
  const rows: WorkloadRow[] = [];
  for (const w of selected) {
    log(`workload ${w.name}`);
    rows.push({ name: w.name, outcomes: await runWorkload(w, specs, args, mcload) });
  }

  // (f) our server with L2 on vs off, set-only.
  let l2Line = 'l2: n/a';
  if (!args.only || args.only === 'l2') {
    const off = ourSpec(root, 'ours-l2-off', ourL2Flag(false, scratchDir));
    const on = ourSpec(root, 'ours-l2-on', ourL2Flag(true, scratchDir));
    if (off && on) {
      log('workload l2 (our server, set-only, L2 off vs on)');
      const set = workloads(args.quick).find((w) => w.name === 'set')!;
      const out = await runWorkload({ ...set, name: 'l2-set' }, [off, on], args, mcload);
      rows.push({ name: 'l2-set (memcached column = ours L2 off, ours = L2 on)', outcomes: new Map([
        ['memcached', out.get('ours-l2-off') ?? { na: 'missing' }], ['ours', out.get('ours-l2-on') ?? { na: 'missing' }],
        ['floor', { na: 'not applicable' }]]) });
      const r = ratio(summarize(out.get('ours-l2-on'))?.opsPerSec, summarize(out.get('ours-l2-off'))?.opsPerSec);
      l2Line = `l2: set ops/s L2-on/L2-off = ${fmtRatio(r)}`;
    } else {
      l2Line = 'l2: n/a (our server is not built)';
    }
  }

  const memory = new Map<string, MemoryResult>();
  if (!args.only || args.only === 'memory') {
    const items = args.quick ? 20_000 : 1_000_000;
    log(`memory: ${fmtInt(items)} items of 16-byte keys and 100-byte values`);
    for (const spec of specs) {
      const m = await measureMemory(spec, items, mcload);
      memory.set(spec.name, m);
      log(`  ${spec.name}: ${m.bytesPerItem === undefined ? 'n/a' : `${fmtInt(m.bytesPerItem)} bytes/item`} (${m.note})`);
    }
  }

  console.log('');
  console.log(`load average at the end: ${os.loadavg().map((x) => x.toFixed(2)).join(' ')} (above ~1 means other work shared the CPUs: numbers are noisy)`);
  console.log(`rounds ${args.rounds} × ${args.seconds} s per server per workload, medians; servers pinned to CPU 0, load generator to CPU 1${HAS_TASKSET ? '' : ' (not pinned: no taskset)'}; ~ = from memcaslap's log2 histogram`);
  console.log('');
  console.log(mainTable(rows, names));
  if (memory.size > 0) {
    console.log('');
    console.log('| memory | bytes/item | check |');
    console.log('|---|---|---|');
    for (const [name, m] of memory) console.log(`| ${name} | ${fmtInt(m.bytesPerItem)} | ${m.note} |`);
  }
  console.log('');
  console.log(l2Line);
  const ops = (row: string, server: string): number | undefined =>
    summarize(rows.find((r) => r.name === row)?.outcomes.get(server))?.opsPerSec;
  const p99 = (server: string): number | undefined =>
    summarize(rows.find((r) => r.name === 'get-unpipelined')?.outcomes.get(server))?.p99us;
  const line = (label: string, a: string, b: string): string =>
    `${label}: get-unpipelined=${fmtRatio(ratio(ops('get-unpipelined', a), ops('get-unpipelined', b)))} ` +
    `get-pipelined=${fmtRatio(ratio(ops('get-pipelined', a), ops('get-pipelined', b)))} ` +
    `set=${fmtRatio(ratio(ops('set', a), ops('set', b)))} 64k=${fmtRatio(ratio(ops('64k', a), ops('64k', b)))} ` +
    `p99=${fmtRatio(ratio(p99(a), p99(b)), 'x')} ` +
    `bytes/item=${fmtRatio(ratio(memory.get(a)?.bytesPerItem, memory.get(b)?.bytesPerItem), 'x')}`;
  console.log(line('anchors (floor/memcached)', 'floor', 'memcached'));
  console.log(line('ratios', 'ours', 'memcached'));
  // On a shared machine throughput follows whoever else holds the CPU; server
  // CPU per op is steadier, so print the same ratios as efficiency too.
  const cpu = (row: string, server: string): number | undefined =>
    summarize(rows.find((r) => r.name === row)?.outcomes.get(server))?.cpuPerOpUs;
  const eff = (label: string, a: string, b: string): string =>
    `${label}: ` + ['get-unpipelined', 'get-pipelined', 'set', '64k', 'binary-get']
      .map((w) => `${w}=${fmtRatio(ratio(cpu(w, b), cpu(w, a)))}`).join(' ');
  console.log(eff('cpu-efficiency (memcached µs/op ÷ floor µs/op)', 'floor', 'memcached'));
  console.log(eff('cpu-efficiency (memcached µs/op ÷ ours µs/op)', 'ours', 'memcached'));
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void stopAll().finally(() => process.exit(130));
  });
}

main()
  .catch((e: unknown) => {
    console.error(e);
    process.exitCode = 1;
  })
  .finally(() => stopAll());
