/**
 * The RESP listener against Debian's redis-server with redis-benchmark: GET
 * and SET unpipelined and pipelined 16 (50 clients, 100,000 random keys,
 * 32-byte values), both servers pinned to the server CPU and the load
 * generator to the other, alternated round by round; medians and ratios
 * ours / redis-server. Targets (issue 15): GET/SET >= 0.8x, pipelined >= 1.2x.
 * Ours runs as users run it first (the default configuration: L2 on, a fresh
 * data dir), then memory-only (`--l2 off`), which is what redis-server without
 * persistence compares with most closely.
 */
import { execFileSync } from 'node:child_process';
import { cpuMicros, hasCommand } from '../lib/proc.js';
import { fmtInt, median } from '../lib/report.js';
import { shortReason, type BenchContext, type Figure, type Scenario, type ScenarioReport } from '../lib/scenario.js';
import { freePort, ourCommand, ourL2Flag, pinnedLoadgen, type RunningServer, type ServerSpec } from '../lib/servers.js';

/** One redis-benchmark workload (bench/ab.ts runs them too, as resp-get, resp-set-p16...). */
export interface Case {
  readonly test: 'GET' | 'SET';
  readonly pipeline: number;
  readonly target: number;
}

const CASES: readonly Case[] = [
  { test: 'SET', pipeline: 1, target: 0.8 },
  { test: 'GET', pipeline: 1, target: 0.8 },
  { test: 'SET', pipeline: 16, target: 1.2 },
  { test: 'GET', pipeline: 16, target: 1.2 },
];

/** Our two configurations, in report order: as users run it, then memory-only. */
const OURS = [
  { name: 'ours', config: 'default' },
  { name: 'ours --l2 off', config: 'l2-off' },
] as const;

const label = (c: Case): string => `${c.test}${c.pipeline > 1 ? ` P${c.pipeline}` : ''}`;

function redisServerSpec(): ServerSpec {
  return {
    name: 'redis-server',
    command: (port) => ['redis-server', '--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--logfile', ''],
    binary: false,
    stats: false,
  };
}

/**
 * Ours with the RESP listener on the port the harness waits for; the memcached port is another free one.
 * `l2` gives the L2 arguments (ourL2Flag); memory-only when omitted.
 */
export function oursSpec(root: string, memcachedPort: number, name = 'ours --l2 off', l2: (port: number) => string[] = () => ['--l2', 'off']): ServerSpec {
  const start = ourCommand(root);
  return {
    name,
    command: (port) => [...start, '-l', '127.0.0.1', '-p', String(memcachedPort), '-m', '1024', ...l2(port), '--redis-port', String(port)],
    binary: false,
    stats: false,
  };
}

export interface Sample {
  /** Requests per second as redis-benchmark reports them. */
  readonly rps: number;
  /** Server utime+stime per request, µs: steadier than rps when other work shares the CPUs. */
  readonly cpuPerOpUs: number;
  /** redis-benchmark's own CPU over its run, % of one core: near 100 means the generator is the limit. */
  readonly loadgenCpuPct: number;
}

/** One redis-benchmark run for one case against the server `s`. */
export function redisBenchmark(s: RunningServer, c: Case, requests: number): Sample {
  const cpu0 = cpuMicros(s.pid);
  const started = process.hrtime.bigint();
  const port = s.port;
  // `times` (bash) prints the children's user and system CPU after redis-benchmark exits.
  const argv = pinnedLoadgen([
    'bash',
    '-c',
    '"$@" && times',
    'redis-benchmark',
    'redis-benchmark',
    '-h',
    '127.0.0.1',
    '-p',
    String(port),
    '-t',
    c.test.toLowerCase(),
    '-n',
    String(requests),
    '-c',
    '50',
    '-r',
    '100000',
    '-d',
    '32',
    '-P',
    String(c.pipeline),
    '--csv',
  ]);
  const out = execFileSync(argv[0]!, argv.slice(1), { encoding: 'utf8', timeout: 300_000 });
  const wallUs = Number(process.hrtime.bigint() - started) / 1000;
  const cpu1 = cpuMicros(s.pid);
  const line = out.split('\n').find((l) => l.startsWith(`"${c.test}"`));
  if (!line) throw new Error(`redis-benchmark printed no ${c.test} line`);
  if (cpu0 === undefined || cpu1 === undefined) throw new Error(`${s.spec.name} died: ${s.output()}`);
  const times = [...out.matchAll(/^(\d+)m([\d.]+)s (\d+)m([\d.]+)s$/gm)].at(-1);
  const loadgenUs = times ? (Number(times[1]) * 60 + Number(times[2]) + Number(times[3]) * 60 + Number(times[4])) * 1e6 : NaN;
  return { rps: Number((JSON.parse(`[${line}]`) as string[])[1]), cpuPerOpUs: (cpu1 - cpu0) / requests, loadgenCpuPct: (100 * loadgenUs) / wallUs };
}

