/**
 * The throughput workloads (bench/lib/workloads.ts) against memcached, ours
 * in the default configuration and ours with --l2 off; each row also yields
 * the summary ratios: ops/s, and for sets and 64 KiB the p99 and CPU per op.
 */
import { fmtRatio, ratio, summarize, throughputTable, type Summary, type WorkloadRow } from '../lib/report.js';
import { runWorkload } from '../lib/rounds.js';
import type { BenchContext, Config, Figure, Scenario, ScenarioReport } from '../lib/scenario.js';
import { workloads } from '../lib/workloads.js';

/** Summary figures each workload contributes (ratio of ours to memcached). */
const FIGURES: Record<string, readonly { name: string; of: (s: Summary) => number; unit?: string }[]> = {
  'get-unpipelined': [{ name: 'get-unpipelined', of: (s) => s.opsPerSec }],
  'get-pipelined': [{ name: 'get-pipelined', of: (s) => s.opsPerSec }],
  set: [
    { name: 'set', of: (s) => s.opsPerSec },
    { name: 'set-p99', of: (s) => s.p99us, unit: 'x' },
  ],
  '64k': [
    { name: '64k', of: (s) => s.opsPerSec },
    { name: '64k-cpu/op', of: (s) => s.cpuPerOpUs, unit: 'x' },
    { name: '64k-p99', of: (s) => s.p99us, unit: 'x' },
  ],
};

export const throughput: Scenario = {
  name: 'throughput',
  description: 'get 1:10 (unpipelined, pipelined), set 100 B, 64 KiB 1:1, memcaslap and binary gets; ops/s, latency, CPU per op',
  parts: workloads(false).map((w) => w.name),
  async run(ctx: BenchContext): Promise<ScenarioReport> {
    const only = ctx.args.only;
    const selected = workloads(ctx.args.quick).filter((w) => only.length === 0 || only.includes('throughput') || only.includes(w.name));
    const rows: WorkloadRow[] = [];
    for (const w of selected) {
      ctx.log(`workload ${w.name}`);
      rows.push({ name: w.name, outcomes: await runWorkload(ctx, w, ctx.specs) });
    }
    const names = ctx.specs.map((s) => s.name);
    const figures: Figure[] = [];
    const { memcached, ours, oursL2Off } = ctx.columns;
    for (const [config, spec] of [
      ['default', ours],
      ['l2-off', oursL2Off],
    ] as [Config, typeof ours][]) {
      for (const row of rows) {
        const ref = summarize(row.outcomes.get(memcached?.name ?? ''));
        const s = summarize(row.outcomes.get(spec?.name ?? ''));
        for (const f of FIGURES[row.name] ?? []) {
          // Throughput: ours / memcached (higher is better); latency and CPU: ours / memcached as "Nx" (lower is better).
          figures.push({ config, name: f.name, value: ratio(s && f.of(s), ref && f.of(ref)), unit: f.unit });
        }
      }
    }
    const cpu = rows.map((r) => {
      const ref = summarize(r.outcomes.get(memcached?.name ?? ''))?.cpuPerOpUs;
      return `${r.name}=${fmtRatio(ratio(summarize(r.outcomes.get(ours?.name ?? ''))?.cpuPerOpUs, ref), 'x')}`;
    });
    const markdown = [
      '### Throughput, latency, CPU per op',
      '',
      throughputTable(rows, names),
      '',
      `Server CPU per op, ours (default config) / memcached: ${cpu.join(' ')}.`,
    ].join('\n');
    return { markdown, figures };
  },
};
