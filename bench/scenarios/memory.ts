/**
 * Bytes per item: the server's RSS growth (VmRSS) after storing exactly N
 * distinct 16-byte keys with 100-byte values (1,000,000; 20,000 with --quick),
 * divided by N. Checked by counting N STORED replies and, where the server
 * has `stats`, curr_items.
 */
import { runMcload } from '../lib/loadgen.js';
import { rssBytes } from '../lib/proc.js';
import { fmtInt, ratio, MIB } from '../lib/report.js';
import { shortReason, sleep, type BenchContext, type Scenario, type ScenarioReport } from '../lib/scenario.js';
import type { RunningServer, ServerSpec } from '../lib/servers.js';
import { textStats } from '../lib/stats.js';
import { SEED } from '../lib/workloads.js';

interface MemoryResult {
  readonly bytesPerItem?: number;
  readonly note: string;
}

async function measureMemory(ctx: BenchContext, spec: ServerSpec, items: number): Promise<MemoryResult> {
  if (!ctx.mcload) return { note: 'mcload not built' };
  let s: RunningServer | undefined;
  try {
    s = await ctx.start(spec);
    await sleep(500);
    const before = rssBytes(s.pid);
    const r = await runMcload(ctx.mcload, {
      port: s.port,
      mode: 'preload',
      conns: 4,
      depth: 100,
      sets: 1,
      gets: 0,
      valueSize: 100,
      keys: items,
      seconds: 0,
      seed: SEED,
    });
    // Let a Node server's young-generation garbage and an L2 write queue settle.
    await sleep(2000);
    const after = rssBytes(s.pid);
    let note = `${fmtInt(r.ops)} STORED, ${r.errors} errors`;
    if (spec.stats) note += `, curr_items ${(await textStats(s.port))?.get('curr_items') ?? 'n/a'}`;
    if (before === undefined || after === undefined) return { note: `${note}; RSS unreadable` };
    return { bytesPerItem: (after - before) / items, note: `${note}; RSS ${fmtInt(before / MIB)} → ${fmtInt(after / MIB)} MiB` };
  } catch (e) {
    return { note: shortReason(e) };
  } finally {
    if (s) await ctx.stop(s);
  }
}

export const memory: Scenario = {
  name: 'memory',
  description: 'RSS growth per item for 1M items of 16 B keys and 100 B values',
  async run(ctx: BenchContext): Promise<ScenarioReport> {
    const items = ctx.args.quick ? 20_000 : 1_000_000;
    ctx.log(`memory: ${fmtInt(items)} items of 16-byte keys and 100-byte values`);
    const results = new Map<string, MemoryResult>();
    for (const spec of ctx.specs) {
      const m = await measureMemory(ctx, spec, items);
      results.set(spec.name, m);
      ctx.log(`  ${spec.name}: ${m.bytesPerItem === undefined ? 'n/a' : `${fmtInt(m.bytesPerItem)} bytes/item`} (${m.note})`);
    }
    const ref = results.get(ctx.columns.memcached?.name ?? '')?.bytesPerItem;
    const rows = [...results].map(([name, m]) => {
      const r = ratio(m.bytesPerItem, ref);
      return `| ${name} | ${fmtInt(m.bytesPerItem)} | ${r === undefined ? 'n/a' : `${r.toFixed(2)}x`} | ${m.note} |`;
    });
    const per = (name: string | undefined): number | undefined => ratio(results.get(name ?? '')?.bytesPerItem, ref);
    return {
      markdown: [
        `### Memory: ${fmtInt(items)} items (16 B key + 100 B value)`,
        '',
        '| server | bytes/item | / memcached | check |',
        '|---|---|---|---|',
        ...rows,
      ].join('\n'),
      figures: [
        { config: 'default', name: 'bytes/item', value: per(ctx.columns.ours?.name), unit: 'x' },
        { config: 'l2-off', name: 'bytes/item', value: per(ctx.columns.oursL2Off?.name), unit: 'x' },
      ],
    };
  },
};
