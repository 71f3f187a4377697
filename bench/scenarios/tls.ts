/**
 * The TLS get path next to plain TCP: memcached, ours (default config) and
 * ours --l2 off, each started twice (plain, and -Z with a throw-away
 * certificate), all driven by tlsget (bench/lib/tlsget.c), which speaks both
 * transports with the same code and checks every reply byte for byte. Before
 * timing, Node's TLS client proves each -Z port negotiates TLS
 * (`getProtocol()`) and answers over it; tlsget must then report the same
 * protocol. Rounds alternate over all six instances.
 */
import { cpuMicros } from '../lib/proc.js';
import { fmtInt, median, ratio } from '../lib/report.js';
import { shortReason, type BenchContext, type Config, type Figure, type Scenario, type ScenarioReport } from '../lib/scenario.js';
import { withArgs, type RunningServer, type ServerSpec } from '../lib/servers.js';
import { buildTlsget, checkTlsPort, makeCertificate, memcachedHasTls, runTlsget, serverGets, type Transport } from '../lib/tlsget.js';

interface GetWorkload {
  readonly name: string;
  readonly conns: number;
  readonly depth: number;
}

const WORKLOADS: readonly GetWorkload[] = [
  { name: 'get-unpipelined', conns: 50, depth: 1 },
  { name: 'get-pipelined', conns: 50, depth: 16 },
];
const KEYS = 10_000;
const VALUE_SIZE = 100;

interface Sample {
  readonly opsPerSec: number;
  readonly cpuPerOpUs: number;
  readonly serverCpuPct: number;
  readonly loadgenCpuPct: number;
}

/** One server started with one transport, and what it measured per workload. */
interface Instance {
  readonly spec: ServerSpec;
  readonly transport: Transport;
  server?: RunningServer;
  /** The protocol Node negotiated with it (TLS only). */
  protocol?: string;
  na?: string;
  /** Gets tlsget counted over all runs, checked against the server's cmd_get at the end. */
  counted: number;
  readonly samples: Map<string, Sample[]>;
}

async function measure(binary: string, inst: Instance, w: GetWorkload, seconds: number): Promise<Sample> {
  const server = inst.server!;
  const cpu0 = cpuMicros(server.pid);
  const started = process.hrtime.bigint();
  const r = await runTlsget(binary, {
    port: server.port,
    transport: inst.transport,
    mode: 'run',
    conns: w.conns,
    depth: w.depth,
    keys: KEYS,
    valueSize: VALUE_SIZE,
    seconds,
  });
  const wallUs = Number(process.hrtime.bigint() - started) / 1000;
  const cpu1 = cpuMicros(server.pid);
  if (cpu0 === undefined || cpu1 === undefined) throw new Error(`${server.spec.name} died: ${server.output()}`);
  if (r.protocol !== (inst.protocol ?? 'none')) throw new Error(`tlsget negotiated ${r.protocol}, expected ${inst.protocol ?? 'none'}`);
  if (r.ops === 0) throw new Error('no get completed');
  inst.counted += r.ops;
  return {
    opsPerSec: r.ops / r.seconds,
    cpuPerOpUs: (cpu1 - cpu0) / r.ops,
    serverCpuPct: (100 * (cpu1 - cpu0)) / wallUs,
    loadgenCpuPct: (100 * r.cpuUs) / wallUs,
  };
}

/** Median of each field over the rounds, undefined when the instance has none. */
function summary(inst: Instance | undefined, w: GetWorkload): Sample | undefined {
  const xs = inst?.samples.get(w.name) ?? [];
  if (xs.length === 0) return undefined;
  const m = (f: (s: Sample) => number): number => median(xs.map(f));
  return {
    opsPerSec: m((s) => s.opsPerSec),
    cpuPerOpUs: m((s) => s.cpuPerOpUs),
    serverCpuPct: m((s) => s.serverCpuPct),
    loadgenCpuPct: m((s) => s.loadgenCpuPct),
  };
}

