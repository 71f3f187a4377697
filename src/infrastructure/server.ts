import type { Container } from 'inversify';
import type { Lifecycle } from '../domain/ports/lifecycle.js';
import type { Logger } from '../domain/ports/logger.js';
import { UseCases } from '../application/use-cases.js';
import { TcpServer } from '../adapters/tcp/tcp-server.js';
import { LevelCacheStore } from '../adapters/level/level-cache-store.js';
import type { Settings } from './config.js';
import { createContainer, Lifecycles, RespListener } from './container.js';

/** What the start-up line reports beside the settings (the CLI knows these). */
export interface StartInfo {
  /** rat-memcache's own version (package.json). */
  version?: string;
  /** The TOML files read, in order. */
  configFiles?: string[];
}

/**
 * The running server: resolves the container once, starts every lifecycle
 * in order, and stops them in reverse.
 */
export class RatMemcachedServer {
  private readonly container: Container;
  private readonly lifecycles: Lifecycle[];
  private started: Lifecycle[] = [];
  private stopping: Promise<void> | undefined;
  /** @internal the use-cases the listeners serve (tests read their counters). */
  readonly useCases: UseCases;

  /**
   * Builds every store and listener from `settings` (see loadSettings); nothing is opened before start().
   * @param onShutdownRequest called on the text `shutdown` command (default: stop()).
   */
  constructor(
    readonly settings: Settings,
    private readonly logger: Logger,
    onShutdownRequest: () => void = () => void this.stop(),
    private readonly info: StartInfo = {},
  ) {
    this.container = createContainer(settings, logger, () => onShutdownRequest());
    this.lifecycles = this.container.get<Lifecycle[]>(Lifecycles);
    this.useCases = this.container.get<UseCases>(UseCases);
  }

  /** The bound port (resolves port 0). */
  get port(): number {
    return this.container.get(TcpServer).address().port;
  }

  /** The bound port of the Redis protocol listener, undefined when it is off. */
  get redisPort(): number | undefined {
    return this.settings.redis.port >= 0 ? this.container.get<TcpServer>(RespListener).address().port : undefined;
  }

  /** Opens the stores, then the listeners; resolves once the server accepts connections. */
  async start(): Promise<void> {
    for (const l of this.lifecycles) {
      await l.start();
      this.started.push(l);
    }
    this.logger.info(this.describe(), 'rat-memcached listening');
  }

  /** The start-up line's fields: what an operator checks first. */
  describe(info: StartInfo = this.info): Record<string, unknown> {
    const { server, l1, l2 } = this.settings;
    const disk = l2.enable_l2_cache ? this.container.get(LevelCacheStore) : undefined;
    return {
      version: info.version,
      memcachedVersion: server.version,
      host: server.host,
      port: this.port,
      listening: this.container
        .get(TcpServer)
        .addresses()
        .map((a) => (a.family === 'IPv6' ? `[${a.address}]:${a.port}` : `${a.address}:${a.port}`)),
      tls: server.ssl_enabled,
      configFiles: info.configFiles,
      l1MaxMemory: l1.max_memory,
      dataDir: disk ? l2.data_dir : null,
      // The index scan runs after listening (ADR 0017): l2Items counts what it has read so far, and
      // "L2 index warm-up done" gives the total.
      l2Items: disk ? disk.stats().items : null,
      l2IndexScanning: disk ? disk.l2Stats().scan.running : null,
      redisPort: this.redisPort ?? null,
    };
  }

  /** Closes the listeners, then the stores (the disk tier is flushed); later calls return the same Promise. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      this.useCases.flush.cancel();
      for (const l of this.started.reverse()) {
        try {
          await l.stop();
        } catch (err) {
          this.logger.error({ err: (err as Error).message, component: l.name }, 'stop failed');
        }
      }
      this.started = [];
    })();
    return this.stopping;
  }
}
