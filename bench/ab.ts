/**
 * A/B of two builds of our server on the same workloads: "base" (another
 * checkout's build, e.g. a copy of main's dist) against this tree's build,
 * optionally with memcached beside them for the ours/memcached ratios. Rounds
 * alternate the order (base, this, this, base, ...) so that drift on a shared
 * machine hits both alike; medians are reported with each sample's spread.
 *
 * Usage: node dist/bench/ab.js --base ROOT [--only a,b] [--rounds N] [--seconds S] [--memcached]
 *   ROOT        a directory holding dist/src/infrastructure/cli.js (and config/, node_modules/)
 *   --only      workloads from bench/lib/workloads.ts (memory-only, `--l2 off`), or the same names
 *               prefixed "l2-" (e.g. l2-set, l2-64k) for the default configuration, L2 on, in both builds;
 *               resp-get, resp-set, resp-get-p16, resp-set-p16: redis-benchmark against the RESP listener
 *               (`--l2 off`, as bench/scenarios/redis.ts runs it), ~400,000 requests per second asked (P16)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildMcload } from './lib/loadgen.js';
import { fmtInt, fmtRatio, median, ratio, type Sample } from './lib/report.js';
import { freePort, memcachedSpec, ourL2Flag, ourSpec, startServer, stopServer, type RunningServer, type ServerSpec } from './lib/servers.js';
import { measure, preload, workloads, type Workload } from './lib/workloads.js';
import { oursSpec as respSpec, redisBenchmark, type Case } from './scenarios/redis.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

interface Args {
  base: string;
  only: string[];
  rounds: number;
  seconds: number;
  memcached: boolean;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { base: '', only: ['get-unpipelined', 'set', '64k', 'l2-set'], rounds: 5, seconds: 3, memcached: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--base') args.base = path.resolve(argv[++i] ?? '');
    else if (a === '--only') args.only = (argv[++i] ?? '').split(',');
    else if (a === '--rounds') args.rounds = Number(argv[++i]);
    else if (a === '--seconds') args.seconds = Number(argv[++i]);
    else if (a === '--memcached') args.memcached = true;
    else throw new Error(`unknown argument ${a}`);
  }
  if (!args.base) throw new Error('usage: ab.js --base ROOT [--only a,b] [--rounds N] [--seconds S] [--memcached]');
  return args;
}

const scratchDir = mkdtempSync(path.join(os.tmpdir(), 'rat-ab-'));
const live = new Set<RunningServer>();

function log(line: string): void {
  process.stderr.write(`${line}\n`);
}

async function runOne(w: Workload, specs: ServerSpec[], args: Args, mcload: string): Promise<Map<string, Sample[]>> {
  const servers: RunningServer[] = [];
  for (const spec of specs) {
    const s = await startServer(spec);
    live.add(s);
    await preload(s, w, mcload);
    servers.push(s);
  }
  const samples = new Map<string, Sample[]>(specs.map((s) => [s.name, []]));
  for (let round = 0; round < args.rounds; round++) {
    const order = round % 2 === 0 ? servers : [...servers].reverse();
    for (const s of order) {
      const sample = await measure(s, w, args.seconds, mcload, scratchDir);
      samples.get(s.spec.name)!.push(sample);
      log(
        `  ${w.name} ${s.spec.name}: ${fmtInt(sample.opsPerSec)} ops/s, ${sample.cpuPerOpUs.toFixed(2)} µs/op, p99 ${sample.p99us} µs (${Math.round(sample.serverCpuPct)}% CPU)`,
      );
    }
  }
  for (const s of servers) {
    await stopServer(s);
    live.delete(s);
  }
  return samples;
}

/** resp-get, resp-set-p16...: the redis scenario's case, or undefined. */
function respCase(name: string): Case | undefined {
  const m = /^resp-(get|set)(?:-p(\d+))?$/.exec(name);
  if (!m) return undefined;
  return { test: m[1] === 'get' ? 'GET' : 'SET', pipeline: Number(m[2] ?? 1), target: 0 };
}

