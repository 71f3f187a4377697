/**
 * rat-memcache as a library: an embedded memory (+ optional LevelDB) cache
 * with the same stores and semantics as the `rat-memcached` server.
 */
export { RatMemCacheBuilder, RatMemCache } from './infrastructure/library.js';
export type { CacheKey, CacheStats, L1Config, L2Config, TtlConfig, CompressionConfig, PerformanceConfig } from './infrastructure/library.js';
export { RatMemcachedServer } from './infrastructure/server.js';
export { loadSettings, ConfigError, type Settings, type Overrides, type LoadOptions } from './infrastructure/config.js';
export type { StartInfo } from './infrastructure/server.js';
export type { UseCases } from './application/use-cases.js';
export type { Logger } from './domain/ports/logger.js';
export { StreamingClient, StreamingError, type StreamProgress, type StreamGetOptions, type UploadOptions } from './client/streaming-client.js';
export { ConnectionError, ReplyError, type ConnectOptions } from './client/connection.js';
export type { CommandClient } from './client/command-client.js';
