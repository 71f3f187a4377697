/**
 * redis-benchmark against Debian's redis-server and against rat-memcache's
 * RESP listener, both pinned to one CPU (the load generator to another):
 * GET and SET unpipelined and pipelined 16, alternated round by round so
 * drift on a shared machine hits both alike; medians and ratios (ours /
 * redis-server) are reported. Targets (issue 15): GET/SET >= 0.8x,
 * pipelined >= 1.2x.
 *
 * Usage: node dist/bench/redis.js [--quick] [--rounds N] [--requests N]
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { hasCommand } from './lib/proc.js';
import { HAS_TASKSET, freePort, pinnedLoadgen, startServer, stopServer, type RunningServer, type ServerSpec } from './lib/servers.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface RedisBenchOptions {
  rounds: number;
  requests: number;
}

/** One measured case: a redis-benchmark test with a pipeline depth. */
interface Case {
  readonly test: 'GET' | 'SET';
  readonly pipeline: number;
  readonly target: number;
}

const CASES: Case[] = [
  { test: 'SET', pipeline: 1, target: 0.8 },
  { test: 'GET', pipeline: 1, target: 0.8 },
  { test: 'SET', pipeline: 16, target: 1.2 },
  { test: 'GET', pipeline: 16, target: 1.2 },
];

function specs(mcPort: number): ServerSpec[] {
  return [
    {
      name: 'redis-server',
      command: (port) => ['redis-server', '--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--logfile', ''],
      binary: false,
      stats: false,
    },
    {
      name: 'ours',
      command: (port) => [process.execPath, path.join(root, 'dist/src/infrastructure/cli.js'), '-l', '127.0.0.1', '-p', String(mcPort), '-m', '1024', '--l2', 'off', '--redis-port', String(port)],
      binary: false,
      stats: false,
    },
  ];
}

/** Requests per second redis-benchmark measured for one case. */
function redisBenchmark(port: number, c: Case, requests: number): number {
  const argv = pinnedLoadgen(['redis-benchmark', '-h', '127.0.0.1', '-p', String(port), '-t', c.test.toLowerCase(), '-n', String(requests), '-c', '50', '-r', '100000', '-d', '32', '-P', String(c.pipeline), '--csv']);
  const out = execFileSync(argv[0]!, argv.slice(1), { encoding: 'utf8', timeout: 300_000 });
  const line = out.split('\n').find((l) => l.startsWith(`"${c.test}"`));
  if (!line) throw new Error(`redis-benchmark printed no ${c.test} line: ${out}`);
  return Number(JSON.parse(`[${line}]`)[1]);
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Runs every case on both servers and returns the report lines. */
export async function runRedisBench(options: RedisBenchOptions): Promise<string[]> {
  for (const tool of ['redis-server', 'redis-benchmark']) {
    if (!hasCommand(tool)) throw new Error(`${tool} not found: apt-get install -y redis-server redis-tools`);
  }
  const servers: RunningServer[] = [];
  try {
    const mcPort = await freePort();
    for (const spec of specs(mcPort)) servers.push(await startServer(spec));
    const rps = new Map<string, number[]>();
    for (let round = 0; round < options.rounds; round++) {
      for (const c of CASES) {
        for (const s of servers) {
          const key = `${s.spec.name} ${c.test} P${c.pipeline}`;
          rps.set(key, [...(rps.get(key) ?? []), redisBenchmark(s.port, c, options.requests)]);
        }
      }
    }
    const lines = [
      `redis-benchmark -c 50 -r 100000 -d 32, ${options.requests} requests x ${options.rounds} round(s), medians${HAS_TASKSET ? ', servers on CPU 0, load generator on CPU 1' : ' (taskset missing: not pinned)'}`,
      'case          redis-server rps        ours rps   ours/redis  target',
    ];
    for (const c of CASES) {
      const r = median(rps.get(`redis-server ${c.test} P${c.pipeline}`)!);
      const o = median(rps.get(`ours ${c.test} P${c.pipeline}`)!);
      const ratio = o / r;
      lines.push(
        `${`${c.test} P${c.pipeline}`.padEnd(12)} ${r.toFixed(0).padStart(14)} ${o.toFixed(0).padStart(15)} ${ratio.toFixed(2).padStart(11)}x  >= ${c.target}x ${ratio >= c.target ? 'met' : 'NOT met'}`,
      );
    }
    return lines;
  } finally {
    for (const s of servers) await stopServer(s);
  }
}

const isMain = process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  const argv = process.argv.slice(2);
  const quick = argv.includes('--quick');
  const value = (flag: string, fallback: number): number => {
    const i = argv.indexOf(flag);
    return i >= 0 ? Number(argv[i + 1]) : fallback;
  };
  const options = { rounds: value('--rounds', quick ? 1 : 3), requests: value('--requests', quick ? 20_000 : 200_000) };
  runRedisBench(options).then(
    (lines) => console.log(lines.join('\n')),
    (err: unknown) => {
      console.error((err as Error).message);
      process.exitCode = 1;
    },
  );
}
