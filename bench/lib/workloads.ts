/** The benchmark workloads and how one timed run of one of them is measured. */
import { runMcload, runMemaslap, type LoadResult } from './loadgen.js';
import { cpuMicros } from './proc.js';
import type { Sample } from './report.js';
import type { RunningServer } from './servers.js';

export interface Workload {
  readonly name: string;
  readonly tool: 'mcload' | 'memaslap';
  readonly conns: number;
  readonly depth: number;
  /** Deterministic cycle of `sets` sets then `gets` gets per connection. */
  readonly sets: number;
  readonly gets: number;
  readonly valueSize: number;
  /** Distinct keys, all preloaded before timing so gets hit. */
  readonly keys: number;
  readonly binary: boolean;
}

export const SEED = 20240607;

export function workloads(quick: boolean): Workload[] {
  const k = quick ? 10_000 : 100_000;
  return [
    { name: 'get-unpipelined', tool: 'mcload', conns: 50, depth: 1, sets: 1, gets: 10, valueSize: 100, keys: k, binary: false },
    { name: 'get-pipelined', tool: 'mcload', conns: 50, depth: 16, sets: 1, gets: 10, valueSize: 100, keys: k, binary: false },
    { name: 'set', tool: 'mcload', conns: 50, depth: 1, sets: 1, gets: 0, valueSize: 100, keys: k, binary: false },
    { name: '64k', tool: 'mcload', conns: 10, depth: 1, sets: 1, gets: 1, valueSize: 65_536, keys: quick ? 100 : 1000, binary: false },
    { name: 'get-unpipelined-memaslap', tool: 'memaslap', conns: 50, depth: 1, sets: 1, gets: 10, valueSize: 100, keys: 0, binary: false },
    { name: 'binary-get', tool: 'memaslap', conns: 50, depth: 1, sets: 0, gets: 1, valueSize: 100, keys: 0, binary: true },
  ];
}

/**
 * One timed run, charging the server's CPU from /proc over the generator's
 * lifetime. `scratchDir` holds memcaslap's config files.
 */
export async function measure(server: RunningServer, w: Workload, seconds: number, mcload: string | undefined, scratchDir: string): Promise<Sample> {
  const cpu0 = cpuMicros(server.pid);
  let r: LoadResult;
  if (w.tool === 'mcload') {
    if (!mcload) throw new Error('mcload not built (needs gcc)');
    r = await runMcload(mcload, {
      port: server.port,
      mode: 'run',
      conns: w.conns,
      depth: w.depth,
      sets: w.sets,
      gets: w.gets,
      valueSize: w.valueSize,
      keys: w.keys,
      seconds,
      seed: SEED,
    });
  } else {
    r = await runMemaslap({
      port: server.port,
      conns: w.conns,
      setProportion: w.sets / (w.sets + w.gets),
      valueSize: w.valueSize,
      windowSize: '1k',
      seconds: Math.max(1, Math.round(seconds)),
      binary: w.binary,
      configDir: scratchDir,
    });
  }
  const cpu1 = cpuMicros(server.pid);
  if (cpu0 === undefined || cpu1 === undefined) throw new Error(`${server.spec.name} died: ${server.output()}`);
  if (r.ops === 0) throw new Error('no operation completed');
  // memcaslap's warm-up sets fall inside its lifetime but not its op count: a
  // small, equal bias for every server (50 connections x 1k window).
  return {
    opsPerSec: r.ops / r.seconds,
    p50us: r.p50us,
    p99us: r.p99us,
    cpuPerOpUs: (cpu1 - cpu0) / r.ops,
    serverCpuPct: (100 * (cpu1 - cpu0)) / r.wallMicros,
    loadgenCpuPct: (100 * r.loadgenCpuMicros) / r.wallMicros,
    misses: r.misses,
    errors: r.errors,
    approximateLatency: r.approximateLatency,
  };
}

/** Stores every key a workload reads, so that its gets hit. */
export async function preload(server: RunningServer, w: Workload, mcload: string | undefined): Promise<void> {
  if (w.tool !== 'mcload' || w.gets === 0 || !mcload) return;
  const r = await runMcload(mcload, {
    port: server.port,
    mode: 'preload',
    conns: 4,
    depth: 64,
    sets: 1,
    gets: 0,
    valueSize: w.valueSize,
    keys: w.keys,
    seconds: 0,
    seed: SEED,
  });
  if (r.ops !== w.keys || r.errors > 0) throw new Error(`preload stored ${r.ops}/${w.keys} (errors ${r.errors})`);
}
