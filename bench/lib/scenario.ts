/**
 * What a benchmark scenario is: one module exporting a Scenario, listed once
 * in bench/scenarios/index.ts. bench/run.ts gives each the same context and
 * prints what each returns, so adding a row of the report touches no other
 * scenario.
 */
import type { RunningServer, ServerSpec } from './servers.js';

/** Options of one `npm run bench` run. */
export interface BenchArgs {
  /** Short smoke run: one round of ~1 s, small key sets and item counts. */
  readonly quick: boolean;
  readonly rounds: number;
  readonly seconds: number;
  /** Scenario names (or scenario-specific row names) to run; empty = all. */
  readonly only: readonly string[];
  /** Add the floor server (bench/floor-server.ts) as a column where it applies. */
  readonly floor: boolean;
}

/** The servers compared, by role. Undefined when not available (reported as a note). */
export interface Columns {
  /** memcached -t 1: the reference of every ratio. */
  readonly memcached?: ServerSpec;
  /** Our server as a user runs it: config/default.toml (L2 on, write-through), a fresh data dir. */
  readonly ours?: ServerSpec;
  /** Our server with `--l2 off`. */
  readonly oursL2Off?: ServerSpec;
  /** Node's floor (only with --floor). */
  readonly floor?: ServerSpec;
}

export interface BenchContext {
  readonly args: BenchArgs;
  /** Repository root (holds dist/). */
  readonly root: string;
  /** Removed at the end of the run: memcaslap configs, L2 data dirs. */
  readonly scratchDir: string;
  /** dist/bench/mcload, undefined without a C compiler. */
  readonly mcload: string | undefined;
  readonly columns: Columns;
  /** The available columns in report order: memcached, ours, ours --l2 off[, floor]. */
  readonly specs: readonly ServerSpec[];
  /** Starts a server; every server still running is stopped when the run ends. */
  start(spec: ServerSpec): Promise<RunningServer>;
  stop(server: RunningServer): Promise<void>;
  /** Progress to stderr (stdout is the report). */
  log(line: string): void;
}

/** Which configuration of ours a summary figure belongs to. */
export type Config = 'default' | 'l2-off';

/** One figure of the summary lines: a ratio to memcached, or an absolute value with its unit. */
export interface Figure {
  readonly config: Config;
  readonly name: string;
  readonly value: number | undefined;
  /** Appended to the value: 'x' for ratios where lower is better, ' MiB', ' ms'... */
  readonly unit?: string;
  /** Digits after the point (default 2). */
  readonly digits?: number;
}

export interface ScenarioReport {
  /** Markdown for docs/benchmarks.md: a `###` heading, a table, a line or two on how to read it. */
  readonly markdown: string;
  /** Figures for the summary lines, in the order they should print. */
  readonly figures?: readonly Figure[];
}

export interface Scenario {
  /** For --only. */
  readonly name: string;
  /** One line for --list. */
  readonly description: string;
  /** Names of its rows that --only may name alone (the scenario then runs just those). */
  readonly parts?: readonly string[];
  run(ctx: BenchContext): Promise<ScenarioReport>;
}

/** First line of an error, short enough for a table cell. */
export function shortReason(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split('\n')[0]!.slice(0, 60).replace(/\|/g, '/');
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
