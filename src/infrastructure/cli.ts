#!/usr/bin/env node
import { existsSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseCli, USAGE } from './cli-args.js';
import { CONFIG_ERROR_EXIT, ConfigError, loadSettings, unknownEnvironment } from './config.js';
import { daemonize, reportFailure, reportReady, reportsSent, watchParent } from './daemon.js';
import { IdleHeapTrim } from './idle-heap-trim.js';
import { createLogging } from './logging.js';
import { planUserSwitch, switchUser } from './privileges.js';
import { RatMemcachedServer } from './server.js';

/**
 * Exit statuses: 0 clean stop; 64 any configuration error (flag, file,
 * environment variable; memcached's EX_USAGE for a bad setting); 71 the
 * server could not start (listen, data dir, pid file, user switch:
 * memcached's EX_OSERR when it cannot listen).
 */
const START_FAILURE_EXIT = 71;

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

function packageVersion(): string {
  return (JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string }).version;
}

function fail(message: string, code: number): number {
  const line = message.split('\n')[0]!;
  process.stderr.write(`rat-memcached: ${line}\n`);
  reportFailure(line, code);
  return code;
}

async function main(argv: string[]): Promise<number> {
  let request;
  try {
    request = parseCli(argv);
  } catch (err) {
    return fail(`${(err as Error).message} (rat-memcached --help lists the options)`, CONFIG_ERROR_EXIT);
  }
  if (request.help) {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  if (request.version) {
    process.stdout.write(`rat-memcached ${packageVersion()}\n`);
    return 0;
  }

  const defaults = path.join(root, 'config', 'default.toml');
  const configFiles = [...(existsSync(defaults) ? [defaults] : []), ...request.configFiles];
  const problems = unknownEnvironment();
  let settings;
  try {
    settings = loadSettings(configFiles, request.overrides, { server: true });
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    problems.push(...err.problems);
  }
  const plan = settings?.server.user ? planUserSwitch(settings.server.user) : {};
  if (plan.error) problems.push(`server.user: ${plan.error}`);
  if (problems.length > 0 || !settings) return fail(new ConfigError(problems).message, CONFIG_ERROR_EXIT);

  let logging;
  try {
    logging = createLogging(settings.logging);
  } catch (err) {
    return fail(`invalid configuration: logging.file: ${(err as Error).message}`, CONFIG_ERROR_EXIT);
  }
  // Everything a user can get wrong is checked above, in the foreground, before -d detaches.
  if (request.daemon && !process.send) return daemonize(argv);

  const { logger } = logging;
  const pidFile = settings.server.pid_file;
  const startedAt = Date.now();
  let server: RatMemcachedServer | undefined;
  let listening = false;
  let stopReason: string | undefined;
  let exiting = false;
  const shutdown = async (reason: string) => {
    stopReason ??= reason;
    // A signal during start-up is honoured once the lifecycles have all started (or failed).
    if (exiting || !listening) return;
    exiting = true;
    await server?.stop();
    if (pidFile) rmQuiet(pidFile);
    logger.info({ reason: stopReason, uptimeSeconds: Math.round((Date.now() - startedAt) / 1000) }, 'rat-memcached stopped');
    logging.flush();
    process.exit(0);
  };
  try {
    // Before listening, as memcached does: a bad path is reported, not a server left running without it.
    if (pidFile) writeFileSync(pidFile, `${process.pid}\n`);
  } catch (err) {
    return fail(`cannot write pid file ${pidFile}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, START_FAILURE_EXIT);
  }
  try {
    // Before the data dir is opened and the port bound, so that both belong to the unprivileged user.
    if (plan.switchTo) switchUser(plan.switchTo);
    server = new RatMemcachedServer(settings, logger, () => void shutdown('shutdown command'), { version: packageVersion(), configFiles });
    // Handlers before start(): the start line is visible to a supervisor before start() returns.
    for (const sig of ['SIGINT', 'SIGTERM', 'SIGBREAK', 'SIGHUP'] as const) {
      // SIGBREAK is Ctrl+Break on Windows; listening for it is harmless elsewhere.
      process.on(sig, () => void shutdown(sig));
    }
    await server.start();
  } catch (err) {
    await server?.stop().catch(() => undefined);
    if (pidFile) rmQuiet(pidFile);
    logging.flush();
    return fail((err as Error).message, START_FAILURE_EXIT);
  }
  listening = true;
  // The server process's heap only: the library leaves its host's heap alone.
  new IdleHeapTrim().start();
  if (stopReason !== undefined) void shutdown(stopReason);
  if (process.env.npm_lifecycle_event !== undefined && !request.daemon) watchParent(() => void shutdown('npm exited'));
  logging.flush(); // the start line now, even with enable_async
  reportReady();
  return -1; // keep running
}

function rmQuiet(file: string): void {
  try {
    unlinkSync(file);
  } catch {
    // already gone
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) void reportsSent().then(() => process.exit(code));
  },
  (err: unknown) => {
    process.stderr.write(`rat-memcached: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  },
);
