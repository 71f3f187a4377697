import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { environmentKeys } from '../../src/infrastructure/config.js';
import { TcpClient } from './tcp-client.js';

/** What childServerScope gives a describe block. */
export interface ChildServerScope {
  /** A path under the block's scratch directory. */
  dir(name: string): string;
  /** Starts a server that is killed after the block's tests. */
  start(args: string[], env?: Record<string, string>): Promise<ChildServer>;
}

/**
 * For a mocha describe block: a scratch directory made before its tests and
 * removed after them, and the servers started through it killed first.
 */
export function childServerScope(prefix: string): ChildServerScope {
  const servers: ChildServer[] = [];
  let root = '';
  before(() => {
    root = mkdtempSync(path.join(tmpdir(), prefix));
  });
  after(async () => {
    for (const s of servers) await s.kill();
    rmSync(root, { recursive: true, force: true });
  });
  return {
    dir: (name) => path.join(root, name),
    start: async (args, env = {}) => {
      const s = await ChildServer.start({ args, env });
      servers.push(s);
      return s;
    },
  };
}

/** The built CLI: dist/test/support -> dist/src/infrastructure/cli.js. */
export const CLI_PATH = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'src', 'infrastructure', 'cli.js');

/**
 * The test's environment minus RAT_ variables no configuration key reads: the
 * server refuses them (the suite's own knobs are RATTEST_*, see docs/integration-tests.md).
 */
export function serverEnvironment(): NodeJS.ProcessEnv {
  const known = environmentKeys();
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('RAT_') || known.has(k)));
}

/** Bound on start-up and on a graceful stop, so a broken server fails a test instead of hanging it. */
const START_MS = 20_000;
const STOP_MS = 20_000;

export interface ChildServerOptions {
  /** CLI arguments after `-l 127.0.0.1 -p 0`. */
  args?: string[];
  /** Extra environment variables (RAT_<SECTION>_<KEY>...). */
  env?: Record<string, string>;
}

/** How the child ended. */
export interface ChildExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/**
 * The real CLI (`dist/src/infrastructure/cli.js`) running as a child process
 * on an ephemeral port of 127.0.0.1, with the clients opened on it.
 */
export class ChildServer {
  private readonly clients: TcpClient[] = [];
  private stderrText = '';
  private readonly exited: Promise<ChildExit>;
  private exitInfo: ChildExit | undefined;

  private constructor(
    readonly child: ChildProcess,
    readonly port: number,
    stderrSoFar: string,
    exited: Promise<ChildExit>,
  ) {
    this.stderrText = stderrSoFar;
    child.stderr!.on('data', (d: Buffer) => {
      // Keep the tail only: enough to explain a failure, bounded in memory.
      this.stderrText = (this.stderrText + d.toString()).slice(-20_000);
    });
    this.exited = exited.then((e) => (this.exitInfo = e));
  }

  /** Spawns the CLI and resolves once it logged the port it listens on. */
  static async start(options: ChildServerOptions = {}): Promise<ChildServer> {
    const child = spawn(process.execPath, [CLI_PATH, '-l', '127.0.0.1', '-p', '0', ...(options.args ?? [])], {
      stdio: ['ignore', 'ignore', 'pipe'],
      // The listening line is needed to learn the port; the rest of the test env is kept.
      env: { ...serverEnvironment(), RAT_LOGGING_ENABLE_LOGGING: 'true', RAT_LOGGING_LEVEL: 'info', ...options.env },
    });
    const exited = new Promise<ChildExit>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
    let seen = '';
    const port = await new Promise<number>((resolve, reject) => {
      const fail = (why: string): void => {
        clearTimeout(timer);
        child.stderr!.off('data', onData);
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
        reject(new Error(`${why}; stderr: ${seen.slice(-4000)}`));
      };
      const timer = setTimeout(() => fail(`the CLI did not listen within ${START_MS} ms`), START_MS);
      const onData = (d: Buffer): void => {
        seen += d.toString();
        const m = /"port":(\d+)[^\n]*listening|listening[^\n]*"port":(\d+)/.exec(seen);
        if (m) {
          clearTimeout(timer);
          child.stderr!.off('data', onData);
          resolve(Number(m[1] ?? m[2]));
        }
      };
      child.stderr!.on('data', onData);
      void exited.then((e) => fail(`the CLI exited before listening (code ${e.code}, signal ${e.signal})`));
    });
    return new ChildServer(child, port, seen, exited);
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** The child's log output so far (its tail), for failure messages. */
  get stderr(): string {
    return this.stderrText;
  }

  get running(): boolean {
    return this.exitInfo === undefined;
  }

  async connect(): Promise<TcpClient> {
    const c = await TcpClient.connect(this.port);
    this.clients.push(c);
    return c;
  }

  /** Resident set size of the child in bytes (Linux /proc), or undefined when unavailable. */
  rssBytes(): number | undefined {
    try {
      const status = readFileSync(`/proc/${this.pid}/status`, 'utf8');
      const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
      return m ? Number(m[1]) * 1024 : undefined;
    } catch {
      return undefined;
    }
  }

  /** Sends `signal` and waits (bounded) for the exit. A child that outlives the bound is SIGKILLed and the wait rejects. */
  async stop(signal: NodeJS.Signals = 'SIGTERM', ms = STOP_MS): Promise<ChildExit> {
    for (const c of this.clients) c.close();
    if (this.exitInfo !== undefined) return this.exitInfo;
    this.child.kill(signal);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        this.child.kill('SIGKILL');
        reject(new Error(`the CLI did not exit within ${ms} ms of ${signal}; stderr: ${this.stderrText.slice(-4000)}`));
      }, ms);
    });
    try {
      return await Promise.race([this.exited, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** For `after` hooks: SIGKILL unless already gone, never throws. */
  async kill(): Promise<void> {
    for (const c of this.clients) c.close();
    if (this.exitInfo !== undefined) return;
    this.child.kill('SIGKILL');
    await Promise.race([this.exited, new Promise((r) => setTimeout(r, 5_000))]);
  }
}

/** Total size in bytes of the regular files under `dir`. */
export function directorySize(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) total += directorySize(p);
    else if (entry.isFile()) total += statSync(p).size;
  }
  return total;
}

