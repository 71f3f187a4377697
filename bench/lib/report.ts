/** Medians over rounds and the markdown tables printed at the end of a run. */

/** One timed run of one workload against one server. */
export interface Sample {
  readonly opsPerSec: number;
  readonly p50us: number;
  readonly p99us: number;
  /** Server utime+stime per operation, microseconds. */
  readonly cpuPerOpUs: number;
  /** Server CPU as a percentage of one core over the run. */
  readonly serverCpuPct: number;
  /** Load generator CPU as a percentage of one core over the run. */
  readonly loadgenCpuPct: number;
  readonly misses: number;
  readonly errors: number;
  readonly approximateLatency: boolean;
}

/** A server's outcome for one workload: samples, or the reason there are none. */
export type Outcome = { readonly samples: Sample[] } | { readonly na: string };

export interface Summary {
  readonly opsPerSec: number;
  readonly p50us: number;
  readonly p99us: number;
  readonly cpuPerOpUs: number;
  readonly serverCpuPct: number;
  readonly loadgenCpuPct: number;
  readonly misses: number;
  readonly errors: number;
  readonly approximateLatency: boolean;
  readonly rounds: number;
}

export function median(values: number[]): number {
  const v = values.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return NaN;
  const mid = Math.floor(v.length / 2);
  return v.length % 2 ? v[mid]! : (v[mid - 1]! + v[mid]!) / 2;
}

export function summarize(outcome: Outcome | undefined): Summary | undefined {
  if (!outcome || !('samples' in outcome) || outcome.samples.length === 0) return undefined;
  const s = outcome.samples;
  const m = (f: (x: Sample) => number): number => median(s.map(f));
  return {
    opsPerSec: m((x) => x.opsPerSec),
    p50us: m((x) => x.p50us),
    p99us: m((x) => x.p99us),
    cpuPerOpUs: m((x) => x.cpuPerOpUs),
    serverCpuPct: m((x) => x.serverCpuPct),
    loadgenCpuPct: m((x) => x.loadgenCpuPct),
    misses: s.reduce((a, x) => a + x.misses, 0),
    errors: s.reduce((a, x) => a + x.errors, 0),
    approximateLatency: s.some((x) => x.approximateLatency),
    rounds: s.length,
  };
}

export function ratio(a: number | undefined, b: number | undefined): number | undefined {
  return a !== undefined && b !== undefined && Number.isFinite(a) && Number.isFinite(b) && b > 0 ? a / b : undefined;
}

export function fmtRatio(r: number | undefined, suffix = ''): string {
  return r === undefined ? 'n/a' : `${r.toFixed(2)}${suffix}`;
}

/** Bytes in a MiB, for the RSS figures the scenarios print. */
export const MIB = 2 ** 20;

export function fmtInt(n: number | undefined): string {
  return n === undefined || !Number.isFinite(n) ? 'n/a' : Math.round(n).toLocaleString('en-US');
}

export function fmt1(n: number | undefined): string {
  return n === undefined || !Number.isFinite(n) ? 'n/a' : n.toFixed(1);
}

/** "a / b / c" for one metric across servers. */
function across(names: readonly string[], sums: Map<string, Summary | undefined>, f: (s: Summary) => string): string {
  return names
    .map((n) => {
      const s = sums.get(n);
      return s ? f(s) : 'n/a';
    })
    .join(' / ');
}

export interface WorkloadRow {
  readonly name: string;
  readonly outcomes: Map<string, Outcome>;
}

/**
 * One row per workload: ops/s of each server, each other server's ops/s as
 * a ratio to the first (memcached), then latency and CPU as "a / b / c".
 */
export function throughputTable(rows: readonly WorkloadRow[], names: readonly string[]): string {
  const [ref, ...others] = names;
  const head = `| workload | ${names.map((n) => `${n} ops/s`).join(' | ')} | ${others.map((n) => `${n} / ${ref}`).join(' | ')} | p50 µs (${names.join(' / ')}) | p99 µs | server CPU µs/op | server CPU % | loadgen CPU % |`;
  const lines = [head, `|${'---|'.repeat(1 + names.length + others.length + 5)}`];
  for (const row of rows) {
    const sums = new Map(names.map((n) => [n, summarize(row.outcomes.get(n))] as const));
    const approx = [...sums.values()].some((s) => s?.approximateLatency) ? '~' : '';
    const cells = names.map((n) => {
      const s = sums.get(n);
      if (s) return fmtInt(s.opsPerSec) + (s.misses > 0 || s.errors > 0 ? ` (misses ${s.misses}, errors ${s.errors})` : '');
      const out = row.outcomes.get(n);
      return out && 'na' in out ? `n/a (${out.na})` : 'n/a';
    });
    const ratios = others.map((n) => fmtRatio(ratio(sums.get(n)?.opsPerSec, sums.get(ref!)?.opsPerSec)));
    lines.push(
      `| ${row.name} | ${cells.join(' | ')} | ${ratios.join(' | ')} | ${approx}${across(names, sums, (s) => fmtInt(s.p50us))} | ${approx}${across(names, sums, (s) => fmtInt(s.p99us))} | ${across(names, sums, (s) => fmt1(s.cpuPerOpUs))} | ${across(names, sums, (s) => fmtInt(s.serverCpuPct))} | ${across(names, sums, (s) => fmtInt(s.loadgenCpuPct))} |`,
    );
  }
  return lines.join('\n');
}
