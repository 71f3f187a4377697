#!/usr/bin/env node
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseCli, USAGE } from './cli-args.js';
import { loadSettings } from './config.js';
import { createLogging } from './logging.js';
import { RatMemcachedServer } from './server.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

function packageVersion(): string {
  return (JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string }).version;
}

async function main(argv: string[]): Promise<number> {
  let request;
  try {
    request = parseCli(argv);
  } catch (err) {
    process.stderr.write(`rat-memcached: ${(err as Error).message}\n${USAGE}\n`);
    return 64;
  }
  if (request.help) {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  if (request.version) {
    process.stdout.write(`rat-memcached ${packageVersion()}\n`);
    return 0;
  }
  if (request.daemon) return daemonize(argv);

  const defaults = path.join(root, 'config', 'default.toml');
  let settings;
  try {
    settings = loadSettings([...(existsSync(defaults) ? [defaults] : []), ...request.configFiles], request.overrides);
  } catch (err) {
    process.stderr.write(`rat-memcached: ${(err as Error).message}\n`);
    return 78;
  }
  const logging = createLogging(settings.logging);
  const { logger } = logging;
  let server: RatMemcachedServer;
  const pidFile = settings.server.pid_file;
  let exiting = false;
  const shutdown = async (reason: string) => {
    if (exiting) return;
    exiting = true;
    if (settings.logging.enable_audit_logs) logger.info({ audit: 'shutdown', reason }, 'shutting down');
    await server.stop();
    if (pidFile) rmQuiet(pidFile);
    logging.flush();
    process.exit(0);
  };
  try {
    server = new RatMemcachedServer(settings, logger, () => void shutdown('shutdown command'));
    await server.start();
  } catch (err) {
    process.stderr.write(`rat-memcached: ${(err as Error).message}\n`);
    logging.flush();
    return 1;
  }
  if (pidFile) writeFileSync(pidFile, `${process.pid}\n`);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGBREAK', 'SIGHUP'] as const) {
    // SIGBREAK is Ctrl+Break on Windows; listening for it is harmless elsewhere.
    process.on(sig, () => void shutdown(sig));
  }
  return -1; // keep running
}

/** Re-runs the same command detached, without -d, and returns at once (memcached -d). */
function daemonize(argv: string[]): number {
  const args = argv.filter((a) => a !== '-d' && a !== '--daemon');
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url), ...args], { detached: true, stdio: 'ignore', windowsHide: true });
  child.unref();
  return 0;
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
    if (code >= 0) process.exit(code);
  },
  (err: unknown) => {
    process.stderr.write(`rat-memcached: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  },
);
