import { spawn, type ChildProcess } from 'node:child_process';

import { serverEnvironment } from '../../support/child-server.js';
import type { RunningServer } from './running-server.js';
import { waitUntilServing } from './wait-until-serving.js';

/** How to start a server as a child process. */
export interface ChildServerSpec {
  readonly description: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly port: number;
  readonly cwd?: string;
  readonly startTimeoutMs?: number;
}

const STDERR_TAIL_BYTES = 4096;

/**
 * Spawns a server process listening on 127.0.0.1, waits until it answers
 * `version`, and returns a handle whose stop() kills exactly that process.
 */
export async function startChildServer(spec: ChildServerSpec): Promise<RunningServer> {
  const child = spawn(spec.command, [...spec.args], {
    cwd: spec.cwd,
    stdio: ['ignore', 'ignore', 'pipe'],
    // Only the RAT_* variables the server reads pass through: it refuses the ones it does not know.
    env: serverEnvironment(),
  });
  let stderrTail = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    stderrTail = (stderrTail + chunk).slice(-STDERR_TAIL_BYTES);
  });
  let spawnError: Error | undefined;
  child.once('error', (error) => {
    spawnError = error;
  });

  const gone = (): string | undefined => {
    if (spawnError) return `could not be started: ${spawnError.message}`;
    if (child.exitCode !== null || child.signalCode !== null) {
      return `exited (${child.exitCode ?? child.signalCode}) before serving: ${stderrTail.trim() || 'no stderr'}`;
    }
    return undefined;
  };

  try {
    await waitUntilServing('127.0.0.1', spec.port, spec.startTimeoutMs ?? 15_000, gone);
  } catch (error) {
    await killChild(child);
    throw error;
  }

  let stopped: Promise<void> | undefined;
  return {
    description: `${spec.description} (pid ${child.pid}, port ${spec.port})`,
    host: '127.0.0.1',
    port: spec.port,
    stop: () => (stopped ??= killChild(child)),
  };
}

async function killChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
  await exited;
  clearTimeout(timer);
}