/** Both builds' RESP listeners under redis-benchmark, rounds alternated; a SET -P 16 run fills the keys first. */
async function runResp(name: string, c: Case, args: Args): Promise<void> {
  const specs = [respSpec(args.base, await freePort(), 'base'), respSpec(root, await freePort(), 'this')];
  const requests = Math.round(args.seconds * (c.pipeline > 1 ? 400_000 : 60_000));
  const servers: RunningServer[] = [];
  for (const spec of specs) {
    const s = await startServer(spec);
    live.add(s);
    redisBenchmark(s, { test: 'SET', pipeline: 16, target: 0 }, 200_000);
    servers.push(s);
  }
  const samples = new Map<string, { rps: number; cpuPerOpUs: number }[]>(specs.map((s) => [s.name, []]));
  for (let round = 0; round < args.rounds; round++) {
    for (const s of round % 2 === 0 ? servers : [...servers].reverse()) {
      const x = redisBenchmark(s, c, requests);
      samples.get(s.spec.name)!.push(x);
      log(`  ${name} ${s.spec.name}: ${fmtInt(x.rps)} req/s, ${x.cpuPerOpUs.toFixed(2)} µs/req, redis-benchmark CPU ${Math.round(x.loadgenCpuPct)}%`);
    }
  }
  for (const s of servers) {
    await stopServer(s);
    live.delete(s);
  }
  const m = (n: string, f: (x: { rps: number; cpuPerOpUs: number }) => number): number => median(samples.get(n)!.map(f));
  console.log(`\n${name} (${args.rounds} × ${fmtInt(requests)} requests, medians)\n`);
  console.log('| server | req/s | CPU µs/req |');
  console.log('|---|---|---|');
  for (const n of ['base', 'this']) console.log(`| ${n} | ${fmtInt(m(n, (x) => x.rps))} | ${m(n, (x) => x.cpuPerOpUs).toFixed(2)} |`);
  console.log(
    `\nthis/base: req/s ${fmtRatio(
      ratio(
        m('this', (x) => x.rps),
        m('base', (x) => x.rps),
      ),
    )}, CPU/req ${fmtRatio(
      ratio(
        m('this', (x) => x.cpuPerOpUs),
        m('base', (x) => x.cpuPerOpUs),
      ),
    )}`,
  );
}

function line(name: string, samples: Sample[]): string {
  const m = (f: (x: Sample) => number): number => median(samples.map(f));
  const spread = (f: (x: Sample) => number): string => {
    const v = samples.map(f);
    return `${fmtInt(Math.min(...v))}–${fmtInt(Math.max(...v))}`;
  };
  return `| ${name} | ${fmtInt(m((x) => x.opsPerSec))} (${spread((x) => x.opsPerSec)}) | ${m((x) => x.cpuPerOpUs).toFixed(2)} | ${fmtInt(m((x) => x.p99us))} | ${fmtInt(m((x) => x.serverCpuPct))} |`;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const mcload = buildMcload(root);
  if (!mcload) throw new Error('needs gcc to build bench/lib/mcload.c');
  console.log(
    `load average ${os
      .loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')}; base ${args.base}; this ${root}`,
  );
  const all = workloads(false);
  for (const name of args.only) {
    const resp = respCase(name);
    if (resp) {
      log(`workload ${name}`);
      await runResp(name, resp, args);
      continue;
    }
    const l2 = name.startsWith('l2-');
    const found = all.find((x) => x.name === (l2 ? name.slice(3) : name));
    const w = found && l2 ? { ...found, name } : found;
    if (!w || w.tool !== 'mcload') throw new Error(`unknown or non-mcload workload ${name}`);
    const flag = ourL2Flag(l2, scratchDir);
    const specs = [ourSpec(args.base, 'base', flag), ourSpec(root, 'this', flag)];
    if (!specs[0] || !specs[1]) throw new Error('a build is missing (dist/src/infrastructure/cli.js)');
    const memcached = args.memcached && !l2 ? memcachedSpec() : undefined;
    if (memcached) specs.push(memcached);
    log(`workload ${name}`);
    const out = await runOne(w, specs as ServerSpec[], args, mcload);
    console.log(`\n${name} (${args.rounds} × ${args.seconds} s, medians)\n`);
    console.log('| server | ops/s (min–max) | CPU µs/op | p99 µs | CPU % |');
    console.log('|---|---|---|---|---|');
    for (const [n, s] of out) console.log(line(n, s));
    const ops = (n: string) => median((out.get(n) ?? []).map((x) => x.opsPerSec));
    const cpu = (n: string) => median((out.get(n) ?? []).map((x) => x.cpuPerOpUs));
    console.log(`\nthis/base: ops ${fmtRatio(ratio(ops('this'), ops('base')))}, CPU/op ${fmtRatio(ratio(cpu('this'), cpu('base')))}`);
    if (memcached) {
      console.log(
        `ours/memcached ops: base ${fmtRatio(ratio(ops('base'), ops('memcached')))}, this ${fmtRatio(ratio(ops('this'), ops('memcached')))}; ` +
          `cpu-efficiency: base ${fmtRatio(ratio(cpu('memcached'), cpu('base')))}, this ${fmtRatio(ratio(cpu('memcached'), cpu('this')))}`,
      );
    }
  }
}

async function cleanup(): Promise<void> {
  for (const s of live) await stopServer(s);
  rmSync(scratchDir, { recursive: true, force: true });
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void cleanup().finally(() => process.exit(130)));

main()
  .catch((e: unknown) => {
    console.error(e);
    process.exitCode = 1;
  })
  .finally(() => cleanup());
