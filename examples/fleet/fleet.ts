// A fleet on one host: rat-memcached instances behind twemproxy (nutcracker), started from Node
// alone (no POSIX shell), used by start-fleet.ts and by test/integration/fleet.test.ts.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
/** dist/examples/fleet -> dist/src/infrastructure/cli.js */
export const SERVER_CLI = path.resolve(here, '..', '..', 'src', 'infrastructure', 'cli.js');
/** The committed configuration (examples/fleet/nutcracker.yml), next to the sources. */
export const FLEET_CONFIG = path.resolve(here, '..', '..', '..', 'examples', 'fleet', 'nutcracker.yml');

const START_MS = 20_000;

/** One `servers:` entry of a nutcracker pool: `- host:port:weight name`. */
export interface PoolServer {
  host: string;
  port: number;
  weight: number;
  name: string;
}

export interface PoolConfig {
  listen: { host: string; port: number };
  servers: PoolServer[];
}

/** Reads the listen address and the servers of the (single) pool in a nutcracker.yml. */
export function readPoolConfig(yml: string): PoolConfig {
  const listen = /^\s+listen:\s*([\d.]+):(\d+)\s*$/m.exec(yml);
  if (!listen) throw new Error('nutcracker config: no "listen: HOST:PORT" line');
  const servers = [...yml.matchAll(/^\s+-\s*([\d.]+):(\d+):(\d+)\s+(\S+)\s*$/gm)].map((m) => ({
    host: m[1]!,
    port: Number(m[2]),
    weight: Number(m[3]),
    name: m[4]!,
  }));
  if (servers.length === 0) throw new Error('nutcracker config: no "- HOST:PORT:WEIGHT NAME" server lines');
  return { listen: { host: listen[1]!, port: Number(listen[2]) }, servers };
}

/**
 * The same configuration with other ports: the proxy's, then each server's
 * in order. Servers are named, so ketama places keys by name and the
 * distribution does not change with the ports.
 */
export function withPorts(yml: string, listenPort: number, serverPorts: number[]): string {
  let i = 0;
  return yml
    .replace(/^(\s+listen:\s*[\d.]+:)\d+/m, `$1${listenPort}`)
    .replace(/^(\s+-\s*[\d.]+:)\d+(:\d+\s+\S+)/gm, (_all, head: string, tail: string) => `${head}${serverPorts[i++]}${tail}`);
}

/** A port free on 127.0.0.1 right now (for a process that needs a fixed port). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

/** Resolves once host:port accepts a connection. */
export async function waitForPort(host: string, port: number, ms = START_MS): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect({ host, port }, () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on ${host}:${port} after ${ms} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The nutcracker binary: on PATH, or Debian's /usr/sbin (not on a non-root PATH). */
export function findNutcracker(): string {
  for (const candidate of ['nutcracker', '/usr/sbin/nutcracker']) {
    if (spawnSync(candidate, ['-V'], { stdio: 'ignore' }).error === undefined) return candidate;
  }
  throw new Error('nutcracker is not installed (Debian package nutcracker; .ci/run installs it)');
}

/** One rat-memcached process of the fleet; restartable on the same port and data directory. */
export class FleetInstance {
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();

  constructor(
    readonly name: string,
    readonly host: string,
    readonly port: number,
    readonly dataDir: string,
    private readonly extraArgs: string[] = [],
  ) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Starts the server with the disk tier on and resolves once it listens. */
  async start(): Promise<void> {
    if (this.running) throw new Error(`${this.name} is already running (pid ${this.pid})`);
    const args = [SERVER_CLI, '-l', this.host, '-p', String(this.port), '--l2', 'on', '--data-dir', this.dataDir, ...this.extraArgs];
    const child = spawn(process.execPath, args, {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, RAT_LOGGING_ENABLE_LOGGING: 'true', RAT_LOGGING_LEVEL: 'info' },
    });
    this.child = child;
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    await new Promise<void>((resolve, reject) => {
      let seen = '';
      const timer = setTimeout(() => reject(new Error(`${this.name} did not listen within ${START_MS} ms: ${seen.slice(-2000)}`)), START_MS);
      const onData = (d: Buffer): void => {
        seen += d.toString();
        if (/rat-memcached listening/.test(seen)) {
          clearTimeout(timer);
          child.stderr!.off('data', onData);
          child.stderr!.resume(); // keep draining its log
          resolve();
        }
      };
      child.stderr!.on('data', onData);
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`${this.name} exited before listening (code ${code}, signal ${signal}): ${seen.slice(-2000)}`));
      });
    });
  }

  /** Sends `signal` (SIGKILL: a crash) and waits for the process to be gone. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    if (!this.running) return;
    this.child!.kill(signal);
    await this.exited;
  }

  /** Graceful stop (SIGTERM: the server flushes its disk tier). */
  stop(): Promise<void> {
    return this.kill('SIGTERM');
  }
}

