import { spawn } from 'node:child_process';

/** How long `-d` waits for the background server to report it listens (L2 open and warm-up included). */
const READY_TIMEOUT_MS = 5 * 60_000;

type Report = { ready: true } | { error: string; code: number };

/**
 * memcached -d: re-runs the same command detached (its own session, no
 * terminal, no stdio), waits until it listens or fails, and exits with its
 * outcome: 0 once it serves, its exit status and message if it could not
 * start. The child tells over an IPC channel, so no shell or pipe is needed.
 */
export function daemonize(argv: string[]): Promise<number> {
  const child = spawn(process.execPath, [...process.execArgv, process.argv[1]!, ...argv], {
    detached: true,
    stdio: ['ignore', 'ignore', 'ignore', 'ipc'],
    windowsHide: true,
  });
  return new Promise((resolve) => {
    const done = (code: number, message?: string) => {
      clearTimeout(timer);
      if (message) process.stderr.write(`rat-memcached: ${message}\n`);
      child.removeAllListeners();
      if (child.connected) child.disconnect();
      child.unref();
      resolve(code);
    };
    const timer = setTimeout(() => done(1, `the daemon did not report ready within ${READY_TIMEOUT_MS / 1000} s (pid ${child.pid})`), READY_TIMEOUT_MS);
    child.on('message', (m: Report) => {
      if ('ready' in m) done(0);
      else done(m.code, `daemon failed to start: ${m.error}`);
    });
    child.on('error', (err) => done(1, `cannot start the daemon: ${err.message}`));
    child.on('exit', (code, signal) => done(code || 1, `daemon exited before it was ready (${signal ?? `status ${code}`})`));
  });
}

/** In the daemon child: the server listens; the parent may exit 0. */
export function reportReady(): void {
  if (!process.send) return;
  process.send({ ready: true } satisfies Report, () => process.disconnect());
}

let sent: Promise<void> = Promise.resolve();

/** In the daemon child: why start-up failed (the parent prints it, the child's stderr is gone). */
export function reportFailure(error: string, code: number): void {
  if (!process.send) return;
  sent = new Promise((resolve) => process.send!({ error, code } satisfies Report, () => resolve()));
}

/** Resolves once a failure report has left (exiting sooner could drop it). */
export function reportsSent(): Promise<void> {
  return sent;
}

/** Read at load: by the time the server listens, its parent may already be gone. */
const parentAtStart = process.ppid;

/**
 * Calls `onOrphaned` once the parent process is gone. `npm start` runs the
 * server under `sh -c`, and dash neither execs the command nor passes
 * SIGTERM on: npm's signal kills the shell and would leave the server
 * running, holding the data dir's lock. The server follows its parent instead.
 */
export function watchParent(onOrphaned: () => void, intervalMs = 250): void {
  const timer = setInterval(() => {
    if (process.ppid === parentAtStart) return;
    clearInterval(timer);
    onOrphaned();
  }, intervalMs);
  timer.unref();
}