async function run(ctx: BenchContext): Promise<ScenarioReport> {
  const heading = `### TLS gets next to plain TCP (${WORKLOADS.map((w) => `${w.name}: ${w.conns} connections × ${w.depth} in flight`).join('; ')}; ${VALUE_SIZE}-byte values, ${fmtInt(KEYS)} keys)`;
  let binary: string;
  let cert: { cert: string; key: string };
  try {
    binary = buildTlsget(ctx.root);
    cert = makeCertificate(ctx.scratchDir);
  } catch (e) {
    return { markdown: `${heading}\n\nNot run: ${shortReason(e)}.` };
  }
  const notes: string[] = [];
  const tlsArgs = ['-Z', '-o', `ssl_chain_cert=${cert.cert},ssl_key=${cert.key}`];
  const { memcached, ours, oursL2Off } = ctx.columns;
  const instances: Instance[] = [];
  for (const spec of [memcached, ours, oursL2Off]) {
    if (!spec) continue;
    instances.push({ spec, transport: 'plain', samples: new Map(), counted: 0 });
    if (spec === memcached && !memcachedHasTls()) notes.push(`${spec.name} was built without TLS (no -Z in memcached -h): no TLS reference, no ratios.`);
    else instances.push({ spec: withArgs(spec, tlsArgs), transport: 'tls', samples: new Map(), counted: 0 });
  }
  try {
    for (const inst of instances) {
      try {
        inst.server = await ctx.start(inst.spec);
        if (inst.transport === 'tls') inst.protocol = await checkTlsPort(inst.server.port);
        await runTlsget(binary, {
          port: inst.server.port,
          transport: inst.transport,
          mode: 'preload',
          conns: 1,
          depth: 1,
          keys: KEYS,
          valueSize: VALUE_SIZE,
          seconds: 0,
        });
      } catch (e) {
        inst.na = shortReason(e);
        ctx.log(`tls: ${inst.spec.name} ${inst.transport}: ${String(e)}`);
      }
    }
    for (let round = 1; round <= ctx.args.rounds; round++) {
      for (const w of WORKLOADS) {
        for (const inst of instances) {
          if (inst.na !== undefined) continue;
          try {
            const s = await measure(binary, inst, w, ctx.args.seconds);
            inst.samples.set(w.name, [...(inst.samples.get(w.name) ?? []), s]);
            ctx.log(
              `tls: ${w.name} round ${round} ${inst.spec.name} ${inst.transport}${inst.protocol ? ` (${inst.protocol})` : ''}: ${fmtInt(s.opsPerSec)} gets/s, server ${s.cpuPerOpUs.toFixed(2)} µs/get (${Math.round(s.serverCpuPct)}%), loadgen ${Math.round(s.loadgenCpuPct)}%`,
            );
          } catch (e) {
            inst.na = shortReason(e);
            ctx.log(`tls: ${w.name} ${inst.spec.name} ${inst.transport}: ${String(e)}`);
          }
        }
      }
    }
    for (const inst of instances) {
      if (inst.na !== undefined || !inst.server) continue;
      const served = await serverGets(inst.server.port, inst.transport);
      if (served !== inst.counted) inst.na = `tlsget counted ${inst.counted} gets, the server ${served}`;
    }
  } finally {
    for (const inst of instances) if (inst.server) await ctx.stop(inst.server);
  }

  const find = (spec: ServerSpec | undefined, t: Transport): Instance | undefined =>
    instances.find((i) => spec !== undefined && i.spec.name === spec.name && i.transport === t);
  const cell = (inst: Instance | undefined, w: GetWorkload, f: (s: Sample) => string): string => {
    const s = summary(inst, w);
    return s ? f(s) : `n/a${inst?.na ? ` (${inst.na})` : ''}`;
  };
  const fmtR = (r: number | undefined): string => (r === undefined ? 'n/a' : r.toFixed(2));
  const rows: string[] = [];
  for (const w of WORKLOADS) {
    const refTls = summary(find(memcached, 'tls'), w);
    for (const spec of [memcached, ours, oursL2Off]) {
      if (!spec) continue;
      const plain = find(spec, 'plain');
      const secure = find(spec, 'tls');
      const p = summary(plain, w);
      const t = summary(secure, w);
      rows.push(
        `| ${w.name} | ${spec.name} | ${cell(plain, w, (s) => fmtInt(s.opsPerSec))} | ${cell(secure, w, (s) => fmtInt(s.opsPerSec))} | ${fmtR(ratio(t?.opsPerSec, p?.opsPerSec))} | ${fmtR(ratio(t?.opsPerSec, refTls?.opsPerSec))} | ${p ? p.cpuPerOpUs.toFixed(2) : 'n/a'} / ${t ? t.cpuPerOpUs.toFixed(2) : 'n/a'} | ${p ? Math.round(p.serverCpuPct) : 'n/a'} / ${t ? Math.round(t.serverCpuPct) : 'n/a'} | ${p ? Math.round(p.loadgenCpuPct) : 'n/a'} / ${t ? Math.round(t.loadgenCpuPct) : 'n/a'} |`,
      );
    }
  }
  const figures: Figure[] = [];
  for (const [config, spec] of [
    ['default', ours],
    ['l2-off', oursL2Off],
  ] as [Config, ServerSpec | undefined][]) {
    for (const w of WORKLOADS) {
      figures.push({ config, name: `tls-${w.name}`, value: ratio(summary(find(spec, 'tls'), w)?.opsPerSec, summary(find(memcached, 'tls'), w)?.opsPerSec) });
    }
    const last = WORKLOADS[WORKLOADS.length - 1]!;
    figures.push({
      config,
      name: `tls-${last.name}-cpu/op`,
      value: ratio(summary(find(spec, 'tls'), last)?.cpuPerOpUs, summary(find(memcached, 'tls'), last)?.cpuPerOpUs),
      unit: 'x',
    });
  }
  const negotiated = [...new Set(instances.filter((i) => i.protocol).map((i) => i.protocol))].join(', ') || 'none';
  const markdown = [
    heading,
    '',
    '| workload | server | plain gets/s | TLS gets/s | TLS / plain | TLS / memcached -Z | server CPU µs/get (plain / TLS) | server CPU % | loadgen CPU % |',
    '|---|---|---|---|---|---|---|---|---|',
    ...rows,
    '',
    `Each server runs twice, plain and with \`-Z -o ssl_chain_cert=…,ssl_key=…\` (self-signed P-256 certificate); negotiated: ${negotiated}. ` +
      "One load generator (bench/lib/tlsget.c, OpenSSL) for both transports; every reply is checked byte for byte, and the gets it counted equal each server's `cmd_get`. " +
      `Medians of ${ctx.args.rounds} round(s) × ${ctx.args.seconds} s.`,
    ...notes.map((n) => `Note: ${n}`),
  ].join('\n');
  return { markdown, figures };
}

export const tls: Scenario = {
  name: 'tls',
  description: 'gets over TLS (-Z) next to plain TCP against memcached -Z and ours, one C client (tlsget) for both transports',
  run,
};
