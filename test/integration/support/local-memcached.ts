import { startChildServer } from './child-server.js';
import type { RunningServer } from './running-server.js';

/** Debian's memcached; override with MEMCACHED_BIN. */
export const MEMCACHED_BIN = process.env['MEMCACHED_BIN'] ?? '/usr/bin/memcached';

/**
 * The memcached options both sides of a comparison run with: loopback only,
 * UDP off, and the LRU maintainer thread off, everything else memcached's
 * defaults (-m 64, -I 1m, -c 1024).
 *
 * Why no_lru_maintainer: with the default segmented LRU, a fetch queues an
 * asynchronous "bump" that holds a reference to the item for a moment, and
 * incr/decr only rewrite a number in place (space-padded) when they hold the
 * only reference. Two memcacheds fed identical bytes were seen to disagree
 * on "0 " versus "0" and on later incr results because of it. Without the
 * maintainer the LRU is not segmented, nothing is bumped asynchronously, and
 * memcached answers the same bytes the same way every time.
 */
export function memcachedArgs(port: number): string[] {
  return ['-l', '127.0.0.1', '-p', String(port), '-U', '0', '-o', 'no_lru_maintainer'];
}

/** Spawns a memcached binary from this machine on the given port. */
export async function startLocalMemcached(port: number, role: string): Promise<RunningServer> {
  // memcached refuses to run as root unless told which user to become.
  const asRoot = process.getuid?.() === 0 ? ['-u', 'root'] : [];
  return startChildServer({
    description: `${role}: local ${MEMCACHED_BIN}`,
    command: MEMCACHED_BIN,
    args: [...asRoot, ...memcachedArgs(port)],
    port,
  });
}
