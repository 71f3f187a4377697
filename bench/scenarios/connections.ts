/**
 * Footprint: the RSS of an idle server, then per connection with 10,000 idle
 * connections held (server started with -c 20000), then once each has sent
 * one request and gone idle again (as a pooled client's connections are),
 * then with each of them holding half a command line (`get ` and 125 key
 * bytes, no CRLF): (RSS with the idle connections - idle RSS) / N, (RSS after
 * the requests - idle RSS) / N, then (RSS with the half lines - RSS after the
 * requests) / N.
 *
 * Each figure is the steady state: RSS read SETTLE_MS after the step, the same
 * wait for every server. A Node process gives back its grown young
 * generation only some seconds after a burst (ADR 0018), so the reading 1.5 s
 * after the step is shown beside it as "first".
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import { rssBytes } from '../lib/proc.js';
import { fmtInt, MIB } from '../lib/report.js';
import { shortReason, sleep, type BenchContext, type Config, type Figure, type Scenario, type ScenarioReport } from '../lib/scenario.js';
import { pinnedLoadgen, withArgs, withNofile, type RunningServer, type ServerSpec } from '../lib/servers.js';
import { textStats } from '../lib/stats.js';

const MAX_CONNS = 20_000;
/** How long after each step RSS is read: past a Node server's idle heap trim and V8's reducer after it. */
const SETTLE_MS = 30_000;
const QUICK_SETTLE_MS = 5_000;
/** When the transient reading is taken. */
const FIRST_MS = 1_500;

interface ConnResult {
  readonly idleRss?: number;
  readonly perIdle?: number;
  /** Per connection once each has answered one request and gone idle (beside idle RSS, like perIdle). */
  readonly perUsed?: number;
  /** Added per connection once each holds half a command line (beyond its idle cost). */
  readonly perHalf?: number;
  readonly note: string;
}

class Holder {
  private readonly lines: AsyncIterator<string>;
  private constructor(private readonly child: ChildProcessWithoutNullStreams) {
    this.lines = readline.createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  }

  static open(ctx: BenchContext, port: number, n: number): Holder {
    const script = path.join(ctx.root, 'dist/bench/lib/conn-holder.js');
    const [cmd, ...args] = pinnedLoadgen(withNofile(n + 1000, [process.execPath, script, String(port), String(n)]));
    return new Holder(spawn(cmd!, args, { stdio: 'pipe' }));
  }

  /** The next line the holder prints, within ms. */
  async next(ms: number): Promise<string> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`connection holder silent for ${ms} ms`)), ms)));
    try {
      const r = await Promise.race([this.lines.next(), timeout]);
      if (r.done) throw new Error('connection holder exited');
      return r.value;
    } finally {
      clearTimeout(timer);
    }
  }

  send(line: string): void {
    this.child.stdin.write(`${line}\n`);
  }

  async close(): Promise<void> {
    this.child.stdin.end();
    await new Promise((r) => {
      const t = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
      this.child.once('close', () => r(clearTimeout(t)));
    });
  }
}

/** Waits until the server counts at least n connections (its accept loop may lag the client). */
async function awaitConnections(port: number, n: number, ms: number): Promise<number> {
  const deadline = Date.now() + ms;
  let seen = 0;
  while (Date.now() < deadline) {
    seen = Number((await textStats(port))?.get('curr_connections') ?? 0);
    if (seen >= n) return seen;
    await sleep(200);
  }
  throw new Error(`the server counts ${seen} of ${n} connections after ${ms} ms`);
}

/** RSS FIRST_MS after a step and once settled (settleMs after it). */
async function settledRss(pid: number, settleMs: number): Promise<{ first?: number; settled?: number }> {
  await sleep(FIRST_MS);
  const first = rssBytes(pid);
  await sleep(Math.max(0, settleMs - FIRST_MS));
  return { first, settled: rssBytes(pid) };
}

