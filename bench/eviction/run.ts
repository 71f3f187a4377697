/**
 * Hit-ratio benchmark of the L1 eviction policies against Belady's MIN.
 *
 *   node dist/bench/eviction/run.js           # full run (1M keys, 2M requests per trace)
 *   node dist/bench/eviction/run.js --quick   # smoke test, a few seconds
 *   ... --policies=lru,s3fifo --traces=shifting  # subsets while tuning
 *
 * Prints a markdown table (hit ratio % and gap to MIN in points) to stdout
 * and progress to stderr. Everything is seeded, so the table is reproducible.
 */
import { evictionPolicies } from '../../src/adapters/eviction/policy-registry.js';
import { candidatePolicies } from './candidates/index.js';
import { beladyEqual, beladySize, nextUses } from './belady.js';
import { KeyNames, simulate } from './simulate.js';
import type { Trace, TraceShape } from './traces.js';
import { keySpaceBytes, mixedSizeTrace, scanTrace, shiftingTrace, zipfTrace } from './traces.js';

const quick = process.argv.includes('--quick');
const shape: TraceShape = quick ? { keySpace: 10_000, requests: 60_000, seed: 42 } : { keySpace: 1_000_000, requests: 2_000_000, seed: 42 };
const cacheFractions = [0.001, 0.01, 0.1];
const option = (name: string): string[] | undefined =>
  process.argv
    .find((a) => a.startsWith(`--${name}=`))
    ?.slice(name.length + 3)
    .split(',');
/** Registered policies, then benchmark-only candidates (marked * in the table). */
const contenders = { ...evictionPolicies, ...candidatePolicies };
const policyNames = option('policies') ?? Object.keys(contenders);
const label = (name: string): string => (name in evictionPolicies ? name : `${name}*`);
const traceFilter = option('traces');

const traceMakers: Array<() => Trace> = [
  () => zipfTrace(0.7, shape),
  () => zipfTrace(0.9, shape),
  () => zipfTrace(1.1, shape),
  () => scanTrace(shape),
  () => shiftingTrace(shape),
  () => mixedSizeTrace(shape),
];

interface Row {
  trace: string;
  fraction: number;
  min: number;
  hit: Record<string, number>;
}

const pct = (x: number): string => (100 * x).toFixed(2);
const started = Date.now();
const names = new KeyNames();
const rows: Row[] = [];

for (const make of traceMakers) {
  const trace = make();
  if (traceFilter && !traceFilter.some((f) => trace.name.includes(f))) continue;
  const next = nextUses(trace);
  const totalBytes = keySpaceBytes(trace);
  for (const fraction of cacheFractions) {
    const capacity = Math.floor(totalBytes * fraction);
    const t0 = Date.now();
    const min = trace.mixedSizes ? beladySize(trace, capacity, next, shape.seed) : beladyEqual(trace, capacity, next);
    const hit: Record<string, number> = {};
    for (const name of policyNames) hit[name] = simulate(trace, contenders[name]!, capacity, names);
    rows.push({ trace: trace.name, fraction, min, hit });
    process.stderr.write(`${trace.name} @ ${fraction * 100}%: ${Date.now() - t0} ms\n`);
  }
}

const header = ['trace', 'cache', 'MIN', ...policyNames.map(label)];
const lines: string[] = [];
lines.push(`| ${header.join(' | ')} |`);
lines.push(`| ${header.map((_, i) => (i < 2 ? '---' : '---:')).join(' | ')} |`);
for (const r of rows) {
  const cells = policyNames.map((n) => `${pct(r.hit[n]!)} (${pct(r.hit[n]! - r.min)})`);
  lines.push(`| ${r.trace} | ${r.fraction * 100}% | ${pct(r.min)} | ${cells.join(' | ')} |`);
}
const avg = (f: (r: Row) => number): number => rows.reduce((s, r) => s + f(r), 0) / rows.length;
const averages = policyNames.map((n) => ({ name: n, hit: avg((r) => r.hit[n]!), gap: avg((r) => r.hit[n]! - r.min) }));
lines.push(`| **average** | | **${pct(avg((r) => r.min))}** | ${averages.map((a) => `**${pct(a.hit)}** (${pct(a.gap)})`).join(' | ')} |`);
const registered = averages.filter((a) => a.name in evictionPolicies);
const best = (registered.length > 0 ? registered : averages).reduce((a, b) => (b.hit > a.hit ? b : a));

console.log(
  `Hit ratio % (gap to MIN in points) — ${shape.keySpace.toLocaleString('en-US')} keys, ` +
    `${shape.requests.toLocaleString('en-US')} requests per trace, seed ${shape.seed}${quick ? ' (quick)' : ''}\n`,
);
console.log(lines.join('\n'));
if (registered.length < averages.length) console.log('\n\\* benchmark-only candidate, not in the policy registry.');
console.log(`\nBest average hit ratio (registered policies): ${best.name} (${pct(best.hit)}%). Total time ${((Date.now() - started) / 1000).toFixed(1)} s.`);
const beaten = rows.flatMap((r) => (r.trace.includes('mixed') ? [] : policyNames.filter((n) => r.hit[n]! > r.min + 1e-12).map((n) => `${n} on ${r.trace}`)));
if (beaten.length > 0) console.log(`WARNING: exact MIN beaten (a bug): ${beaten.join(', ')}`);
