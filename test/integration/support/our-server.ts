import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { startChildServer } from './child-server.js';
import { freePort } from '../../support/free-port.js';
import { startLocalMemcached } from './local-memcached.js';
import type { RunningServer } from './running-server.js';

/** Repository root: this file runs as dist/test/integration/support/our-server.js. */
const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');

/**
 * The one place that says how rat-memcache is started for the integration
 * suite: the built CLI with memcached-style flags on a loopback port.
 * Memory only (`--l2 off`): `stats` must list exactly memcached's fields,
 * and test/e2e/tiering.test.ts shows the disk tier changes no reply.
 */
export function ourServerCommand(port: number): { command: string; args: string[] } {
  return {
    command: process.execPath,
    args: [path.join(REPO_ROOT, 'dist/src/infrastructure/cli.js'), '-l', '127.0.0.1', '-p', String(port), '--l2', 'off'],
  };
}

/**
 * Starts the server under test. RATTEST_TARGET=memcached starts a second local
 * memcached instead, which validates the harness itself: two memcacheds must
 * never differ.
 */
export async function startTargetServer(): Promise<RunningServer> {
  const port = await freePort();
  if (process.env['RATTEST_TARGET'] === 'memcached') {
    return startLocalMemcached(port, 'target (RATTEST_TARGET=memcached)');
  }
  const { command, args } = ourServerCommand(port);
  return startChildServer({ description: 'target: rat-memcache', command, args, port, cwd: REPO_ROOT });
}
