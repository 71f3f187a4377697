import { parseArgs } from 'node:util';

/** Exit codes a shell script can rely on (documented in USAGE and docs/cli-client.md). */
export const Exit = {
  OK: 0,
  /** get / delete / fetch: no such key. */
  NOT_FOUND: 1,
  /** The server refused the command (NOT_STORED, SERVER_ERROR, CLIENT_ERROR, ERROR). */
  REFUSED: 2,
  /** No connection: refused, TLS failure, closed, or no reply in time. */
  CONNECTION: 3,
  /** A local file could not be read or written. */
  FILE: 4,
  /** Bad command line (sysexits' EX_USAGE). */
  USAGE: 64,
} as const;

export const USAGE = `Usage: rat-memcache-cli [options] COMMAND [ARGS]

Commands:
  get KEY                 write the value to stdout, byte for byte
  set KEY [VALUE]         store VALUE (or, without it, all of stdin)
  delete KEY              remove the key
  stats [GROUP]           print "name value" lines (GROUP: settings, items, slabs...)
  flush [SECONDS]         flush_all, now or after SECONDS
  put FILE KEY            upload FILE in chunks (streaming extension), with progress
  fetch KEY FILE          download KEY in chunks into FILE ("-" = stdout), with progress

Options:
  --host HOST             server address (default 127.0.0.1)
  -p, --port PORT         server port (default 11211)
  --tls                   connect over TLS (server started with -Z)
  --ca FILE               PEM CA certificate that signed the server's (default: system CAs)
  --cert FILE, --key FILE client certificate and key (ssl_verify_mode 1-3)
  --insecure              do not verify the server's certificate
  --flags N               set/put: client flags stored with the value (default 0)
  --ttl SECONDS           set/put: expiry time, memcached exptime (default 0 = never)
  --chunk-size BYTES      put/fetch: chunk size (default 262144)
  --timeout MS            connect and reply timeout (default 10000)
  -q, --quiet             no progress bar and no summary line
  -h, --help              this text
  -V, --version           print the version

Exit codes:
  0   success
  1   not found (get, delete, fetch)
  2   the server refused the command (NOT_STORED, SERVER_ERROR, ...; the reply is printed)
  3   connection failed, closed, or timed out (including TLS errors)
  4   a local file could not be read or written
  64  bad command line
Errors are one line on stderr, starting with "rat-memcache-cli: ".`;

export type Command =
  | { name: 'get'; key: string }
  | { name: 'set'; key: string; value: Buffer | undefined }
  | { name: 'delete'; key: string }
  | { name: 'stats'; group: string }
  | { name: 'flush'; delay: number | undefined }
  | { name: 'put'; file: string; key: string }
  | { name: 'fetch'; key: string; file: string };

export interface CliOptions {
  host: string;
  port: number;
  tls: boolean;
  ca: string | undefined;
  cert: string | undefined;
  key: string | undefined;
  insecure: boolean;
  flags: number;
  ttl: number;
  chunkSize: number;
  timeoutMs: number;
  quiet: boolean;
}

export type CliRequest = { kind: 'help' } | { kind: 'version' } | { kind: 'run'; command: Command; options: CliOptions };

/** A command line that cannot be run; exits with Exit.USAGE. */
export class UsageError extends Error {}

/** Keys the text protocol can carry: 1-250 bytes, no spaces or control characters. */
function checkKey(key: string | undefined): string {
  if (key === undefined) throw new UsageError('missing KEY');
  if (Buffer.byteLength(key) > 250) throw new UsageError('KEY is longer than 250 bytes');
  // eslint-disable-next-line no-control-regex -- a memcached key may hold no control character
  if (key.length === 0 || /[\x00-\x20\x7f]/.test(key)) throw new UsageError(`KEY "${key}" is empty or holds spaces or control characters`);
  return key;
}

function whole(name: string, text: string | undefined, fallback: number, min = 0): number {
  if (text === undefined) return fallback;
  if (!/^\d+$/.test(text) || Number(text) < min) throw new UsageError(`${name} expects a whole number${min > 0 ? ` of at least ${min}` : ''}, got "${text}"`);
  return Number(text);
}

export function parseCliArgs(argv: string[]): CliRequest {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        host: { type: 'string' },
        port: { type: 'string', short: 'p' },
        tls: { type: 'boolean' },
        ca: { type: 'string' },
        cert: { type: 'string' },
        key: { type: 'string' },
        insecure: { type: 'boolean' },
        flags: { type: 'string' },
        ttl: { type: 'string' },
        'chunk-size': { type: 'string' },
        timeout: { type: 'string' },
        quiet: { type: 'boolean', short: 'q' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'V' },
      },
    });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const { values: v, positionals } = parsed;
  if (v.help) return { kind: 'help' };
  if (v.version) return { kind: 'version' };
  const port = whole('--port', v.port, 11211, 1);
  if (port > 65535) throw new UsageError(`--port must be at most 65535, got ${port}`);
  if ((v.cert === undefined) !== (v.key === undefined)) throw new UsageError('--cert and --key go together');
  const options: CliOptions = {
    host: v.host ?? '127.0.0.1',
    port,
    tls: v.tls === true || v.ca !== undefined || v.cert !== undefined || v.insecure === true,
    ca: v.ca,
    cert: v.cert,
    key: v.key,
    insecure: v.insecure ?? false,
    flags: whole('--flags', v.flags, 0),
    ttl: whole('--ttl', v.ttl, 0),
    chunkSize: whole('--chunk-size', v['chunk-size'], 256 * 1024, 1),
    timeoutMs: whole('--timeout', v.timeout, 10_000, 1),
    quiet: v.quiet ?? false,
  };
  if (options.flags > 0xffffffff) throw new UsageError('--flags must fit in 32 bits');
  return { kind: 'run', command: parseCommand(positionals), options };
}

function parseCommand(p: string[]): Command {
  const [name, ...rest] = p;
  const arity = (min: number, max: number): void => {
    if (rest.length < min || rest.length > max)
      throw new UsageError(`${name} takes ${min === max ? min : `${min} to ${max}`} argument${max === 1 ? '' : 's'}, got ${rest.length}`);
  };
  switch (name) {
    case 'get':
      arity(1, 1);
      return { name, key: checkKey(rest[0]) };
    case 'set':
      arity(1, 2);
      return { name, key: checkKey(rest[0]), value: rest[1] === undefined ? undefined : Buffer.from(rest[1]) };
    case 'delete':
      arity(1, 1);
      return { name, key: checkKey(rest[0]) };
    case 'stats':
      arity(0, 1);
      if (rest[0] !== undefined && /\s/.test(rest[0])) throw new UsageError('GROUP holds spaces');
      return { name, group: rest[0] ?? '' };
    case 'flush':
      arity(0, 1);
      return { name, delay: rest[0] === undefined ? undefined : whole('flush SECONDS', rest[0], 0) };
    case 'put':
      arity(2, 2);
      return { name, file: rest[0]!, key: checkKey(rest[1]) };
    case 'fetch':
      arity(2, 2);
      return { name, key: checkKey(rest[0]), file: rest[1]! };
    case undefined:
      throw new UsageError('missing COMMAND');
    default:
      throw new UsageError(`unknown command "${name}"`);
  }
}
