import { parseArgs } from 'node:util';
import type { Overrides } from './config.js';

/** What the command line asked for, beside configuration overrides. */
export interface CliRequest {
  help: boolean;
  version: boolean;
  daemon: boolean;
  configFiles: string[];
  overrides: Overrides;
}

export const USAGE = `Usage: rat-memcached [options]

  --bind HOST:PORT       listen address (default 127.0.0.1:11211)
  --config FILE          TOML configuration file (after config/default.toml)
  -p, --port PORT        TCP port (memcached -p)
  -l, --listen LIST      listen addresses, comma-separated: host, host:port, [v6]:port (memcached -l)
  -m, --memory-limit MB  memory tier budget in megabytes (memcached -m)
  -c, --conn-limit N     max simultaneous connections (memcached -c)
  -I, --max-item-size S  largest item, e.g. 1m, 512k (memcached -I)
  -A, --enable-shutdown  honour the "shutdown" command (memcached -A)
  -Z, --enable-ssl       serve TLS on the port (memcached -Z; docs/tls.md)
  -o ssl_chain_cert=FILE,ssl_key=FILE[,ssl_ca_cert=FILE,ssl_verify_mode=0-3,ssl_min_version=0-3,ssl_ciphers=LIST]
                         TLS certificate, key and client verification (memcached -o)
  -u, --user USER        drop root privileges to USER before listening (memcached -u)
  -v, --verbose          -v: also log connections and flush_all (debug level);
                         -vv: also every command (trace level)
  --log-format FORMAT    json (default) or pretty (one readable line per event)
  --log-file FILE        append logs to FILE instead of stderr
  -d, --daemon           run in the background (exits non-zero if the server fails to start)
  -P, --pid-file FILE    write the process id to FILE (removed on exit)
  --l2 on|off            enable or disable the disk tier
  --data-dir DIR         disk tier directory
  --redis-port PORT      also serve the Redis protocol (RESP) on PORT (off by default)
  --admin-port PORT      admin HTTP listener: /metrics, /healthz, /readyz, page (default off)
  -h, --help             this text
  -V, --version          print the version

memcached flags that do not apply here (-t N, -R N, -B auto|ascii|binary, -U 0, -o keys other than ssl_*) are
checked as memcached checks them (an unknown -o key is refused) and otherwise ignored.
Configuration keys can also be set with environment variables RAT_<SECTION>_<KEY>.
Any configuration error (flag, file, variable) exits with status 64.`;

/** Parses memcached-style sizes: plain bytes or a k/m/g suffix. */
export function parseSize(text: string): number {
  const m = /^(\d+)([kKmMgG]?)$/.exec(text);
  if (!m) throw new Error(`invalid size "${text}" (expected a number with optional k, m or g)`);
  const mult = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[m[2]!.toLowerCase() as '' | 'k' | 'm' | 'g'];
  return Number(m[1]) * mult;
}

function int(name: string, text: string): number {
  if (!/^\d+$/.test(text)) throw new Error(`option ${name} expects a whole number, got "${text}"`);
  return Number(text);
}

/** A memcached flag we do not act on, checked as memcached checks it (its message). */
function positive(name: string, text: string, what: string): void {
  if (int(name, text) === 0) throw new Error(`${what} must be greater than 0`);
}

function checkIgnoredFlags(values: { threads?: string; 'max-reqs-per-event'?: string; protocol?: string; 'udp-port'?: string }): void {
  if (values.threads !== undefined) positive('-t', values.threads, 'Number of threads');
  if (values['max-reqs-per-event'] !== undefined) positive('-R', values['max-reqs-per-event'], 'Number of requests per event');
  const protocol = values.protocol;
  if (protocol !== undefined && !['auto', 'ascii', 'binary'].includes(protocol)) {
    throw new Error(`Invalid value for binding protocol: ${protocol} -- should be one of auto, binary, or ascii`);
  }
  // memcached's UDP listener is off by default since 1.5.6; we have none to turn on.
  if (values['udp-port'] !== undefined && int('-U', values['udp-port']) !== 0) throw new Error('-U: UDP is not supported; only -U 0 is accepted');
}

