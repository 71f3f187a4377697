import { isPromise, type MaybePromise } from '../../domain/maybe-promise.js';
import type { StatPair } from '../../application/stats.js';
import type { UseCases } from '../../application/use-cases.js';
import type { Tokens } from '../protocol/tokenizer.js';
import { tokenI32, tokenU32 } from '../protocol/tokenizer.js';
import { Reply } from './ascii-replies.js';
import type { ConnectionTable } from './connection-table.js';
import { cachedump, metadump, type ListingSink } from './key-listings.js';

/** What an administration command needs from the connection it runs on. */
export interface AdminSession extends ListingSink {
  readonly tokens: Tokens;
  /** memcached's set_noreply_maybe: the last real token is "noreply". */
  noreplyMaybe(nt: number): boolean;
  /** Sends what is gathered and closes the connection. */
  close(): void;
  /** Replies of earlier commands of this read are still unsent. */
  readonly repliesPending: boolean;
}

/** Server-wide switches and state the administration commands use, shared by every connection. */
export interface AdminScope {
  /** memcached's -A: the `shutdown` command is honoured. */
  readonly shutdownEnabled: boolean;
  /** Asks the server to stop (graceful). */
  requestShutdown(): void;
  /** The text-protocol connections, for `stats conns` (none listed without it). */
  readonly connections?: ConnectionTable;
}

/** One administration command; `nt` counts tokens as memcached does (the terminal one included). */
type AdminCommand = (s: AdminSession, nt: number, uc: UseCases, scope: AdminScope) => MaybePromise<void>;

function flushAll(s: AdminSession, nt: number, uc: UseCases): MaybePromise<void> {
  if (nt < 2 || nt > 4) return s.reply(Reply.ERROR);
  const noreply = s.noreplyMaybe(nt);
  let delay = 0;
  if (nt !== (noreply ? 3 : 2)) {
    const d = tokenI32(s.tokens, 1);
    if (d === undefined) {
      uc.flush.countRejected();
      return s.reply(Reply.BAD_EXPTIME);
    }
    delay = d;
  }
  const r = uc.flush.flushAll(delay);
  if (isPromise(r)) return r.then(() => s.reply(Reply.OK));
  s.reply(Reply.OK);
}

/**
 * A command with one unsigned 32-bit argument and an optional noreply
 * (verbosity, cache_memlimit): `badValue` answers an argument that is not
 * one, `apply` answers the value.
 */
function withU32(badValue: string, apply: (uc: UseCases, value: number) => string): AdminCommand {
  return (s, nt, uc) => {
    if (nt !== 3 && nt !== 4) return s.reply(Reply.ERROR);
    s.noreplyMaybe(nt);
    const value = tokenU32(s.tokens, 1);
    s.reply(value < 0 ? badValue : apply(uc, value));
  };
}

const verbosity = withU32(Reply.BAD_FORMAT, (uc, level) => {
  uc.admin.setVerbosity(level);
  return Reply.OK;
});

const MEMLIMIT_REPLY = {
  ok: Reply.OK,
  'too-small': Reply.MEMLIMIT_TOO_SMALL,
  'not-megabytes': Reply.MEMLIMIT_NOT_MB,
  failed: Reply.MEMLIMIT_FAILED,
} as const;
const memlimit = withU32(Reply.ERROR, (uc, mb) => MEMLIMIT_REPLY[uc.admin.setMemoryLimitMb(mb)]);

function shutdown(s: AdminSession, nt: number, _uc: UseCases, scope: AdminScope): void {
  if (!scope.shutdownEnabled) return s.reply(Reply.SHUTDOWN_DISABLED);
  if (nt === 2 || (nt === 3 && s.tokens.is(1, 'graceful'))) {
    s.close();
    scope.requestShutdown();
    return;
  }
  s.reply(Reply.SHUTDOWN_BAD_MODE);
}

/** memcached's slabs commands; our store has one class and nothing to move. */
function slabs(s: AdminSession, nt: number): void {
  const t = s.tokens;
  if (nt === 5 && t.is(1, 'reassign')) {
    const src = tokenI32(t, 2);
    const dst = tokenI32(t, 3);
    if (src === undefined || dst === undefined) return s.reply(Reply.BAD_FORMAT);
    return s.reply(src === dst ? 'SAME src and dst class are identical\r\n' : src === 1 || dst === 1 ? Reply.NOSPARE : Reply.BADCLASS);
  }
  if (nt >= 4 && t.is(1, 'automove')) {
    s.noreplyMaybe(nt);
    if (t.is(2, 'ratio')) {
      if (nt < 5 || !Number.isFinite(Number(t.str(3)))) return s.reply(Reply.ERROR);
      return s.reply(Reply.OK);
    }
    const level = tokenU32(t, 2);
    if (level < 0) return s.reply(Reply.BAD_FORMAT);
    return s.reply(level <= 2 ? Reply.OK : Reply.ERROR);
  }
  s.reply(Reply.ERROR);
}

