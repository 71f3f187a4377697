/**
 * Write flood: one client pipelines 100-byte sets without reading replies
 * (bench/lib/flood-writer.ts, bounded in bytes and time) while another does
 * unpipelined gets of preloaded keys (mcload). Reported: the server's RSS
 * growth over the flood (peak VmRSS sampled every 25 ms minus the RSS before)
 * and the getting client's p50/p99 latency.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { runMcload } from '../lib/loadgen.js';
import { rssBytes } from '../lib/proc.js';
import { fmtInt, MIB } from '../lib/report.js';
import { shortReason, sleep, type BenchContext, type Config, type Figure, type Scenario, type ScenarioReport } from '../lib/scenario.js';
import { pinnedLoadgen, type RunningServer, type ServerSpec } from '../lib/servers.js';
import { SEED } from '../lib/workloads.js';

/** Distinct keys the flood cycles over. */
const FLOOD_KEYS = 1000;
/** Keys the reading client gets (preloaded). */
const READ_KEYS = 10_000;

interface FloodResult {
  readonly rssGrowth?: number;
  readonly p50us?: number;
  readonly p99us?: number;
  readonly gets?: number;
  readonly note: string;
}

function floodWriter(ctx: BenchContext, port: number, maxBytes: number, seconds: number, hold: number): Promise<{ bytes: number; seconds: number }> {
  const script = path.join(ctx.root, 'dist/bench/lib/flood-writer.js');
  const [cmd, ...args] = pinnedLoadgen([process.execPath, script, String(port), String(maxBytes), String(seconds), String(hold), String(FLOOD_KEYS)]);
  const child = spawn(cmd!, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), (hold + 15) * 1000);
    child.once('close', (code) => {
      clearTimeout(timer);
      const m = /^\{.*\}$/m.exec(out);
      if (code === 0 && m) resolve(JSON.parse(m[0]) as { bytes: number; seconds: number });
      else reject(new Error(`flood writer exited ${code}: ${out.slice(-200)}`));
    });
  });
}

async function measureFlood(ctx: BenchContext, spec: ServerSpec, maxBytes: number, seconds: number): Promise<FloodResult> {
  if (!ctx.mcload) return { note: 'mcload not built' };
  let s: RunningServer | undefined;
  try {
    s = await ctx.start(spec);
    await runMcload(ctx.mcload, {
      port: s.port,
      mode: 'preload',
      conns: 2,
      depth: 64,
      sets: 1,
      gets: 0,
      valueSize: 100,
      keys: READ_KEYS,
      seconds: 0,
      seed: SEED,
    });
    await sleep(1000);
    const pid = s.pid;
    const before = rssBytes(pid) ?? NaN;
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, rssBytes(pid) ?? 0)), 25);
    const readSeconds = seconds + 1;
    const [flood, gets] = await Promise.all([
      floodWriter(ctx, s.port, maxBytes, seconds, readSeconds),
      runMcload(ctx.mcload, {
        port: s.port,
        mode: 'run',
        conns: 1,
        depth: 1,
        sets: 0,
        gets: 1,
        valueSize: 100,
        keys: READ_KEYS,
        seconds: readSeconds,
        seed: SEED,
      }),
    ]);
    // The flood's replies and queued writes may still be draining: keep sampling a little.
    await sleep(500);
    clearInterval(sampler);
    if (rssBytes(pid) === undefined) throw new Error(`${spec.name} died during the flood: ${s.output()}`);
    const note = `${fmtInt(flood.bytes / MIB)} MiB of sets taken in ${flood.seconds.toFixed(1)} s; ${fmtInt(gets.ops)} gets${gets.misses ? ` (${gets.misses} misses)` : ''}${gets.errors ? ` (${gets.errors} errors)` : ''}; RSS ${fmtInt(before / MIB)} → peak ${fmtInt(peak / MIB)} MiB`;
    return { rssGrowth: peak - before, p50us: gets.p50us, p99us: gets.p99us, gets: gets.ops, note };
  } catch (e) {
    return { note: shortReason(e) };
  } finally {
    if (s) await ctx.stop(s);
  }
}

export const flood: Scenario = {
  name: 'flood',
  description: "a client pipelines sets without reading replies; RSS growth and another client's get latency",
  async run(ctx: BenchContext): Promise<ScenarioReport> {
    const maxBytes = (ctx.args.quick ? 8 : 48) * MIB;
    const seconds = ctx.args.quick ? 2 : 10;
    ctx.log(`flood: up to ${maxBytes / MIB} MiB of 100-byte sets in ${seconds} s, unread, beside one client's gets`);
    const results = new Map<string, FloodResult>();
    for (const spec of ctx.specs) {
      const r = await measureFlood(ctx, spec, maxBytes, seconds);
      results.set(spec.name, r);
      ctx.log(`  ${spec.name}: RSS +${fmtInt((r.rssGrowth ?? NaN) / MIB)} MiB, gets p99 ${fmtInt(r.p99us)} µs (${r.note})`);
    }
    const rows = [...results].map(
      ([name, r]) =>
        `| ${name} | ${r.rssGrowth === undefined ? 'n/a' : `+${(r.rssGrowth / MIB).toFixed(1)}`} | ${fmtInt(r.p50us)} | ${fmtInt(r.p99us)} | ${r.note} |`,
    );
    const figures: Figure[] = [];
    for (const [config, spec] of [
      ['default', ctx.columns.ours],
      ['l2-off', ctx.columns.oursL2Off],
    ] as [Config, ServerSpec | undefined][]) {
      const r = results.get(spec?.name ?? '');
      figures.push({ config, name: 'flood-rss', value: r?.rssGrowth === undefined ? undefined : r.rssGrowth / MIB, unit: ' MiB', digits: 1 });
      figures.push({ config, name: 'flood-get-p99', value: r?.p99us === undefined ? undefined : r.p99us / 1000, unit: ' ms', digits: 1 });
    }
    return {
      markdown: [
        `### Write flood: up to ${maxBytes / MIB} MiB of 100-byte sets in ${seconds} s, replies never read`,
        '',
        "| server | RSS growth MiB | other client's get p50 µs | p99 µs | check |",
        '|---|---|---|---|---|',
        ...rows,
      ].join('\n'),
      figures,
    };
  },
};
