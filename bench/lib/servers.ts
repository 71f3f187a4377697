/** Starting and stopping the servers under test, each pinned to one CPU. */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { hasCommand } from './proc.js';
import type { Columns } from './scenario.js';

/** CPU the servers run on; the load generator gets LOADGEN_CPU. */
export const SERVER_CPU = 0;
export const LOADGEN_CPU = 1;
export const HAS_TASKSET = hasCommand('taskset');

/**
 * The one place that says how our server is told to run with or without its
 * LevelDB L2. With L2 on (the default configuration), each start gets its own
 * fresh directory under scratchDir so that runs never share (or leave behind
 * in the work tree) data; nothing else is changed from config/default.toml.
 */
export function ourL2Flag(on: boolean, scratchDir: string): (port: number) => string[] {
  return (port) => (on ? ['--data-dir', path.join(scratchDir, `l2-${port}`)] : ['--l2', 'off']);
}

export interface ServerSpec {
  /** Column name in the report. */
  readonly name: string;
  /** Command and arguments for a given port. */
  readonly command: (port: number) => string[];
  /** Whether it speaks the binary protocol (false: skip binary workloads). */
  readonly binary: boolean;
  /** Whether it answers `stats` (for curr_items checks). */
  readonly stats: boolean;
  /** Open-file limit to start it with (`ulimit -n`), for scenarios that hold many connections. */
  readonly nofile?: number;
}

export interface RunningServer {
  readonly spec: ServerSpec;
  readonly port: number;
  readonly pid: number;
  readonly child: ChildProcess;
  /** Last lines of stderr/stdout, for error messages. */
  output(): string;
}

/** memcached as the reference: one worker thread, the same 1 GiB budget as ours. */
export function memcachedSpec(): ServerSpec | undefined {
  if (!existsSync('/usr/bin/memcached') && !hasCommand('memcached')) return undefined;
  return {
    name: 'memcached',
    command: (port) => ['memcached', '-t', '1', '-u', 'root', '-l', '127.0.0.1', '-p', String(port), '-m', '1024', '-U', '0'],
    binary: true,
    stats: true,
  };
}

/** The floor: the least a Node memcached can be (bench/floor-server.ts). */
export function floorSpec(root: string): ServerSpec {
  return { name: 'floor', command: (port) => [process.execPath, path.join(root, 'dist/bench/floor-server.js'), String(port)], binary: false, stats: false };
}

/** memcached, ours (default config), ours --l2 off and optionally the floor, with notes on what is missing. */
export function benchColumns(root: string, scratchDir: string, floor: boolean): { columns: Columns; notes: string[] } {
  const notes: string[] = [];
  const memcached = memcachedSpec();
  if (!memcached) notes.push('memcached not found (/usr/bin/memcached): no ratios (apt-get install memcached).');
  const ours = ourSpec(root, 'ours', ourL2Flag(true, scratchDir));
  const oursL2Off = ourSpec(root, 'ours --l2 off', ourL2Flag(false, scratchDir));
  if (!ours) notes.push(`our server is not built (${ourCli(root)} missing): run npm run build.`);
  return { columns: { memcached, ours, oursL2Off, floor: floor ? floorSpec(root) : undefined }, notes };
}

/** Columns in report order. */
export function columnSpecs(c: Columns): ServerSpec[] {
  return [c.memcached, c.ours, c.oursL2Off, c.floor].filter((s): s is ServerSpec => s !== undefined);
}

/** The same server started with more arguments (e.g. `-c 20000`). */
export function withArgs(spec: ServerSpec, extra: string[]): ServerSpec {
  return { ...spec, command: (port) => [...spec.command(port), ...extra] };
}

function ourCli(root: string): string {
  return path.join(root, 'dist/src/infrastructure/cli.js');
}

/**
 * How a build at `root` starts its server: through its launcher (bin/rat-memcached, with the
 * process-start settings users get, ADR 0023) where the build has one, else node and the entry
 * (older builds, so bench/ab.ts can compare against them).
 */
export function ourCommand(root: string): string[] {
  const launcher = path.join(root, 'bin/rat-memcached');
  return existsSync(launcher) ? [launcher] : [process.execPath, ourCli(root)];
}

/** Our server with extra CLI arguments, or undefined when it is not built. */
export function ourSpec(root: string, name: string, extra: (port: number) => string[]): ServerSpec | undefined {
  if (!existsSync(ourCli(root))) return undefined;
  const start = ourCommand(root);
  return {
    name,
    command: (port) => [...start, '-l', '127.0.0.1', '-p', String(port), '-m', '1024', ...extra(port)],
    binary: true,
    stats: true,
  };
}

/** A port that was free a moment ago on loopback. */
export async function freePort(): Promise<number> {
  return await new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

function pinned(cpu: number, argv: string[]): string[] {
  return HAS_TASKSET ? ['taskset', '-c', String(cpu), ...argv] : argv;
}

/** argv run under `ulimit -n n`, or the hard limit when n is above it (bash execs it, so the pid stays the program's). */
export function withNofile(n: number, argv: string[]): string[] {
  return ['bash', '-c', 'ulimit -n "$0" 2>/dev/null || ulimit -n "$(ulimit -Hn)" || exit 111; exec "$@"', String(n), ...argv];
}

/** Command line for the load generator, pinned to its own CPU. */
export function pinnedLoadgen(argv: string[]): string[] {
  return pinned(LOADGEN_CPU, argv);
}

async function canConnect(port: number): Promise<boolean> {
  return await new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Starts a server and waits (at most 15 s) until it accepts connections. */
export async function startServer(spec: ServerSpec): Promise<RunningServer> {
  const port = await freePort();
  const argv = spec.nofile ? withNofile(spec.nofile, spec.command(port)) : spec.command(port);
  const [cmd, ...args] = pinned(SERVER_CPU, argv);
  // taskset execs the server, so the child's pid is the server's own.
  const child = spawn(cmd!, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let tail = '';
  const keep = (data: Buffer): void => {
    tail = (tail + data.toString()).slice(-2000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let exited = false;
  child.once('exit', () => {
    exited = true;
  });
  child.once('error', (err) => {
    exited = true;
    tail += String(err);
  });
  const server: RunningServer = { spec, port, pid: child.pid ?? -1, child, output: () => tail.trim() };
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (exited) throw new Error(`${spec.name} exited at start: ${server.output() || '(no output)'}`);
    if (await canConnect(port)) return server;
    await new Promise((r) => setTimeout(r, 50));
  }
  await stopServer(server);
  throw new Error(`${spec.name} did not accept connections on port ${port} within 15 s`);
}

/** Stops a server by its pid: SIGTERM, then SIGKILL after 3 s. */
export async function stopServer(server: RunningServer): Promise<void> {
  const { child } = server;
  if (child.exitCode !== null || child.signalCode !== null) return;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
