import convict from 'convict';
import { readFileSync } from 'node:fs';
import { parse as parseToml } from 'smol-toml';
import { envOverrides, keysReadFromEnvironment, unknownVariables, withoutEnv, type EnvironmentKey } from './config-environment.js';
import { crossKeyRules, type LoadOptions } from './config-rules.js';

/**
 * The configuration schema: the original project's sections, each key
 * documented, with an environment variable per key (RAT_<SECTION>_<KEY>).
 */
export const schema = {
  server: {
    host: {
      doc: 'Address(es) to listen on, as memcached -l: a comma list of host, host:port or [v6]:port (entries without a port use port). Never all interfaces by default.',
      format: String,
      default: '127.0.0.1',
      env: 'RAT_SERVER_HOST',
    },
    port: { doc: 'TCP port (memcached -p); 0 picks a free one.', format: 'port', default: 11211, env: 'RAT_SERVER_PORT' },
    max_connections: { doc: 'Simultaneous connections (memcached -c).', format: 'nat', default: 1024, env: 'RAT_SERVER_MAX_CONNECTIONS' },
    item_size_max: { doc: 'Largest item in bytes (memcached -I).', format: 'nat', default: 1024 * 1024, env: 'RAT_SERVER_ITEM_SIZE_MAX' },
    max_line_length: { doc: 'Longest multi-get command line buffered, in bytes.', format: 'nat', default: 1024 * 1024, env: 'RAT_SERVER_MAX_LINE_LENGTH' },
    shutdown_enabled: { doc: 'Honour the `shutdown` command (memcached -A).', format: Boolean, default: false, env: 'RAT_SERVER_SHUTDOWN_ENABLED' },
    shutdown_grace_ms: { doc: 'How long a graceful stop waits for clients.', format: 'nat', default: 2000, env: 'RAT_SERVER_SHUTDOWN_GRACE_MS' },
    version: { doc: 'Version reported by `version`/`stats` (the memcached release we match).', format: String, default: '1.6.18', env: 'RAT_SERVER_VERSION' },
    pid_file: { doc: 'Write the process id here (memcached -P).', format: String, default: '', env: 'RAT_SERVER_PID_FILE' },
    user: {
      doc: 'When started as root, switch to this user before opening the data dir and listening (memcached -u).',
      format: String,
      default: '',
      env: 'RAT_SERVER_USER',
    },
    ssl_enabled: {
      doc: 'Serve TLS instead of plain TCP on the port (memcached -Z); see docs/tls.md.',
      format: Boolean,
      default: false,
      env: 'RAT_SERVER_SSL_ENABLED',
    },
    ssl_chain_cert: { doc: 'PEM certificate chain file (memcached -o ssl_chain_cert).', format: String, default: '', env: 'RAT_SERVER_SSL_CHAIN_CERT' },
    ssl_key: {
      doc: 'PEM private key file; empty = the key is in ssl_chain_cert (memcached -o ssl_key).',
      format: String,
      default: '',
      env: 'RAT_SERVER_SSL_KEY',
    },
    ssl_ca_cert: {
      doc: 'PEM file of CAs whose client certificates are accepted (memcached -o ssl_ca_cert).',
      format: String,
      default: '',
      env: 'RAT_SERVER_SSL_CA_CERT',
    },
    ssl_verify_mode: {
      doc: 'Client certificates: 0 none, 1 request, 2 require, 3 once (memcached -o ssl_verify_mode).',
      format: 'nat',
      default: 0,
      env: 'RAT_SERVER_SSL_VERIFY_MODE',
    },
    ssl_min_version: {
      doc: 'Oldest TLS accepted: 0 1.0, 1 1.1, 2 1.2, 3 1.3 (memcached -o ssl_min_version).',
      format: 'nat',
      default: 2,
      env: 'RAT_SERVER_SSL_MIN_VERSION',
    },
    ssl_ciphers: { doc: "OpenSSL cipher list; empty = Node's default (memcached -o ssl_ciphers).", format: String, default: '', env: 'RAT_SERVER_SSL_CIPHERS' },
  },
  l1: {
    max_memory: { doc: 'Memory tier budget in bytes (key + value + per-item overhead).', format: 'nat', default: 64 * 1024 * 1024, env: 'RAT_L1_MAX_MEMORY' },
    max_entries: { doc: 'Memory tier entry budget; 0 = unbounded.', format: 'nat', default: 0, env: 'RAT_L1_MAX_ENTRIES' },
    eviction_strategy: {
      doc: 'Eviction policy: lru, lfu, fifo, hybrid, sieve or s3fifo (see docs/eviction.md).',
      format: String,
      default: 's3fifo',
      env: 'RAT_L1_EVICTION_STRATEGY',
    },
  },
  l2: {
    enable_l2_cache: { doc: 'Persist to the LevelDB tier.', format: Boolean, default: false, env: 'RAT_L2_ENABLE_L2_CACHE' },
    data_dir: { doc: 'LevelDB directory.', format: String, default: './data', env: 'RAT_L2_DATA_DIR' },
    clear_on_startup: { doc: 'Wipe the disk tier at start.', format: Boolean, default: false, env: 'RAT_L2_CLEAR_ON_STARTUP' },
    max_disk_size: { doc: 'Disk tier budget in bytes; 0 = unbounded.', format: 'nat', default: 1024 * 1024 * 1024, env: 'RAT_L2_MAX_DISK_SIZE' },
    sync_writes: {
      doc: 'Acknowledge writes only after their batch is fsynced (survives power loss; slower). With false, writes already applied survive kill -9; queued ones may not.',
      format: Boolean,
      default: false,
      env: 'RAT_L2_SYNC_WRITES',
    },
    level_compression: {
      doc: "LevelDB's own Snappy block compression (off: LZ4 already compresses values; see ADR 0004).",
      format: Boolean,
      default: false,
      env: 'RAT_L2_LEVEL_COMPRESSION',
    },
    write_buffer_size: { doc: 'LevelDB write buffer in bytes.', format: 'nat', default: 4 * 1024 * 1024, env: 'RAT_L2_WRITE_BUFFER_SIZE' },
    block_cache_size: { doc: 'LevelDB block cache in bytes.', format: 'nat', default: 8 * 1024 * 1024, env: 'RAT_L2_BLOCK_CACHE_SIZE' },
    write_queue_bytes: {
      doc: 'Budget for writes acknowledged but not yet applied to LevelDB; when full, connections that write are not read until it drains (docs/durability.md). 0 = unbounded.',
      format: 'nat',
      default: 32 * 1024 * 1024,
      env: 'RAT_L2_WRITE_QUEUE_BYTES',
    },
  },
  compression: {
    enable_lz4: { doc: 'LZ4-compress values stored on disk.', format: Boolean, default: true, env: 'RAT_COMPRESSION_ENABLE_LZ4' },
    compression_threshold: { doc: 'Smallest value (bytes) worth compressing.', format: 'nat', default: 1024, env: 'RAT_COMPRESSION_COMPRESSION_THRESHOLD' },
    compression_level: {
      doc: 'Accepted for compatibility with the original project; lz4js has one level.',
      format: 'nat',
      default: 6,
      env: 'RAT_COMPRESSION_COMPRESSION_LEVEL',
    },
  },
  ttl: {
    cleanup_interval: {
      doc: 'Seconds between expiry sweeps; 0 disables the sweep (expiry stays lazy).',
      format: 'nat',
      default: 60,
      env: 'RAT_TTL_CLEANUP_INTERVAL',
    },
  },
  performance: {
    large_value_threshold: {
      doc: 'Values above this many bytes live only in the disk tier (when enabled).',
      format: 'nat',
      default: 512 * 1024,
      env: 'RAT_PERFORMANCE_LARGE_VALUE_THRESHOLD',
    },
    worker_threads: { doc: 'Accepted for compatibility; the server runs one event loop.', format: 'nat', default: 1, env: 'RAT_PERFORMANCE_WORKER_THREADS' },
  },
  streaming: {
    max_value_size: {
      doc: 'Largest value accepted by chunked upload (set_begin) when the disk tier is on; with it off the item size limit applies.',
      format: 'nat',
      default: 64 * 1024 * 1024,
      env: 'RAT_STREAMING_MAX_VALUE_SIZE',
    },
    upload_idle_timeout_ms: {
      doc: 'An upload with no set_data for this long is abandoned and its data freed.',
      format: 'nat',
      default: 30000,
      env: 'RAT_STREAMING_UPLOAD_IDLE_TIMEOUT_MS',
    },
  },
  security: {
    sasl_enabled: {
      doc: 'Require SASL PLAIN authentication (binary protocol only, as memcached -S; text connections are refused).',
      format: Boolean,
      default: false,
      env: 'RAT_SECURITY_SASL_ENABLED',
    },
    sasl_users: { doc: 'Inline "user:password" entries.', format: Array, default: [] as string[], env: 'RAT_SECURITY_SASL_USERS', sensitive: true },
    sasl_authfile: { doc: 'memcached-style authfile of user:password lines.', format: String, default: '', env: 'RAT_SECURITY_SASL_AUTHFILE' },
  },
  redis: {
    port: { doc: 'Port of the Redis protocol (RESP) listener: -1 = off (the default), 0 = any free port.', format: 'int', default: -1, env: 'RAT_REDIS_PORT' },
    host: { doc: 'Address the RESP listener binds.', format: String, default: '127.0.0.1', env: 'RAT_REDIS_HOST' },
    requirepass: {
      doc: "Password of Redis's default user (AUTH / HELLO AUTH); empty = no authentication.",
      format: String,
      default: '',
      env: 'RAT_REDIS_REQUIREPASS',
      sensitive: true,
    },
  },
  admin: {
    port: { doc: 'Admin HTTP listener (/metrics, /healthz, /readyz, management page) port; 0 = off.', format: 'port', default: 0, env: 'RAT_ADMIN_PORT' },
    host: {
      doc: 'Admin listener address. Loopback by default: anyone who reaches it can read stats.',
      format: String,
      default: '127.0.0.1',
      env: 'RAT_ADMIN_HOST',
    },
    token: {
      doc: 'Token required to flush, toggle stats detail or inspect keys over the admin listener; empty = none (then only IP/localhost requests may).',
      format: String,
      default: '',
      env: 'RAT_ADMIN_TOKEN',
      sensitive: true,
    },
  },
  logging: {
    level: {
      doc: 'trace, debug, info, warn, error or off.',
      format: ['trace', 'debug', 'info', 'warn', 'error', 'off', 'TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'OFF'],
      default: 'info',
      env: 'RAT_LOGGING_LEVEL',
    },
    enable_logging: { doc: 'false = nothing is logged at all.', format: Boolean, default: true, env: 'RAT_LOGGING_ENABLE_LOGGING' },
    enable_async: {
      doc: "pino's asynchronous destination, flushed on exit (may lose the last lines on a crash).",
      format: Boolean,
      default: false,
      env: 'RAT_LOGGING_ENABLE_ASYNC',
    },
    enable_audit_logs: { doc: 'Log connections, flush_all and shutdown.', format: Boolean, default: true, env: 'RAT_LOGGING_ENABLE_AUDIT_LOGS' },
    enable_cache_logs: { doc: 'Per-command logs (debug level only).', format: Boolean, default: false, env: 'RAT_LOGGING_ENABLE_CACHE_LOGS' },
    format: {
      doc: 'json (one JSON object per line, for log collectors) or pretty (time, level, message, fields: for people).',
      format: ['json', 'pretty'],
      default: 'json',
      env: 'RAT_LOGGING_FORMAT',
    },
    file: {
      doc: 'Append logs to this file instead of stderr ("" = stderr); a daemon (-d) has no stderr.',
      format: String,
      default: '',
      env: 'RAT_LOGGING_FILE',
    },
    enable_colors: { doc: 'Colour the level in the pretty format.', format: Boolean, default: false, env: 'RAT_LOGGING_ENABLE_COLORS' },
    show_timestamp: { doc: 'Include a timestamp in each line.', format: Boolean, default: true, env: 'RAT_LOGGING_SHOW_TIMESTAMP' },
    enable_performance_logs: { doc: 'Accepted for compatibility.', format: Boolean, default: false, env: 'RAT_LOGGING_ENABLE_PERFORMANCE_LOGS' },
    batch_size: { doc: 'Async mode: bytes buffered before a write.', format: 'nat', default: 4096, env: 'RAT_LOGGING_BATCH_SIZE' },
    batch_interval_ms: { doc: 'Accepted for compatibility.', format: 'nat', default: 25, env: 'RAT_LOGGING_BATCH_INTERVAL_MS' },
    buffer_size: { doc: 'Accepted for compatibility.', format: 'nat', default: 16384, env: 'RAT_LOGGING_BUFFER_SIZE' },
  },
};

/** The validated configuration, typed from the schema. */
export type Settings = ReturnType<typeof loadSettings>;

/** Everything a start needs to know besides files: CLI overrides as a partial tree. */
export type Overrides = Record<string, Record<string, unknown>>;

export type { LoadOptions } from './config-rules.js';

/**
 * Every configuration error (a file, a variable, a flag's value) ends start-up
 * with this exit status: memcached's own for a bad setting (EX_USAGE).
 */
export const CONFIG_ERROR_EXIT = 64;

/** One or more configuration problems, each naming its key, file line or variable. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration: ${problems.join('; ')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Loads defaults, then each TOML file in order, then environment variables,
 * then CLI overrides; validates strictly and throws one {@link ConfigError}
 * naming every bad key, variable or file line at once.
 */
export function loadSettings(files: string[] = [], overrides: Overrides = {}, options: LoadOptions = {}) {
  // env is applied by envOverrides() below, in its place in the precedence order; convict would
  // otherwise re-read it on every load() and let it beat command-line flags.
  const conf = convict(withoutEnv(schema));
  const problems: string[] = [];
  for (const file of files) {
    const data = readToml(file, problems);
    if (data) conf.load(data);
  }
  conf.load(envOverrides(environmentKeys(), process.env, problems));
  conf.load(overrides);
  try {
    conf.validate({ allowed: 'strict' });
  } catch (err) {
    problems.push(...(err as Error).message.split('\n').filter((l) => l.length > 0));
  }
  const settings = conf.getProperties();
  problems.push(...crossKeyRules(schema, settings, options));
  if (problems.length > 0) throw new ConfigError(problems);
  return settings;
}

function readToml(file: string, problems: string[]): Record<string, unknown> | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    problems.push(`cannot read config file ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    return undefined;
  }
  try {
    return parseToml(text) as Record<string, unknown>;
  } catch (err) {
    const { line, column } = err as { line?: number; column?: number };
    const why = (err as Error).message.split('\n')[0]!.replace(/^Invalid TOML document: /, '');
    problems.push(`config file ${file} is not valid TOML: line ${line ?? '?'}, column ${column ?? '?'}: ${why}`);
    return undefined;
  }
}

/** Every environment variable the schema reads, with the key it sets. */
export function environmentKeys(): Map<string, EnvironmentKey> {
  return keysReadFromEnvironment(schema);
}

/**
 * RAT_* variables in `env` that no key reads: a typo there would otherwise be
 * silently ignored. The server refuses to start with any of them set.
 */
export function unknownEnvironment(env: NodeJS.ProcessEnv = process.env): string[] {
  return unknownVariables(environmentKeys(), env);
}