async function measureConnections(ctx: BenchContext, base: ServerSpec, n: number): Promise<ConnResult> {
  // The floor has no connection limit (nor stats): it shows what Node's own socket objects cost.
  const spec = { ...(base.stats ? withArgs(base, ['-c', String(MAX_CONNS)]) : base), nofile: MAX_CONNS + 1000 };
  const settleMs = ctx.args.quick ? QUICK_SETTLE_MS : SETTLE_MS;
  let s: RunningServer | undefined;
  let holder: Holder | undefined;
  try {
    s = await ctx.start(spec);
    const idle = await settledRss(s.pid, settleMs);
    holder = Holder.open(ctx, s.port, n);
    const ready = await holder.next(60_000);
    if (ready !== `ready ${n}`) throw new Error(`connection holder: ${ready}`);
    if (spec.stats) await awaitConnections(s.port, n, 30_000);
    const withIdle = await settledRss(s.pid, settleMs);
    holder.send('used');
    if ((await holder.next(60_000)) !== `used ${n}`) throw new Error('connection holder did not get every reply');
    const withUsed = await settledRss(s.pid, settleMs);
    holder.send('half');
    if ((await holder.next(30_000)) !== `half ${n}`) throw new Error('connection holder did not write the half lines');
    const withHalf = await settledRss(s.pid, settleMs);
    const all = [idle.first, idle.settled, withIdle.first, withIdle.settled, withUsed.first, withUsed.settled, withHalf.first, withHalf.settled];
    if (all.some((v) => v === undefined)) throw new Error(`${spec.name} died: ${s.output()}`);
    const [i0, i1, c0, c1, u0, u1, h0, h1] = all as number[];
    const mib = (v: number): string => (v / MIB).toFixed(1);
    return {
      idleRss: i1,
      perIdle: (c1 - i1) / n,
      perUsed: (u1 - i1) / n,
      perHalf: (h1 - u1) / n,
      note:
        `RSS ${mib(i1)} → ${mib(c1)} → ${mib(u1)} → ${mib(h1)} MiB after ${settleMs / 1000} s each; ` +
        `first (${FIRST_MS / 1000} s): idle ${mib(i0)} MiB, ${fmtInt((c0 - i1) / n)} B/idle conn, ` +
        `${fmtInt((u0 - i1) / n)} B/conn after a request, ${fmtInt((h0 - u1) / n)} B/half line`,
    };
  } catch (e) {
    return { note: shortReason(e) };
  } finally {
    await holder?.close();
    if (s) await ctx.stop(s);
  }
}

export const connections: Scenario = {
  name: 'connections',
  description: 'idle RSS, bytes per idle connection (10,000 held), per connection idle after one request, and per connection holding half a command line',
  async run(ctx: BenchContext): Promise<ScenarioReport> {
    const n = ctx.args.quick ? 1000 : 10_000;
    ctx.log(`connections: idle RSS, then ${fmtInt(n)} idle connections, then one request on each, then half a command line on each`);
    const results = new Map<string, ConnResult>();
    for (const spec of ctx.specs) {
      const r = await measureConnections(ctx, spec, n);
      results.set(spec.name, r);
      ctx.log(
        `  ${spec.name}: idle ${fmtInt((r.idleRss ?? NaN) / MIB)} MiB, ${fmtInt(r.perIdle)} B/idle conn, ${fmtInt(r.perUsed)} B/conn idle after a request, ` +
          `${fmtInt(r.perHalf)} B/conn with half a line (${r.note})`,
      );
    }
    const rows = [...results].map(
      ([name, r]) =>
        `| ${name} | ${r.idleRss === undefined ? 'n/a' : (r.idleRss / MIB).toFixed(1)} | ${fmtInt(r.perIdle)} | ${fmtInt(r.perUsed)} | ${fmtInt(r.perHalf)} | ${r.note} |`,
    );
    const figures: Figure[] = [];
    for (const [config, spec] of [
      ['default', ctx.columns.ours],
      ['l2-off', ctx.columns.oursL2Off],
    ] as [Config, ServerSpec | undefined][]) {
      const r = results.get(spec?.name ?? '');
      figures.push({ config, name: 'idle-rss', value: r?.idleRss === undefined ? undefined : r.idleRss / MIB, unit: ' MiB', digits: 1 });
      figures.push({ config, name: 'bytes/idle-conn', value: r?.perIdle, unit: ' B', digits: 0 });
      figures.push({ config, name: 'bytes/used-idle-conn', value: r?.perUsed, unit: ' B', digits: 0 });
      figures.push({ config, name: 'bytes/half-line-conn', value: r?.perHalf, unit: ' B', digits: 0 });
    }
    return {
      markdown: [
        `### Footprint: idle server, ${fmtInt(n)} connections (\`-c ${MAX_CONNS}\`), steady state`,
        '',
        '| server | idle RSS MiB | bytes per idle connection | bytes per connection idle after one request | + bytes per connection once it holds half a command line | check |',
        '|---|---|---|---|---|---|',
        ...rows,
      ].join('\n'),
      figures,
    };
  },
};
