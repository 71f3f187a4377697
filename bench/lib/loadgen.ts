/**
 * The two load generators: mcload (our small C tool, bench/lib/mcload.c) for
 * text-protocol workloads, and Debian's memcaslap for the binary protocol and
 * as a cross-check of the unpipelined mix. Both run under `bash -c '...; times'`
 * so the shell reports the generator's own user+system CPU when it exits.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { hasCommand } from './proc.js';
import { pinnedLoadgen } from './servers.js';

export interface LoadResult {
  readonly ops: number;
  readonly seconds: number;
  readonly p50us: number;
  readonly p99us: number;
  readonly misses: number;
  readonly errors: number;
  /** Load generator CPU (user+system) in microseconds. */
  readonly loadgenCpuMicros: number;
  /** Wall time of the load generator process, microseconds. */
  readonly wallMicros: number;
  /** True when latencies are read off memcaslap's log2 histogram (coarse). */
  readonly approximateLatency: boolean;
}

/** Compiles mcload into dist/bench when missing or older than its source. */
export function buildMcload(root: string): string | undefined {
  const source = path.join(root, 'bench/lib/mcload.c');
  const binary = path.join(root, 'dist/bench/mcload');
  if (existsSync(binary) && statSync(binary).mtimeMs >= statSync(source).mtimeMs) return binary;
  if (!hasCommand('gcc') && !hasCommand('cc')) return undefined;
  mkdirSync(path.dirname(binary), { recursive: true });
  execFileSync(hasCommand('gcc') ? 'gcc' : 'cc', ['-O2', '-o', binary, source], { stdio: 'inherit' });
  return binary;
}

export const MEMCASLAP = ['/usr/bin/memcaslap', '/usr/bin/memaslap'].find((p) => existsSync(p));

interface Timed {
  readonly stdout: string;
  readonly code: number | null;
  readonly cpuMicros: number;
  readonly wallMicros: number;
}

