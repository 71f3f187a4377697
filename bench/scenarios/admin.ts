/**
 * The cache port with the admin listener on and its page open (issue 13):
 * ours with --l2 off, plain and with --admin-port while a poller does what an
 * open page does (GET /api/stats every second) plus a /metrics scrape every
 * 5 s, on the get and set workloads. The two columns should match.
 */
import { startAdminPoller } from '../lib/admin-poller.js';
import { fmtRatio, ratio, summarize, throughputTable, type WorkloadRow } from '../lib/report.js';
import { runWorkload } from '../lib/rounds.js';
import type { BenchContext, Scenario, ScenarioReport } from '../lib/scenario.js';
import { freePort, withArgs } from '../lib/servers.js';
import { workloads } from '../lib/workloads.js';

const WORKLOADS = ['get-unpipelined', 'get-pipelined', 'set'];

export const admin: Scenario = {
  name: 'admin',
  description: 'ours --l2 off with and without the admin listener polled like an open page (+ /metrics scrapes): ops/s, latency, CPU per op',
  async run(ctx: BenchContext): Promise<ScenarioReport> {
    const base = ctx.columns.oursL2Off;
    if (!base) return { markdown: '### Admin listener and page open\n\nn/a: our server is not built.' };
    const port = await freePort();
    const withAdmin = { ...withArgs(base, ['--admin-port', String(port)]), name: `${base.name} + admin page` };
    const specs = [base, withAdmin];
    const rows: WorkloadRow[] = [];
    // Polls fail until the server is up (each workload starts it afresh); only answered ones count.
    const poller = startAdminPoller(port);
    let failure: unknown;
    try {
      for (const w of workloads(ctx.args.quick).filter((x) => WORKLOADS.includes(x.name))) {
        ctx.log(`admin: workload ${w.name}`);
        rows.push({ name: w.name, outcomes: await runWorkload(ctx, w, specs) });
      }
    } catch (e) {
      failure = e;
    }
    const { polls } = await poller.stop();
    if (failure !== undefined) throw failure;
    const ratios = rows.map(
      (r) => `${r.name}=${fmtRatio(ratio(summarize(r.outcomes.get(withAdmin.name))?.opsPerSec, summarize(r.outcomes.get(base.name))?.opsPerSec))}`,
    );
    const markdown = [
      '### Admin listener and page open',
      '',
      throughputTable(
        rows,
        specs.map((s) => s.name),
      ),
      '',
      `ops/s with the admin page open / without: ${ratios.join(' ')} (${polls} admin requests answered during the run; 1.00 = no cost).`,
    ].join('\n');
    return { markdown };
  },
};
