import { GenericContainer, getContainerRuntimeClient, type StartedTestContainer } from 'testcontainers';

import { freePort } from '../../support/free-port.js';
import { memcachedArgs, startLocalMemcached } from './local-memcached.js';
import { EnvironmentError, type RunningServer } from './running-server.js';
import { waitUntilServing } from './wait-until-serving.js';

/** Image for the reference server; scripts/ci-docker.sh exports a locally built one. */
export const MEMCACHED_IMAGE = process.env['MEMCACHED_IMAGE'] ?? 'memcached:1.6';

/** Image tags built by scripts/build-test-images.sh; they never need a registry. */
const LOCAL_IMAGE_PREFIX = 'rat-memcache-test/';

/**
 * Starts the reference memcached every comparison is made against.
 *
 * Default: a container of MEMCACHED_IMAGE via testcontainers, on the host
 * network so the server listens on 127.0.0.1 like everything else in the
 * suite. With MEMCACHED_REFERENCE=local: this machine's memcached binary,
 * for developers without Docker.
 */
export async function startReferenceMemcached(): Promise<RunningServer> {
  const port = await freePort();
  if (process.env['MEMCACHED_REFERENCE'] === 'local') {
    return startLocalMemcached(port, 'reference');
  }
  return startContainer(port);
}

async function startContainer(port: number): Promise<RunningServer> {
  if (MEMCACHED_IMAGE.startsWith(LOCAL_IMAGE_PREFIX)) {
    // Ryuk (testcontainers' reaper) is an image from a registry; the point of
    // a locally built image is not needing one. stop() below cleans up instead.
    process.env['TESTCONTAINERS_RYUK_DISABLED'] ??= 'true';
  }
  // testcontainers otherwise derives the host from the "bridge" network when
  // it believes it runs inside a container (/.dockerenv), and a dockerd
  // started with --bridge=none has none. Host networking means 127.0.0.1 is
  // right in every case this suite supports.
  process.env['TESTCONTAINERS_HOST_OVERRIDE'] ??= '127.0.0.1';
  try {
    await getContainerRuntimeClient();
  } catch {
    throw new EnvironmentError(
      'Docker is not reachable: install docker.io and start dockerd (scripts/ci-docker.sh does both), or set MEMCACHED_REFERENCE=local to use /usr/bin/memcached (DEBUG=testcontainers* shows what was tried)',
    );
  }

  let container: StartedTestContainer;
  try {
    container = await new GenericContainer(MEMCACHED_IMAGE)
      .withNetworkMode('host')
      .withCommand(['memcached', ...memcachedArgs(port)])
      .start();
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new EnvironmentError(
      `Could not start container ${MEMCACHED_IMAGE} (${reason}): build the local image with scripts/build-test-images.sh and set MEMCACHED_IMAGE, or set MEMCACHED_REFERENCE=local`,
    );
  }

  try {
    await waitUntilServing('127.0.0.1', port, 15_000);
  } catch (error) {
    await container.stop({ timeout: 1 });
    throw error;
  }

  let stopped: Promise<void> | undefined;
  return {
    description: `reference: container ${MEMCACHED_IMAGE} (${container.getId().slice(0, 12)}, port ${port})`,
    host: '127.0.0.1',
    port,
    stop: () => (stopped ??= container.stop({ timeout: 2 }).then(() => undefined)),
  };
}
