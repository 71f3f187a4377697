import 'reflect-metadata';
import { Container } from 'inversify';
import { CacheStore } from '../domain/ports/cache-store.js';
import { Clock } from '../domain/ports/clock.js';
import { EvictionPolicyFactory } from '../domain/ports/eviction-policy.js';
import type { Lifecycle } from '../domain/ports/lifecycle.js';
import { Logger } from '../domain/ports/logger.js';
import { RuntimeInfo } from '../domain/ports/runtime-info.js';
import { Scheduler } from '../domain/ports/scheduler.js';
import { CacheContext } from '../application/cache-context.js';
import { CasSequence } from '../application/cas-sequence.js';
import { PrefixStats } from '../application/prefix-stats.js';
import { ServerStats } from '../application/server-stats.js';
import { createUseCases } from '../application/create-use-cases.js';
import { UseCases } from '../application/use-cases.js';
import { AsciiSessionFactory } from '../adapters/ascii/ascii-session-factory.js';
import { MetaCommands } from '../adapters/ascii/meta-commands.js';
import { StreamingCommands } from '../adapters/ascii/streaming-commands.js';
import { BinarySessionFactory } from '../adapters/binary/binary-session-factory.js';
import { authfileAuthenticator, credentialsAuthenticator } from '../adapters/binary/sasl-credentials.js';
import { SystemClock } from '../adapters/clock/system-clock.js';
import { NodeRuntimeInfo } from '../adapters/runtime/node-runtime-info.js';
import { NodeScheduler } from '../adapters/scheduler/node-scheduler.js';
import { evictionPolicies, evictionPolicyNames } from '../adapters/eviction/policy-registry.js';
import { MemoryCacheStore } from '../adapters/memory/memory-cache-store.js';
import { Lz4jsCompressor } from '../adapters/compression/lz4js-compressor.js';
import { LevelCacheStore } from '../adapters/level/level-cache-store.js';
import { TieredCacheStore } from '../application/tiered-cache-store.js';
import { Compressor } from '../domain/ports/compressor.js';
import { WriteBackpressure } from '../domain/ports/write-backpressure.js';
import { TcpServer } from '../adapters/tcp/tcp-server.js';
import { parseListen } from './listen-addresses.js';
import { RespSessionFactory } from '../adapters/resp/resp-session-factory.js';
import { TlsServer } from '../adapters/tcp/tls-server.js';
import { AdminHttpServer } from '../adapters/http/admin-http-server.js';
import { InspectUseCase, type InspectedTier } from '../application/inspect.js';
import { Readiness } from './readiness.js';
import { l2StatPairs, settingsStats, tlsStatPairs } from './stat-pairs.js';
import type { Settings } from './config.js';

/** Tokens that exist only in the composition root. */
export const SettingsToken = Symbol('Settings');
/** The stores (and what seeds them), started before any listener and stopped after. */
export const StoreLifecycles = Symbol('StoreLifecycles');
/** The listeners (TCP, and any later one): the server starts them, the library never builds them. */
export const ListenerLifecycles = Symbol('ListenerLifecycles');
/** Stores then listeners: everything the server starts, in order. */
export const Lifecycles = Symbol('Lifecycles');
export const ShutdownRequest = Symbol('ShutdownRequest');
/** The Redis protocol listener (a second TcpServer), bound only when [redis] port is set. */
export const RespListener = Symbol('RespListener');

/**
 * The composition root: the only module that knows every concrete class.
 * Swapping an adapter is one binding here. Everything is a singleton and is
 * resolved once at start-up; nothing is looked up per request.
 */