/** One item of a `get`/`gets` reply. */
export interface ValueReply {
  key: string;
  flags: number;
  value: Buffer;
  cas: number | undefined;
}

/**
 * Reads one retrieval reply (VALUE blocks up to END) and returns its items by
 * key. Fails on anything that is not a VALUE or END line.
 */
export async function readValues(c: TcpClient, ms = 10_000): Promise<Map<string, ValueReply>> {
  const out = new Map<string, ValueReply>();
  for (;;) {
    const line = await c.readUntil('\r\n', ms);
    if (line === 'END\r\n') return out;
    const m = /^VALUE (\S+) (\d+) (\d+)(?: (\d+))?\r\n$/.exec(line);
    if (!m) throw new Error(`unexpected retrieval line ${JSON.stringify(line.slice(0, 200))}`);
    const n = Number(m[3]);
    const data = await c.readBytes(n + 2, ms);
    if (data.length !== n + 2 || data.subarray(n).toString('latin1') !== '\r\n') {
      throw new Error(`short or unterminated data block for ${m[1]} (${data.length} of ${n + 2} bytes)`);
    }
    out.set(m[1]!, { key: m[1]!, flags: Number(m[2]), value: Buffer.from(data.subarray(0, n)), cas: m[4] === undefined ? undefined : Number(m[4]) });
  }
}

/** `get`/`gets` of `keys` in batches of `batch` keys per command, merged. */
export async function fetchAll(c: TcpClient, keys: string[], withCas = false, batch = 100): Promise<Map<string, ValueReply>> {
  const out = new Map<string, ValueReply>();
  for (let i = 0; i < keys.length; i += batch) {
    c.send(`${withCas ? 'gets' : 'get'} ${keys.slice(i, i + batch).join(' ')}\r\n`);
    for (const [k, v] of await readValues(c)) out.set(k, v);
  }
  return out;
}

/** A `set` command with its data block. */
export function setCommand(key: string, flags: number, exptime: number, value: Buffer): Buffer {
  return Buffer.concat([Buffer.from(`set ${key} ${flags} ${exptime} ${value.length}\r\n`, 'latin1'), value, Buffer.from('\r\n', 'latin1')]);
}

/**
 * Sends `commands` pipelined, at most `window` in flight (bounded by `windowBytes`
 * as well), and returns the one-line replies in order. Each command must
 * have a one-line reply (storage, delete, incr, touch...).
 */
export async function pipeline(c: TcpClient, commands: Buffer[], window = 200, windowBytes = 4 * 1024 * 1024): Promise<string[]> {
  const replies: string[] = [];
  let i = 0;
  while (i < commands.length) {
    let bytes = 0;
    const start = i;
    const chunk: Buffer[] = [];
    while (i < commands.length && i - start < window && (chunk.length === 0 || bytes + commands[i]!.length <= windowBytes)) {
      bytes += commands[i]!.length;
      chunk.push(commands[i]!);
      i++;
    }
    c.send(Buffer.concat(chunk));
    for (let j = 0; j < chunk.length; j++) {
      const line = await c.readUntil('\r\n', 15_000);
      if (!line.endsWith('\r\n')) throw new Error(`reply ${replies.length} missing (got ${JSON.stringify(line)})`);
      replies.push(line.slice(0, -2));
    }
  }
  return replies;
}

/** The `stats` reply as a map. */
export async function statsOf(c: TcpClient): Promise<Map<string, string>> {
  const text = await c.lines('stats\r\n');
  const out = new Map<string, string>();
  for (const line of text.split('\r\n')) {
    const m = /^STAT (\S+) (.*)$/.exec(line);
    if (m) out.set(m[1]!, m[2]!);
  }
  if (!text.endsWith('END\r\n')) throw new Error(`stats reply not terminated: ${text.slice(-200)}`);
  return out;
}

/**
 * Polls `stats` until the disk tier's open scan has indexed every key
 * (`l2_scan_running` 0), bounded by `ms`; returns the last reply.
 */
export async function statsWhenIndexed(c: TcpClient, ms = 60_000): Promise<Map<string, string>> {
  const deadline = Date.now() + ms;
  for (;;) {
    const s = await statsOf(c);
    if (s.get('l2_scan_running') === '0') return s;
    if (Date.now() > deadline) throw new Error(`the L2 index scan still runs after ${ms} ms (l2_scan_items ${s.get('l2_scan_items')})`);
    await sleep(50);
  }
}

/** Resolves after `ms`. */
export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Deterministic pseudo-random bytes (xorshift32), so failures reproduce.
 * `compressible` repeats a short random phrase instead.
 */
export function bytesFor(seed: number, length: number, compressible = false): Buffer {
  const out = Buffer.allocUnsafe(length);
  let x = (seed * 2654435761) >>> 0 || 1;
  const next = (): number => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
  if (compressible) {
    const phrase = Buffer.from(`item ${seed} says ${next().toString(36)} `, 'latin1');
    for (let i = 0; i < length; i++) out[i] = phrase[i % phrase.length]!;
    return out;
  }
  let i = 0;
  for (; i + 4 <= length; i += 4) out.writeUInt32LE(next(), i);
  for (; i < length; i++) out[i] = next() & 0xff;
  return out;
}
