/**
 * `npm run bench`: every scenario of bench/scenarios/index.ts against
 * memcached -t 1, our server in its default configuration and with --l2 off,
 * in one run. Progress goes to stderr; stdout is markdown for
 * docs/benchmarks.md: the summary lines (the default configuration's first),
 * then each scenario's table.
 *
 * Usage: node dist/bench/run.js [--quick] [--only NAME[,NAME]] [--rounds N] [--seconds S] [--floor] [--list]
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildMcload, MEMCASLAP } from './lib/loadgen.js';
import type { BenchArgs, BenchContext, Config, Figure } from './lib/scenario.js';
import { benchColumns, columnSpecs, HAS_TASKSET, startServer, stopServer, type RunningServer } from './lib/servers.js';
import { scenarios } from './scenarios/index.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const USAGE = 'usage: run.js [--quick] [--only NAME[,NAME]] [--rounds N] [--seconds S] [--floor] [--list]';

function parseArgs(argv: string[]): BenchArgs & { list: boolean } {
  const a = { quick: false, rounds: 3, seconds: 5, only: [] as string[], floor: false, list: false };
  let rounds: number | undefined;
  let seconds: number | undefined;
  for (let i = 0; i < argv.length; i++) {
    const x = argv[i];
    if (x === '--quick') a.quick = true;
    else if (x === '--only') a.only = (argv[++i] ?? '').split(',').filter(Boolean);
    else if (x === '--rounds') rounds = Number(argv[++i]);
    else if (x === '--seconds') seconds = Number(argv[++i]);
    else if (x === '--floor') a.floor = true;
    else if (x === '--list') a.list = true;
    else throw new Error(`unknown argument ${x}; ${USAGE}`);
  }
  if (a.quick) [a.rounds, a.seconds] = [1, 1];
  return { ...a, rounds: rounds ?? a.rounds, seconds: seconds ?? a.seconds };
}

const CONFIG_LABEL: Record<Config, string> = {
  default: 'default config (L2 on, write-through, sync_writes = false, fresh data dir) / memcached',
  'l2-off': '`--l2 off` / memcached',
};

function fmtFigure(f: Figure): string {
  return `${f.name}=${f.value === undefined || !Number.isFinite(f.value) ? 'n/a' : `${f.value.toFixed(f.digits ?? 2)}${f.unit ?? ''}`}`;
}

function machine(): string {
  const cpu = os.cpus()[0]?.model.trim() ?? 'unknown CPU';
  let memcached = 'memcached not installed';
  try {
    memcached = execFileSync('memcached', ['-V'], { encoding: 'utf8' }).trim();
  } catch {
    /* reported as such */
  }
  return `${os.availableParallelism()} CPUs (${cpu}); Node ${process.version}; ${memcached}`;
}

const loadavg = (): string =>
  os
    .loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');
const scratchDir = mkdtempSync(path.join(os.tmpdir(), 'rat-bench-'));
const running: RunningServer[] = [];

async function stopAll(): Promise<void> {
  for (const s of [...running]) await stopServer(s);
  running.length = 0;
  rmSync(scratchDir, { recursive: true, force: true });
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  if (args.list) {
    for (const s of scenarios) console.log(`${s.name}: ${s.description}${s.parts ? ` (rows: ${s.parts.join(', ')})` : ''}`);
    return;
  }
  const log = (line: string): void => void process.stderr.write(`${line}\n`);
  const notes: string[] = [];
  const { columns, notes: missing } = benchColumns(root, scratchDir, args.floor);
  notes.push(...missing);
  if (!HAS_TASKSET) notes.push('taskset not found: servers and load generator are not pinned to CPUs.');
  if (!MEMCASLAP) notes.push('memcaslap not found (libmemcached-tools): its workloads are skipped.');
  let mcload: string | undefined;
  try {
    mcload = buildMcload(root);
  } catch (e) {
    notes.push(`could not build bench/lib/mcload.c: ${String(e)}`);
  }
  if (!mcload) notes.push('no C compiler: mcload workloads are skipped.');
  const ctx: BenchContext = {
    args,
    root,
    scratchDir,
    mcload,
    columns,
    specs: columnSpecs(columns),
    log,
    async start(spec) {
      const s = await startServer(spec);
      running.push(s);
      return s;
    },
    async stop(s) {
      await stopServer(s);
      running.splice(running.indexOf(s), 1);
    },
  };
  const loadStart = loadavg();
  const selected = scenarios.filter((s) => args.only.length === 0 || args.only.includes(s.name) || s.parts?.some((p) => args.only.includes(p)));
  if (selected.length === 0) throw new Error(`--only ${args.only.join(',')} names no scenario (--list shows them)`);
  const reports = [];
  for (const s of selected) reports.push(await s.run(ctx));

  const figures = reports.flatMap((r) => r.figures ?? []);
  const out = [
    `Command: \`npm run bench${process.argv.slice(2).length ? ` -- ${process.argv.slice(2).join(' ')}` : ''}\` (${args.rounds} round(s) × ${args.seconds} s per server per workload, medians; servers pinned to CPU 0, load generators to CPU 1${HAS_TASKSET ? '' : ' (not pinned: no taskset)'}).`,
    `Machine: ${machine()}; load average ${loadStart} at the start, ${loadavg()} at the end (above ~1: other work shared the CPUs).`,
    ...notes.map((n) => `Note: ${n}`),
    '',
    ...(['default', 'l2-off'] as Config[]).map(
      (c) =>
        `- **${CONFIG_LABEL[c]}**: ${figures
          .filter((f) => f.config === c)
          .map(fmtFigure)
          .join(' ')}`,
    ),
    '',
    'Ratios are ours / memcached: above 1 is better for throughput (plain numbers); below 1 is better for latency, CPU per op and memory (`x`). Absolute figures carry their unit.',
    ...reports.flatMap((r) => ['', r.markdown]),
  ];
  console.log(out.join('\n'));
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => void stopAll().finally(() => process.exit(130)));
}

main()
  .catch((e: unknown) => {
    console.error(e);
    process.exitCode = 1;
  })
  .finally(() => stopAll());