export function createContainer(settings: Settings, logger: Logger, requestShutdown: () => void = () => {}): Container {
  const c = new Container({ defaultScope: 'Singleton' });
  c.bind<Settings>(SettingsToken).toConstantValue(settings);
  c.bind<Logger>(Logger).toConstantValue(logger);
  c.bind<() => void>(ShutdownRequest).toConstantValue(requestShutdown);
  c.bind<Clock>(Clock).to(SystemClock);
  c.bind<Scheduler>(Scheduler).to(NodeScheduler);
  c.bind<RuntimeInfo>(RuntimeInfo).to(NodeRuntimeInfo);

  const strategy = settings.l1.eviction_strategy.toLowerCase();
  const makePolicy = evictionPolicies[strategy];
  if (!makePolicy) {
    throw new Error(`invalid configuration: l1.eviction_strategy "${settings.l1.eviction_strategy}" is not one of ${evictionPolicyNames.join(', ')}`);
  }
  c.bind<EvictionPolicyFactory>(EvictionPolicyFactory).toConstantValue(makePolicy);

  c.bind(MemoryCacheStore).toDynamicValue(
    (ctx) =>
      new MemoryCacheStore(
        { maxMemory: settings.l1.max_memory, maxEntries: settings.l1.max_entries, cleanupIntervalMs: settings.ttl.cleanup_interval * 1000 },
        ctx.get<Clock>(Clock),
        ctx.get<EvictionPolicyFactory>(EvictionPolicyFactory),
      ),
  );
  const l2Enabled = settings.l2.enable_l2_cache;
  const ssl = settings.server.ssl_enabled;
  // Always LZ4: enable_lz4 only decides whether new values are compressed; older compressed records must stay readable.
  c.bind<Compressor>(Compressor).toConstantValue(new Lz4jsCompressor());
  c.bind(LevelCacheStore).toDynamicValue(
    (ctx) =>
      new LevelCacheStore(
        {
          dataDir: settings.l2.data_dir,
          clearOnStartup: settings.l2.clear_on_startup,
          maxDiskSize: settings.l2.max_disk_size,
          syncWrites: settings.l2.sync_writes,
          writeBufferSize: settings.l2.write_buffer_size,
          blockCacheSize: settings.l2.block_cache_size,
          writeQueueBytes: settings.l2.write_queue_bytes,
          compressionThreshold: settings.compression.compression_threshold,
          enableCompression: settings.compression.enable_lz4,
          levelCompression: settings.l2.level_compression,
          sweepIntervalMs: settings.ttl.cleanup_interval * 1000,
        },
        ctx.get<Clock>(Clock),
        ctx.get<Compressor>(Compressor),
        ctx.get<Logger>(Logger),
      ),
  );
  c.bind(TieredCacheStore).toDynamicValue(
    (ctx) =>
      new TieredCacheStore(
        ctx.get(MemoryCacheStore),
        ctx.get(LevelCacheStore),
        {
          largeValueThreshold: settings.performance.large_value_threshold,
          durableAcks: settings.l2.sync_writes,
          warmBytes: settings.l1.max_memory,
        },
        ctx.get<Logger>(Logger),
        ctx.get<Scheduler>(Scheduler),
        ctx.get<Clock>(Clock),
      ),
  );
  c.bind<CacheStore>(CacheStore).toDynamicValue((ctx) => (l2Enabled ? ctx.get(TieredCacheStore) : ctx.get(MemoryCacheStore)));
  // The disk tier's write queue tells the sessions when to stop reading from writers; memory-only has none.
  c.bind<WriteBackpressure | undefined>(WriteBackpressure).toDynamicValue((ctx) => (l2Enabled ? ctx.get(LevelCacheStore).queue : undefined));

  c.bind(CasSequence).toSelf();
  c.bind(ServerStats).toSelf();
  c.bind(PrefixStats).toConstantValue(new PrefixStats(':'));
  c.bind(CacheContext).toDynamicValue(
    (ctx) =>
      new CacheContext(
        ctx.get<CacheStore>(CacheStore),
        ctx.get<Clock>(Clock),
        ctx.get(CasSequence),
        ctx.get(ServerStats),
        ctx.get(PrefixStats),
        {
          itemSizeMax: settings.server.item_size_max,
          processStartMs: Date.now(),
          version: settings.server.version,
        },
        {
          logger: ctx.get<Logger>(Logger),
          audit: settings.logging.enable_audit_logs,
          // Per-command logs exist only at debug level; checking once keeps them free otherwise.
          commands: settings.logging.enable_cache_logs && ctx.get<Logger>(Logger).isLevelEnabled('debug'),
        },
      ),
  );
  c.bind<UseCases>(UseCases).toDynamicValue((ctx) => {
    const context = ctx.get(CacheContext);
    const memory = ctx.get(MemoryCacheStore);
    return createUseCases(context, {
      statsSources: {
        settings: () => settingsStats(settings, context.prefixStats.enabled),
        maxConnections: () => settings.server.max_connections,
        extraStats: () => [
          ...(ssl ? tlsStatPairs(ctx.get(TcpServer) as TlsServer) : []),
          ...(l2Enabled ? l2StatPairs(ctx.get(LevelCacheStore), ctx.get(TieredCacheStore)) : []),
        ],
      },
      memory: {
        setMemoryLimit: (bytes) => {
          memory.resize(bytes);
          return true;
        },
      },
      runtime: ctx.get<RuntimeInfo>(RuntimeInfo),
      scheduler: ctx.get<Scheduler>(Scheduler),
    });
  });

  c.bind(AsciiSessionFactory).toDynamicValue(
    (ctx) =>
      new AsciiSessionFactory(ctx.get<UseCases>(UseCases), {
        maxLineLength: settings.server.max_line_length,
        shutdownEnabled: settings.server.shutdown_enabled,
        writeBackpressure: ctx.get<WriteBackpressure | undefined>(WriteBackpressure),
        requestShutdown: ctx.get<() => void>(ShutdownRequest),
        // One instance of each family per server; the streaming one tracks uploads per connection.
        extensions: [
          new MetaCommands(ctx.get<UseCases>(UseCases)),
          new StreamingCommands(ctx.get<UseCases>(UseCases), {
            largeValues: l2Enabled, // with L2 off, the item size limit applies
            maxValueSize: settings.streaming.max_value_size,
            uploadIdleTimeoutMs: settings.streaming.upload_idle_timeout_ms,
          }),
        ],
      }),
  );
  const sasl = settings.security.sasl_enabled;
  c.bind(BinarySessionFactory).toDynamicValue(
    (ctx) =>
      new BinarySessionFactory(ctx.get<UseCases>(UseCases), {
        saslEnabled: sasl,
        writeBackpressure: ctx.get<WriteBackpressure | undefined>(WriteBackpressure),
        authenticate: settings.security.sasl_authfile
          ? authfileAuthenticator(settings.security.sasl_authfile)
          : credentialsAuthenticator(settings.security.sasl_users as string[]),
      }),
  );
  // With -Z the port speaks TLS (memcached has no plain port beside it): TcpServer resolves to its TLS variant.
  c.bind(TcpServer).toDynamicValue((ctx) => {
    const listener = {
      host: settings.server.host,
      port: settings.server.port,
      listen: parseListen(settings.server.host, settings.server.port),
      maxConnections: settings.server.max_connections,
      auditConnections: settings.logging.enable_audit_logs,
      shutdownGraceMs: settings.server.shutdown_grace_ms,
    };
    // memcached -S serves binary only: with SASL on, text connections find no protocol and are closed.
    const protocols = sasl ? [ctx.get(BinarySessionFactory)] : [ctx.get(BinarySessionFactory), ctx.get(AsciiSessionFactory)];
    if (!ssl) return new TcpServer(listener, protocols, ctx.get(ServerStats), ctx.get<Logger>(Logger));
    const s = settings.server;
    const tlsSettings = {
      chainCert: s.ssl_chain_cert,
      key: s.ssl_key,
      caCert: s.ssl_ca_cert,
      verifyMode: s.ssl_verify_mode,
      minVersion: s.ssl_min_version,
      ciphers: s.ssl_ciphers,
    };
    return new TlsServer(listener, tlsSettings, protocols, ctx.get(ServerStats), ctx.get<Logger>(Logger));
  });
  const redis = settings.redis;
  const respEnabled = redis.port >= 0;
  c.bind<TcpServer>(RespListener).toDynamicValue(
    (ctx) =>
      new TcpServer(
        {
          host: redis.host,
          port: redis.port,
          maxConnections: settings.server.max_connections,
          auditConnections: settings.logging.enable_audit_logs,
          shutdownGraceMs: settings.server.shutdown_grace_ms,
        },
        [
          new RespSessionFactory(ctx.get<UseCases>(UseCases), {
            requirepass: redis.requirepass,
            redisVersion: REDIS_VERSION,
            port: redis.port,
            // Bulks up to the item size limit: nothing larger could be stored.
            maxBulk: settings.server.item_size_max,
            maxQueryBuffer: Math.max(64 * 1024 * 1024, 4 * settings.server.item_size_max),
            config: [
              ['databases', '1'],
              ['maxmemory', String(settings.l1.max_memory)],
              ['maxmemory-policy', 'allkeys-lru'],
              ['proto-max-bulk-len', String(settings.server.item_size_max)],
              ['save', ''],
              ['appendonly', 'no'],
              ['timeout', '0'],
              ['port', String(redis.port)],
              ['bind', redis.host],
            ],
          }),
        ],
        ctx.get(ServerStats),
        ctx.get<Logger>(Logger),
      ),
  );
  // Started in this order, stopped in reverse: stores before the listeners open, after they close.
  c.bind<Lifecycle[]>(StoreLifecycles).toDynamicValue((ctx) => {
    const memory = ctx.get(MemoryCacheStore);
    if (!l2Enabled) return [memory];
    const disk = ctx.get(LevelCacheStore);
    const cas = ctx.get(CasSequence);
    // cas values stay unique across restarts: continue above the highest one on disk.
    const casSeed: Lifecycle = { name: 'cas-seed', start: async () => cas.advancePast(disk.maxCas()), stop: async () => {} };
    return [disk, casSeed, memory, ctx.get(TieredCacheStore)];
  });
  c.bind<Lifecycle[]>(ListenerLifecycles).toDynamicValue((ctx) =>
    respEnabled ? [ctx.get(TcpServer), ctx.get<TcpServer>(RespListener)] : [ctx.get(TcpServer)],
  );
  // /readyz: the disk tier is open and the cache port accepts (markers sit after each in the lifecycle order).
  c.bind(Readiness).toConstantValue(new Readiness(l2Enabled ? ['L2 store open', 'cache port accepting'] : ['cache port accepting']));
  c.bind(InspectUseCase).toDynamicValue((ctx) => {
    const tiers: InspectedTier[] = [{ name: 'memory', store: ctx.get(MemoryCacheStore) }];
    if (l2Enabled) tiers.push({ name: 'disk', store: ctx.get(LevelCacheStore) });
    return new InspectUseCase(tiers, ctx.get<Clock>(Clock));
  });
  c.bind(AdminHttpServer).toDynamicValue((ctx) => {
    const readiness = ctx.get(Readiness);
    return new AdminHttpServer(
      { host: settings.admin.host, port: settings.admin.port, token: settings.admin.token, evictionPolicy: strategy },
      ctx.get<UseCases>(UseCases),
      ctx.get(InspectUseCase),
      () => readiness.state(),
      ctx.get<Logger>(Logger),
    );
  });
  // The admin listener comes first and goes last, so /readyz answers 503 while the rest starts or stops;
  // each readiness marker follows what it vouches for.
  c.bind<Lifecycle[]>(Lifecycles).toDynamicValue((ctx) => {
    const ready = ctx.get(Readiness);
    const admin: Lifecycle[] = settings.admin.port > 0 ? [ctx.get(AdminHttpServer)] : [];
    const l2Open = l2Enabled ? [ready.marker('L2 store open')] : [];
    return [...admin, ...ctx.get<Lifecycle[]>(StoreLifecycles), ...l2Open, ...ctx.get<Lifecycle[]>(ListenerLifecycles), ready.marker('cache port accepting')];
  });
  return c;
}

/** The Redis release whose replies the RESP listener matches (reported by HELLO and INFO). */
const REDIS_VERSION = '7.0.15';