export interface FleetOptions {
  /** nutcracker.yml text; its ports are used unless `freePorts` is set. */
  config?: string;
  /** Where data directories, the rendered config and nutcracker's log go. */
  workDir: string;
  /** Pick free loopback ports instead of the ones in the config (tests). */
  freePorts?: boolean;
  /** Only the first N servers of the config (throughput comparisons). */
  instances?: number;
  /** More rat-memcached flags for every instance, e.g. ['-m', '256']. */
  serverArgs?: string[];
}

/** A running fleet: instances plus the proxy in front of them. */
export class Fleet {
  private constructor(
    readonly instances: FleetInstance[],
    readonly proxy: { host: string; port: number },
    private readonly nutcracker: ChildProcess,
    readonly logFile: string,
  ) {}

  /** Starts every instance, then nutcracker, and resolves once the proxy accepts connections. */
  static async start(options: FleetOptions): Promise<Fleet> {
    const nutcracker = findNutcracker();
    let yml = options.config ?? readFileSync(FLEET_CONFIG, 'utf8');
    let pool = readPoolConfig(yml);
    if (options.instances !== undefined) {
      // Drop the servers past N from the text itself, so nutcracker sees exactly the instances started.
      const dropped = new Set(pool.servers.slice(options.instances).map((s) => s.name));
      yml = yml
        .split('\n')
        .filter((line) => !dropped.has(/^\s+-\s*[\d.]+:\d+:\d+\s+(\S+)\s*$/.exec(line)?.[1] ?? ''))
        .join('\n');
      pool = readPoolConfig(yml);
    }
    if (options.freePorts) {
      const listen = await freePort();
      const ports: number[] = [];
      for (let i = 0; i < pool.servers.length; i++) ports.push(await freePort());
      yml = withPorts(yml, listen, ports);
      pool = readPoolConfig(yml);
    }
    mkdirSync(options.workDir, { recursive: true });
    const instances = pool.servers.map((s) => new FleetInstance(s.name, s.host, s.port, path.join(options.workDir, s.name), options.serverArgs));
    const started: FleetInstance[] = [];
    try {
      for (const i of instances) {
        await i.start();
        started.push(i);
      }
    } catch (err) {
      for (const i of started) await i.stop();
      throw err;
    }
    const confFile = path.join(options.workDir, 'nutcracker.yml');
    writeFileSync(confFile, yml);
    const logFile = path.join(options.workDir, 'nutcracker.log');
    const statsPort = await freePort();
    const child = spawn(
      nutcracker,
      ['-c', confFile, '-o', logFile, '-s', String(statsPort), '-a', '127.0.0.1', '-p', path.join(options.workDir, 'nutcracker.pid'), '-v', '5'],
      { stdio: 'ignore' },
    );
    const fleet = new Fleet(instances, pool.listen, child, logFile);
    try {
      await Promise.race([
        waitForPort(pool.listen.host, pool.listen.port),
        new Promise((_, reject) => child.once('exit', (code) => reject(new Error(`nutcracker exited (code ${code}); see ${logFile}: ${tail(logFile)}`)))),
      ]);
    } catch (err) {
      await fleet.stop();
      throw err;
    }
    return fleet;
  }

  instance(name: string): FleetInstance {
    const i = this.instances.find((x) => x.name === name);
    if (!i) throw new Error(`no instance ${name}`);
    return i;
  }

  /** Stops the proxy, then every instance gracefully. */
  async stop(): Promise<void> {
    if (this.nutcracker.exitCode === null && this.nutcracker.signalCode === null) {
      const gone = new Promise((r) => this.nutcracker.once('exit', r));
      this.nutcracker.kill('SIGTERM');
      await gone;
    }
    for (const i of this.instances) await i.stop();
  }
}

function tail(file: string): string {
  return existsSync(file) ? readFileSync(file, 'utf8').slice(-1000) : '(no log)';
}