/** The -o keys memcached 1.6.18 accepts; we act on the ssl_* ones and ignore the rest, as it would refuse others. */
const MEMCACHED_SUB_OPTIONS = new Set([
  'maxconns_fast',
  'no_maxconns_fast',
  'hashpower',
  'tail_repair_time',
  'hash_algorithm',
  'lru_crawler',
  'no_lru_crawler',
  'lru_crawler_sleep',
  'lru_crawler_tocrawl',
  'read_buf_mem_limit',
  'lru_maintainer',
  'no_lru_maintainer',
  'hot_lru_pct',
  'warm_lru_pct',
  'hot_max_factor',
  'warm_max_factor',
  'temporary_ttl',
  'idle_timeout',
  'slab_chunk_max',
  'watcher_logbuf_size',
  'worker_logbuf_size',
  'track_sizes',
  'no_hashexpand',
  'modern',
  'no_modern',
  'sock_cookie_id',
  'slab_reassign',
  'no_slab_reassign',
  'slab_automove',
  'no_slab_automove',
  'slab_automove_ratio',
  'slab_automove_window',
  'slab_automove_freeratio',
  'ext_path',
  'ext_page_size',
  'ext_wbuf_size',
  'ext_threads',
  'ext_item_size',
  'ext_item_age',
  'ext_low_ttl',
  'ext_drop_unread',
  'ext_recache_rate',
  'ext_compact_under',
  'ext_drop_under',
  'ext_max_frag',
  'ext_max_sleep',
  'ssl_chain_cert',
  'ssl_key',
  'ssl_keyformat',
  'ssl_verify_mode',
  'ssl_ciphers',
  'ssl_ca_cert',
  'ssl_wbuf_size',
  'ssl_session_cache',
  'ssl_kernel_tls',
  'ssl_min_version',
]);

/** memcached's refusal of an -o key it does not know. */
function checkSubOptions(list: string): void {
  for (const item of list.split(',')) {
    const key = item.includes('=') ? item.slice(0, item.indexOf('=')) : item;
    if (!MEMCACHED_SUB_OPTIONS.has(key)) throw new Error(`Illegal suboption "${item}"`);
  }
}

/** memcached's -o keys for TLS, and whether each takes a number. */
const SSL_SUB_OPTIONS: Record<string, 'file' | 'int'> = {
  ssl_chain_cert: 'file',
  ssl_key: 'file',
  ssl_ca_cert: 'file',
  ssl_ciphers: 'file',
  ssl_verify_mode: 'int',
  ssl_min_version: 'int',
};

/** The ssl_* keys of one -o list (key=value,...); memcached's other -o keys are ignored. */
function sslSubOptions(list: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const item of list.split(',')) {
    const eq = item.indexOf('=');
    const key = eq < 0 ? item : item.slice(0, eq);
    const kind = SSL_SUB_OPTIONS[key];
    if (kind === undefined) continue;
    if (eq < 0 || eq === item.length - 1) throw new Error(`Missing ${key} argument`);
    const value = item.slice(eq + 1);
    out[key] = kind === 'int' ? int(`-o ${key}`, value) : value;
  }
  return out;
}

