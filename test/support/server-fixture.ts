import { silentLogger } from '../../src/domain/ports/logger.js';
import { loadSettings, type Overrides } from '../../src/infrastructure/config.js';
import { RatMemcachedServer } from '../../src/infrastructure/server.js';
import { TcpClient } from './tcp-client.js';

/** A server for end-to-end tests plus the clients opened on it, closed together. */
export interface E2EServer {
  port: number;
  /** Present when the server runs in this process. */
  server: RatMemcachedServer | undefined;
  connect(): Promise<TcpClient>;
  stop(): Promise<void>;
}

/**
 * Starts RatMemcachedServer in-process on 127.0.0.1, port 0. Setting
 * E2E_TARGET_PORT instead points the suites at a server already running
 * there, e.g. `memcached -p PORT -U 0`, to check the expected bytes against
 * the real memcached 1.6.18.
 */
export async function startE2EServer(overrides: Overrides = {}): Promise<E2EServer> {
  const clients: TcpClient[] = [];
  const target = process.env.E2E_TARGET_PORT;
  let server: RatMemcachedServer | undefined;
  let port: number;
  if (target) {
    port = Number(target);
  } else {
    const settings = loadSettings([], {
      ...overrides,
      server: { port: 0, host: '127.0.0.1', shutdown_grace_ms: 200, ...overrides.server },
      logging: { enable_logging: false, ...overrides.logging },
    });
    server = new RatMemcachedServer(settings, silentLogger);
    await server.start();
    port = server.port;
  }
  return {
    port,
    server,
    async connect() {
      const c = await TcpClient.connect(port);
      clients.push(c);
      return c;
    },
    async stop() {
      for (const c of clients) c.close();
      await server?.stop();
    },
  };
}

/** True when the suites run against an external server (see startE2EServer). */
export const againstExternalServer = (): boolean => Boolean(process.env.E2E_TARGET_PORT);