/**
 * lru_crawler: `metadump` lists the keys; `crawl` is accepted (our expiry
 * sweep runs on its own timer); the tuning knobs are validated like
 * memcached's and have nothing to tune here.
 */
function lruCrawler(s: AdminSession, nt: number, uc: UseCases): MaybePromise<void> {
  const t = s.tokens;
  if (nt === 4 && t.is(1, 'crawl')) return s.reply(Reply.OK);
  if (nt === 4 && t.is(1, 'metadump')) {
    // memcached hands the connection to its crawler thread, which cannot follow earlier replies.
    if (s.repliesPending) return s.reply(Reply.METADUMP_PIPELINED);
    return metadump(s, uc, t.str(2));
  }
  if (nt === 4 && t.is(1, 'tocrawl')) return s.reply(tokenU32(t, 2) < 0 ? Reply.BAD_FORMAT : Reply.OK);
  if (nt === 4 && t.is(1, 'sleep')) {
    const v = tokenU32(t, 2);
    if (v < 0) return s.reply(Reply.BAD_FORMAT);
    return s.reply(v > 1_000_000 ? Reply.SLEEP_TOO_LONG : Reply.OK);
  }
  if (nt === 3 && (t.is(1, 'enable') || t.is(1, 'disable'))) return s.reply(Reply.OK);
  s.reply(Reply.ERROR);
}

/** lru tune/mode/temp_ttl: validated like memcached, no effect on our policies. */
function lru(s: AdminSession, nt: number): void {
  const t = s.tokens;
  if (nt < 3) return s.reply(Reply.ERROR);
  s.noreplyMaybe(nt);
  if (t.is(1, 'tune') && nt >= 7) {
    const hot = tokenU32(t, 2);
    const warm = tokenU32(t, 3);
    const hf = Number(t.str(4));
    const f = Number(t.str(5));
    if (hot < 0 || warm < 0 || Number.isNaN(hf) || Number.isNaN(f)) return s.reply(Reply.ERROR);
    if (hot + warm > 80) return s.reply(Reply.LRU_PCTS);
    if (f <= 0 || hf <= 0) return s.reply(Reply.LRU_FACTORS);
    return s.reply(Reply.OK);
  }
  if (t.is(1, 'mode') && nt >= 4) return s.reply(t.is(2, 'flat') || t.is(2, 'segmented') ? Reply.OK : Reply.ERROR);
  if (t.is(1, 'temp_ttl') && nt >= 4) return s.reply(tokenI32(t, 2) === undefined ? Reply.ERROR : Reply.OK);
  s.reply(Reply.ERROR);
}

function stats(s: AdminSession, nt: number, uc: UseCases, scope: AdminScope): MaybePromise<void> {
  const t = s.tokens;
  if (nt > 2 && t.is(1, 'cachedump')) return cachedump(s, uc, t, nt);
  if (nt > 2 && t.is(1, 'conns')) return statLines(s, scope.connections ? connectionStats(s, scope.connections) : []);
  const r = uc.stats.statsGroup(nt === 2 ? '' : t.str(1), nt < 4 ? undefined : t.str(2));
  switch (r.kind) {
    case 'pairs':
      return statLines(s, r.pairs);
    case 'reset':
      return s.reply(Reply.RESET);
    case 'detail-set':
      return s.reply(Reply.OK);
    case 'detail-dump':
      for (const line of r.lines) s.reply(line + '\r\n');
      return s.reply(Reply.END);
    case 'detail-usage':
      return s.reply(Reply.STATS_DETAIL_USAGE);
    case 'unknown':
      return s.reply(Reply.ERROR);
  }
}

/** memcached's process_stats_conns for the text-protocol connections (listeners are not listed). */
function connectionStats(self: AdminSession, table: ConnectionTable): StatPair[] {
  const pairs: StatPair[] = [];
  for (const c of table.list()) {
    pairs.push(
      [c.id + ':addr', c.addr],
      [c.id + ':listen_addr', c.listenAddr],
      [c.id + ':state', c === (self as unknown) ? 'conn_parse_cmd' : c.state()],
      [c.id + ':secs_since_last_cmd', Math.floor(c.idleMs() / 1000)],
    );
  }
  return pairs;
}

function statLines(s: AdminSession, pairs: readonly StatPair[]): void {
  let out = '';
  for (const [k, v] of pairs) out += 'STAT ' + k + ' ' + v + '\r\n';
  s.reply(out + Reply.END);
}

/**
 * The administration commands by name, as memcached's text_cmd_entries (the
 * text session files them with its key commands).
 */
export const ADMIN_COMMANDS: readonly (readonly [string, AdminCommand])[] = [
  ['stats', stats],
  ['flush_all', flushAll],
  ['version', (s, _nt, uc) => s.reply('VERSION ' + uc.admin.version() + '\r\n')],
  ['verbosity', verbosity],
  ['cache_memlimit', memlimit],
  ['shutdown', shutdown],
  ['slabs', slabs],
  ['lru_crawler', lruCrawler],
  ['lru', lru],
  ['watch', (s) => s.reply(Reply.WATCH_DISABLED)],
  ['quit', (s) => s.close()],
];
