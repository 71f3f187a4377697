import { startReferenceMemcached } from './memcached-container.js';
import { startTargetServer } from './our-server.js';
import type { RunningServer } from './running-server.js';

/** The reference memcached and the server under test; the reference is stopped again if ours fails to start. */
export async function startServerPair(): Promise<{ referenceServer: RunningServer; targetServer: RunningServer }> {
  const referenceServer = await startReferenceMemcached();
  try {
    return { referenceServer, targetServer: await startTargetServer() };
  } catch (error) {
    await referenceServer.stop();
    throw error;
  }
}
