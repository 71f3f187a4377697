/** One workload against several servers: fresh instances, preload, then rounds alternating between them. */
import { MEMCASLAP } from './loadgen.js';
import { fmtInt, type Outcome } from './report.js';
import { shortReason, type BenchContext } from './scenario.js';
import type { RunningServer, ServerSpec } from './servers.js';
import { measure, preload, type Workload } from './workloads.js';

/**
 * Rounds go A, B, C, A, B, C...: drift on a shared machine hits every server
 * alike. A server that fails is reported n/a with the reason; the others go on.
 */
export async function runWorkload(ctx: BenchContext, w: Workload, specs: readonly ServerSpec[]): Promise<Map<string, Outcome>> {
  const { args, mcload, scratchDir } = ctx;
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
      const s = await ctx.start(spec);
      live.push(s);
      await preload(s, w, mcload);
      outcomes.set(spec.name, { samples: [] });
    } catch (e) {
      outcomes.set(spec.name, { na: shortReason(e) });
      ctx.log(`  ${spec.name}: ${String(e)}`);
    }
  }
  for (let round = 1; round <= args.rounds; round++) {
    for (const s of live) {
      const out = outcomes.get(s.spec.name);
      if (!out || !('samples' in out)) continue;
      try {
        const x = await measure(s, w, args.seconds, mcload, scratchDir);
        out.samples.push(x);
        ctx.log(
          `  ${w.name} round ${round} ${s.spec.name}: ${fmtInt(x.opsPerSec)} ops/s p50 ${x.p50us} µs p99 ${x.p99us} µs, server ${x.cpuPerOpUs.toFixed(2)} µs/op (${Math.round(x.serverCpuPct)}%), loadgen ${Math.round(x.loadgenCpuPct)}%${x.misses ? `, misses ${x.misses}` : ''}${x.errors ? `, errors ${x.errors}` : ''}`,
        );
      } catch (e) {
        outcomes.set(s.spec.name, { na: shortReason(e) });
        ctx.log(`  ${w.name} ${s.spec.name}: ${String(e)}`);
      }
    }
  }
  for (const s of live) await ctx.stop(s);
  return outcomes;
}