/** Every flag, long name first (docs/configuration.md lists each; a test keeps them in step). */
export const CLI_OPTIONS = {
  bind: { type: 'string' },
  config: { type: 'string', multiple: true },
  port: { type: 'string', short: 'p' },
  listen: { type: 'string', short: 'l' },
  'memory-limit': { type: 'string', short: 'm' },
  'conn-limit': { type: 'string', short: 'c' },
  'max-item-size': { type: 'string', short: 'I' },
  'enable-shutdown': { type: 'boolean', short: 'A' },
  'enable-ssl': { type: 'boolean', short: 'Z' },
  verbose: { type: 'boolean', short: 'v', multiple: true },
  'log-format': { type: 'string' },
  'log-file': { type: 'string' },
  daemon: { type: 'boolean', short: 'd' },
  'pid-file': { type: 'string', short: 'P' },
  l2: { type: 'string' },
  'data-dir': { type: 'string' },
  'redis-port': { type: 'string' },
  'admin-port': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'V' },
  threads: { type: 'string', short: 't' },
  'udp-port': { type: 'string', short: 'U' },
  user: { type: 'string', short: 'u' },
  extended: { type: 'string', short: 'o', multiple: true },
  'max-reqs-per-event': { type: 'string', short: 'R' },
  protocol: { type: 'string', short: 'B' },
} as const;

export function parseCli(argv: string[]): CliRequest {
  const { values } = parseArgs({
    args: argv,
    allowPositionals: false,
    strict: true,
    options: CLI_OPTIONS,
  });
  const server: Record<string, unknown> = {};
  const l1: Record<string, unknown> = {};
  const l2: Record<string, unknown> = {};
  const logging: Record<string, unknown> = {};
  const redis: Record<string, unknown> = {};
  const admin: Record<string, unknown> = {};
  if (values.bind !== undefined) {
    const i = values.bind.lastIndexOf(':');
    if (i <= 0) throw new Error(`--bind expects HOST:PORT, got "${values.bind}"`);
    server.host = values.bind.slice(0, i).replace(/^\[(.*)\]$/, '$1');
    server.port = int('--bind', values.bind.slice(i + 1));
  }
  if (values.listen !== undefined) server.host = values.listen;
  if (values.port !== undefined) server.port = int('-p', values.port);
  if (values['conn-limit'] !== undefined) server.max_connections = int('-c', values['conn-limit']);
  if (values['max-item-size'] !== undefined) server.item_size_max = parseSize(values['max-item-size']);
  if (values['enable-shutdown']) server.shutdown_enabled = true;
  if (values['pid-file'] !== undefined) server.pid_file = values['pid-file'];
  if (values['enable-ssl']) server.ssl_enabled = true;
  for (const list of values.extended ?? []) {
    checkSubOptions(list);
    Object.assign(server, sslSubOptions(list));
  }
  if (values['memory-limit'] !== undefined) l1.max_memory = int('-m', values['memory-limit']) * 1024 * 1024;
  if (values.l2 !== undefined) {
    if (values.l2 !== 'on' && values.l2 !== 'off') throw new Error(`--l2 expects on or off, got "${values.l2}"`);
    l2.enable_l2_cache = values.l2 === 'on';
  }
  if (values['data-dir'] !== undefined) l2.data_dir = values['data-dir'];
  if (values.user !== undefined) server.user = values.user;
  if (values.verbose?.length) {
    // memcached: -v errors and warnings, -vv also each command; ours adds audit lines, then commands.
    logging.enable_logging = true;
    logging.level = values.verbose.length > 1 ? 'trace' : 'debug';
    logging.enable_audit_logs = true;
    if (values.verbose.length > 1) logging.enable_cache_logs = true;
  }
  if (values['log-format'] !== undefined) logging.format = values['log-format'];
  if (values['log-file'] !== undefined) logging.file = values['log-file'];
  checkIgnoredFlags(values);
  if (values['redis-port'] !== undefined) redis.port = int('--redis-port', values['redis-port']);
  if (values['admin-port'] !== undefined) admin.port = int('--admin-port', values['admin-port']);
  const overrides: Overrides = {};
  for (const [k, v] of Object.entries({ server, l1, l2, logging, admin, redis })) if (Object.keys(v).length) overrides[k] = v;
  return {
    help: values.help ?? false,
    version: values.version ?? false,
    daemon: values.daemon ?? false,
    configFiles: values.config ?? [],
    overrides,
  };
}