/** Runs argv pinned to the load-generator CPU, killed after timeoutMs. */
async function runTimed(argv: string[], timeoutMs: number): Promise<Timed> {
  // `times` prints two lines; the second is the children's user and system time.
  const script = '"$@"; rc=$?; times; exit $rc';
  const [cmd, ...args] = pinnedLoadgen(['bash', '-c', script, 'loadgen', ...argv]);
  const started = process.hrtime.bigint();
  const child = spawn(cmd!, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
  const timer = setTimeout(() => {
    // The child leads its own process group (detached): end the shell and the generator.
    if (child.pid !== undefined) {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
  }, timeoutMs);
  const code = await new Promise<number | null>((resolve) => child.once('close', (c) => resolve(c)));
  clearTimeout(timer);
  const wallMicros = Number(process.hrtime.bigint() - started) / 1000;
  const timesLines = [...stdout.matchAll(/^(\d+)m([\d.]+)s (\d+)m([\d.]+)s$/gm)];
  const children = timesLines[timesLines.length - 1];
  const cpuMicros = children ? (Number(children[1]) * 60 + Number(children[2]) + Number(children[3]) * 60 + Number(children[4])) * 1e6 : NaN;
  if (code !== 0 && stderr) stdout += `\n[stderr] ${stderr}`;
  return { stdout, code, cpuMicros, wallMicros };
}

export interface McloadOptions {
  readonly port: number;
  readonly mode: 'preload' | 'run';
  readonly conns: number;
  readonly depth: number;
  readonly sets: number;
  readonly gets: number;
  readonly valueSize: number;
  readonly keys: number;
  readonly seconds: number;
  readonly seed: number;
}

export async function runMcload(binary: string, o: McloadOptions): Promise<LoadResult> {
  const argv = [
    binary,
    '127.0.0.1',
    String(o.port),
    o.mode,
    String(o.conns),
    String(o.depth),
    String(o.sets),
    String(o.gets),
    String(o.valueSize),
    String(o.keys),
    String(o.seconds),
    String(o.seed),
  ];
  const timeout = o.mode === 'preload' ? 120_000 : o.seconds * 1000 + 15_000;
  const t = await runTimed(argv, timeout);
  const json = /^\{.*\}$/m.exec(t.stdout);
  if (t.code !== 0 || !json) throw new Error(`mcload failed (exit ${t.code}): ${t.stdout.trim().slice(-500)}`);
  const r = JSON.parse(json[0]) as { ops: number; seconds: number; p50_us: number; p99_us: number; misses: number; errors: number };
  return {
    ops: r.ops,
    seconds: r.seconds,
    p50us: r.p50_us,
    p99us: r.p99_us,
    misses: r.misses,
    errors: r.errors,
    loadgenCpuMicros: t.cpuMicros,
    wallMicros: t.wallMicros,
    approximateLatency: false,
  };
}

export interface MemaslapOptions {
  readonly port: number;
  readonly conns: number;
  readonly setProportion: number;
  readonly valueSize: number;
  readonly windowSize: string;
  readonly seconds: number;
  readonly binary: boolean;
  readonly configDir: string;
}

/**
 * memcaslap: -F gives key/value sizes and the set:get proportion, -c the
 * connections (one request in flight each), -T 1 one thread, -w the per
 * connection key window it warms (sets) before timing so gets hit, -S makes it
 * print the latency histogram, -B the binary protocol.
 */
export async function runMemaslap(o: MemaslapOptions): Promise<LoadResult> {
  if (!MEMCASLAP) throw new Error('memcaslap not installed (apt-get install libmemcached-tools)');
  mkdirSync(o.configDir, { recursive: true });
  const cfg = path.join(o.configDir, `memaslap-${o.setProportion}-${o.valueSize}.cfg`);
  writeFileSync(cfg, ['key', '16 16 1', 'value', `${o.valueSize} ${o.valueSize} 1`, 'cmd', `0 ${o.setProportion}`, `1 ${1 - o.setProportion}`, ''].join('\n'));
  const argv = [
    MEMCASLAP,
    '-s',
    `127.0.0.1:${o.port}`,
    '-F',
    cfg,
    '-T',
    '1',
    '-c',
    String(o.conns),
    '-w',
    o.windowSize,
    '-t',
    `${o.seconds}s`,
    '-S',
    `${o.seconds}s`,
    ...(o.binary ? ['-B'] : []),
  ];
  const t = await runTimed(argv, o.seconds * 1000 + 30_000);
  const run = /Run time: ([\d.]+)s Ops: (\d+) TPS: (\d+)/.exec(t.stdout);
  if (t.code === null) throw new Error('no reply before the timeout (protocol not served?)');
  if (t.code !== 0 || !run) throw new Error(`memcaslap failed (exit ${t.code}): ${t.stdout.trim().slice(-300)}`);
  const misses = Number(/get_misses: (\d+)/.exec(t.stdout)?.[1] ?? 0);
  const hist = parseLog2Histogram(t.stdout);
  return {
    ops: Number(run[2]),
    seconds: Number(run[1]),
    p50us: percentile(hist, 0.5),
    p99us: percentile(hist, 0.99),
    misses,
    errors: 0,
    loadgenCpuMicros: t.cpuMicros,
    wallMicros: t.wallMicros,
    approximateLatency: true,
  };
}

/** Bucket counts from the "Total Statistics" Log2 Dist: index k counts [2^k, 2^(k+1)) µs. */
function parseLog2Histogram(out: string): number[] {
  const start = out.lastIndexOf('Total Statistics (');
  const block = start < 0 ? '' : (out.slice(start).split(/\n\s*\n/)[0] ?? '');
  const counts: number[] = [];
  for (const line of block.split('\n')) {
    const m = /^\s+(\d+):((?:\s+\d+)+)\s*$/.exec(line);
    if (!m) continue;
    const first = Number(m[1]);
    m[2]!
      .trim()
      .split(/\s+/)
      .forEach((c, i) => (counts[first + i] = Number(c)));
  }
  return counts;
}

/** Percentile from log2 buckets, interpolated geometrically inside the bucket. */
function percentile(counts: number[], q: number): number {
  const total = counts.reduce((a, b) => a + (b ?? 0), 0);
  if (total === 0) return NaN;
  let acc = 0;
  for (let k = 0; k < counts.length; k++) {
    const c = counts[k] ?? 0;
    if (c > 0 && acc + c >= q * total) return Math.round(2 ** (k + (q * total - acc) / c));
    acc += c;
  }
  return NaN;
}
