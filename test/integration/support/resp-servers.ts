import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startChildServer } from './child-server.js';
import { freePort } from '../../support/free-port.js';
import { ourServerCommand } from './our-server.js';
import { EnvironmentError, type RunningServer } from './running-server.js';

/** Repository root: this file runs as dist/test/integration/support/resp-servers.js. */
const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');

/** Debian's redis-server (7.0.x in bookworm), the reference; override with REDIS_SERVER_BIN. */
export const REDIS_SERVER_BIN = process.env['REDIS_SERVER_BIN'] ?? '/usr/bin/redis-server';

/**
 * The Redis options the reference runs with: loopback only, no persistence,
 * one database (ours has one: SELECT 1 must fail on both sides alike).
 */
export function redisServerArgs(port: number): string[] {
  return ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--databases', '1', '--daemonize', 'no', '--logfile', ''];
}

/** Starts the reference redis-server on a free loopback port; fails in one line if it is not installed. */
export async function startReferenceRedis(): Promise<RunningServer> {
  if (!existsSync(REDIS_SERVER_BIN)) {
    throw new EnvironmentError(
      `redis-server not found at ${REDIS_SERVER_BIN}: apt-get install -y redis-server redis-tools (.ci/run does), or set REDIS_SERVER_BIN`,
    );
  }
  const port = await freePort();
  const child = spawn(REDIS_SERVER_BIN, redisServerArgs(port), { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (c: string) => (stderr = (stderr + c).slice(-4096)));
  try {
    await waitForPong(port, () => (child.exitCode !== null ? `exited (${child.exitCode}): ${stderr.trim()}` : undefined));
  } catch (error) {
    await kill(child);
    throw error;
  }
  let stopped: Promise<void> | undefined;
  return { description: `reference: ${REDIS_SERVER_BIN} (pid ${child.pid}, port ${port})`, host: '127.0.0.1', port, stop: () => (stopped ??= kill(child)) };
}

/** Starts rat-memcache (the built CLI, memory only) with its RESP listener on a free port; `port` is the RESP port. */
export async function startTargetResp(): Promise<RunningServer> {
  const [mcPort, respPort] = [await freePort(), await freePort()];
  const { command, args } = ourServerCommand(mcPort);
  const server = await startChildServer({
    description: 'target: rat-memcache',
    command,
    args: [...args, '--redis-port', String(respPort)],
    port: mcPort,
    cwd: REPO_ROOT,
  });
  try {
    await waitForPong(respPort, () => undefined);
  } catch (error) {
    await server.stop();
    throw error;
  }
  return { description: `${server.description}, RESP port ${respPort}`, host: '127.0.0.1', port: respPort, stop: () => server.stop() };
}

/** The reference redis-server and rat-memcache's RESP listener; the reference is stopped again if ours fails to start. */
export async function startRespPair(): Promise<{ reference: RunningServer; target: RunningServer }> {
  const reference = await startReferenceRedis();
  try {
    return { reference, target: await startTargetResp() };
  } catch (error) {
    await reference.stop();
    throw error;
  }
}

async function waitForPong(port: number, gone: () => string | undefined, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let problem = 'no attempt';
  while (Date.now() < deadline) {
    const why = gone();
    if (why) throw new Error(`server on port ${port} ${why}`);
    try {
      await pingOnce(port);
      return;
    } catch (error) {
      problem = (error as Error).message;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`server on port ${port} did not answer PING within ${timeoutMs} ms (${problem})`);
}

function pingOnce(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host: '127.0.0.1', port });
    let got = '';
    const done = (err?: Error): void => {
      clearTimeout(timer);
      s.destroy();
      if (err) reject(err);
      else resolve();
    };
    const timer = setTimeout(() => done(new Error('timed out')), 1000);
    s.setEncoding('latin1');
    s.once('connect', () => s.write('PING\r\n'));
    s.on('data', (d: string) => {
      got += d;
      if (got.endsWith('\r\n')) done(got === '+PONG\r\n' ? undefined : new Error(`unexpected ${JSON.stringify(got)}`));
    });
    s.once('error', (e) => done(e));
  });
}

async function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  const t = setTimeout(() => child.kill('SIGKILL'), 3000);
  await exited;
  clearTimeout(t);
}