/** Medians of a server's samples for one case. */
function summary(xs: readonly Sample[]): Sample {
  return { rps: median(xs.map((x) => x.rps)), cpuPerOpUs: median(xs.map((x) => x.cpuPerOpUs)), loadgenCpuPct: median(xs.map((x) => x.loadgenCpuPct)) };
}

async function run(ctx: BenchContext): Promise<ScenarioReport> {
  const heading = '### Redis protocol (RESP) against redis-server';
  const missing = ['redis-server', 'redis-benchmark'].filter((t) => !hasCommand(t));
  if (missing.length > 0) return { markdown: `${heading}\n\nNot run: ${missing.join(' and ')} not found (apt-get install -y redis-server redis-tools).` };
  const requests = ctx.args.quick ? 20_000 : 200_000;
  const servers: RunningServer[] = [];
  const samples = new Map<string, Sample[]>();
  try {
    servers.push(
      await ctx.start(redisServerSpec()),
      await ctx.start(oursSpec(ctx.root, await freePort(), OURS[0].name, ourL2Flag(true, ctx.scratchDir))),
      await ctx.start(oursSpec(ctx.root, await freePort(), OURS[1].name)),
    );
    for (let round = 0; round < ctx.args.rounds; round++) {
      for (const c of CASES) {
        for (const s of servers) {
          ctx.log(`redis: round ${round + 1}, ${label(c)} on ${s.spec.name}`);
          const key = `${s.spec.name} ${label(c)}`;
          const x = redisBenchmark(s, c, requests);
          samples.set(key, [...(samples.get(key) ?? []), x]);
          ctx.log(`  ${fmtInt(x.rps)} req/s, server ${x.cpuPerOpUs.toFixed(2)} µs/req, redis-benchmark CPU ${Math.round(x.loadgenCpuPct)}%`);
        }
      }
    }
  } catch (e) {
    return { markdown: `${heading}\n\nFailed: ${shortReason(e)}` };
  } finally {
    for (const s of servers) await ctx.stop(s);
  }
  const figures: Figure[] = [];
  const rows = CASES.map((c) => {
    const redis = summary(samples.get(`redis-server ${label(c)}`)!);
    const cells = OURS.map(({ name, config }) => {
      const ours = summary(samples.get(`${name} ${label(c)}`)!);
      const ratio = ours.rps / redis.rps;
      figures.push({ config, name: `RESP ${label(c)}/redis`, value: ratio });
      return { ours, ratio };
    });
    const [dflt, off] = cells as [(typeof cells)[0], (typeof cells)[0]];
    const verdict = (r: number): string => (r >= c.target ? 'met' : '**not met**');
    return `| ${label(c)} | ${fmtInt(redis.rps)} | ${fmtInt(dflt.ours.rps)} / ${fmtInt(off.ours.rps)} | ${dflt.ratio.toFixed(2)}x / ${off.ratio.toFixed(2)}x | >= ${c.target}x: ${verdict(dflt.ratio)} / ${verdict(off.ratio)} | ${redis.cpuPerOpUs.toFixed(2)} / ${dflt.ours.cpuPerOpUs.toFixed(2)} / ${off.ours.cpuPerOpUs.toFixed(2)} | ${Math.round(redis.loadgenCpuPct)} / ${Math.round(dflt.ours.loadgenCpuPct)} / ${Math.round(off.ours.loadgenCpuPct)} |`;
  });
  const markdown = [
    heading,
    '',
    '| case | redis-server ops/s | ours ops/s (default / --l2 off) | ours / redis (default / --l2 off) | target | server CPU µs/op (redis / default / --l2 off) | redis-benchmark CPU % (redis / default / --l2 off) |',
    '|---|---|---|---|---|---|---|',
    ...rows,
    '',
    `redis-benchmark -c 50 -r 100000 -d 32, ${fmtInt(requests)} requests per case and round, medians of ${ctx.args.rounds} round(s); P16 = 16 commands per write. Server CPU per op (utime+stime from /proc) is the steadier figure when other work shares the CPUs; redis-benchmark near 100 % CPU means the generator, not the server, set the pace.`,
  ].join('\n');
  return { markdown, figures };
}

export const redis: Scenario = {
  name: 'redis',
  description: 'redis-benchmark GET/SET (unpipelined, pipelined 16) against redis-server and our RESP listener',
  run,
};
