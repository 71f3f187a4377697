import type { Container } from 'inversify';
import type { Lifecycle } from '../domain/ports/lifecycle.js';
import type { Logger } from '../domain/ports/logger.js';
import { UseCases } from '../application/use-cases.js';
import { TcpServer } from '../adapters/tcp/tcp-server.js';
import type { Settings } from './config.js';
import { createContainer, Lifecycles, RespListener } from './container.js';

/**
 * The running server: resolves the container once, starts every lifecycle
 * in order, and stops them in reverse.
 */
export class RatMemcachedServer {
  private readonly container: Container;
  private readonly lifecycles: Lifecycle[];
  private started: Lifecycle[] = [];
  private stopping: Promise<void> | undefined;
  readonly useCases: UseCases;

  constructor(
    readonly settings: Settings,
    private readonly logger: Logger,
    onShutdownRequest: () => void = () => void this.stop(),
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

  async start(): Promise<void> {
    for (const l of this.lifecycles) {
      await l.start();
      this.started.push(l);
    }
    this.logger.info({ host: this.settings.server.host, port: this.port, tls: this.settings.server.ssl_enabled }, 'rat-memcached listening');
    if (this.redisPort !== undefined) this.logger.info({ host: this.settings.redis.host, port: this.redisPort }, 'Redis protocol listening');
  }

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
