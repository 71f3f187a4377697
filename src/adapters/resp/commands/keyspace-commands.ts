import { then, type MaybePromise } from '../../../domain/maybe-promise.js';
import type { ExpireConditions } from '../../../application/expiry.js';
import type { ArgList } from '../arg-list.js';
import { globMatch } from '../glob.js';
import { RespError } from '../resp-errors.js';
import { command, type RespCommand, type RespContext } from './command.js';
import { TimeUnit, expireCommandTime } from './expire-arguments.js';

function del(cx: RespContext, a: ArgList): MaybePromise<void> {
  return then(cx.uc.keyspace.remove(a.keys(1)), (n) => cx.reply.integer(n));
}

function exists(cx: RespContext, a: ArgList): MaybePromise<void> {
  return then(cx.uc.keyspace.countLive(a.keys(1)), (n) => cx.reply.integer(n));
}

/** Redis's parseExtendedExpireArgumentsOrReply: NX/XX/GT/LT, checked before the time. */
function expireConditions(cx: RespContext, a: ArgList): ExpireConditions | undefined {
  const c: ExpireConditions = {};
  for (let j = 3; j < a.count; j++) {
    if (a.is(j, 'nx')) c.ifNone = true;
    else if (a.is(j, 'xx')) c.ifSet = true;
    else if (a.is(j, 'gt')) c.ifLater = true;
    else if (a.is(j, 'lt')) c.ifEarlier = true;
    else {
      cx.reply.error(RespError.unsupportedOption(a.cString(j, Infinity)));
      return undefined;
    }
  }
  if (c.ifNone && (c.ifSet || c.ifLater || c.ifEarlier)) {
    cx.reply.error(RespError.expireOptions);
    return undefined;
  }
  if (c.ifLater && c.ifEarlier) {
    cx.reply.error(RespError.expireGtLt);
    return undefined;
  }
  return c;
}

function expire(unit: TimeUnit, relative: boolean, fullName: string) {
  return (cx: RespContext, a: ArgList): MaybePromise<void> => {
    const conditions = expireConditions(cx, a);
    if (!conditions) return;
    const when = expireCommandTime(cx, a, unit, relative, fullName);
    if (when === undefined) return;
    return then(cx.uc.expiry.expireAt(a.str(1), when, conditions), (done) => cx.reply.integer(done ? 1 : 0));
  };
}

/** TTL, PTTL, EXPIRETIME, PEXPIRETIME (Redis's ttlGenericCommand). */
function ttl(milliseconds: boolean, absolute: boolean) {
  return (cx: RespContext, a: ArgList): MaybePromise<void> =>
    then(cx.uc.expiry.expiryOf(a.str(1)), (expiry) => {
      if (expiry === undefined) return cx.reply.integer(-2);
      if (expiry === 0) return cx.reply.integer(-1);
      let left = absolute ? expiry : expiry - cx.uc.expiry.now();
      if (left < 0) left = 0;
      cx.reply.integer(milliseconds ? left : Math.floor((left + 500) / 1000));
    });
}

function persist(cx: RespContext, a: ArgList): MaybePromise<void> {
  return then(cx.uc.expiry.persist(a.str(1)), (done) => cx.reply.integer(done ? 1 : 0));
}

function type(cx: RespContext, a: ArgList): MaybePromise<void> {
  return then(cx.uc.keyspace.peek(a.str(1)), (item) => cx.reply.status(item ? 'string' : 'none'));
}

/** Redis's parseScanCursorOrReply: strtoul in base 10, nothing before or after. */
function scanCursor(text: string): number | undefined {
  if (text.length === 0) return 0;
  const m = /^([+-]?)(\d+)$/.exec(text);
  if (!m) return undefined;
  let v = BigInt(m[2]!);
  if (v > 0xffff_ffff_ffff_ffffn) return undefined;
  if (m[1] === '-') v = (0x1_0000_0000_0000_0000n - v) & 0xffff_ffff_ffff_ffffn;
  return v > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(v);
}

function scan(cx: RespContext, a: ArgList): MaybePromise<void> {
  const cursor = scanCursor(a.str(1));
  if (cursor === undefined) return cx.reply.error(RespError.invalidCursor);
  let count = 10;
  let pattern: string | undefined;
  let onlyStrings = true;
  for (let i = 2; i < a.count;) {
    const left = a.count - i;
    if (a.is(i, 'count') && left >= 2) {
      const n = a.int(i + 1);
      if (n === undefined) return cx.reply.error(RespError.notInteger);
      if (n < 1n) return cx.reply.error(RespError.syntax);
      count = n > 1_000_000_000n ? 1_000_000_000 : Number(n);
      i += 2;
    } else if (a.is(i, 'match') && left >= 2) {
      const p = a.str(i + 1);
      pattern = p === '*' ? undefined : p;
      i += 2;
    } else if (a.is(i, 'type') && left >= 2) {
      onlyStrings = a.lower(i + 1) === 'string';
      i += 2;
    } else {
      return cx.reply.error(RespError.syntax);
    }
  }
  const accept = (key: string): boolean => onlyStrings && (pattern === undefined || globMatch(pattern, key));
  return cx.uc.keyspace.scan(cursor, count, accept).then((page) => {
    cx.reply.array(2);
    cx.reply.bulkText(String(page.cursor));
    cx.reply.bulkTexts(page.keys);
  });
}

function keys(cx: RespContext, a: ArgList): MaybePromise<void> {
  const pattern = a.str(1);
  const all = pattern === '*';
  return cx.uc.keyspace.keys((key) => all || globMatch(pattern, key)).then((found) => cx.reply.bulkTexts(found));
}

function dbsize(cx: RespContext): void {
  cx.reply.integer(cx.uc.keyspace.size());
}

/** FLUSHDB / FLUSHALL [ASYNC|SYNC]: both flush at once (there is one database). */
function flush(cx: RespContext, a: ArgList): MaybePromise<void> {
  if (a.count > 2 || (a.count === 2 && !a.is(1, 'sync') && !a.is(1, 'async'))) return cx.reply.error(RespError.syntax);
  return then(cx.uc.flush.flushAll(0), () => cx.reply.ok());
}

const K1: [number, number, number] = [1, 1, 1];
const ALL: [number, number, number] = [1, -1, 1];

/** Commands on keys whatever their value: removal, existence, expiry, enumeration. */
export const keyspaceCommands: RespCommand[] = [
  command('del', -2, 'generic', del, { keys: ALL }),
  command('unlink', -2, 'generic', del, { keys: ALL }),
  command('exists', -2, 'generic', exists, { keys: ALL }),
  command('touch', -2, 'generic', exists, { keys: ALL }),
  command('expire', -3, 'generic', expire(TimeUnit.Seconds, true, 'expire'), { keys: K1 }),
  command('pexpire', -3, 'generic', expire(TimeUnit.Milliseconds, true, 'pexpire'), { keys: K1 }),
  command('expireat', -3, 'generic', expire(TimeUnit.Seconds, false, 'expireat'), { keys: K1 }),
  command('pexpireat', -3, 'generic', expire(TimeUnit.Milliseconds, false, 'pexpireat'), { keys: K1 }),
  command('ttl', 2, 'generic', ttl(false, false), { keys: K1 }),
  command('pttl', 2, 'generic', ttl(true, false), { keys: K1 }),
  command('expiretime', 2, 'generic', ttl(false, true), { keys: K1 }),
  command('pexpiretime', 2, 'generic', ttl(true, true), { keys: K1 }),
  command('persist', 2, 'generic', persist, { keys: K1 }),
  command('type', 2, 'generic', type, { keys: K1 }),
  command('scan', -2, 'generic', scan),
  command('keys', 2, 'generic', keys),
  command('dbsize', 1, 'server', dbsize),
  command('flushdb', -1, 'server', flush),
  command('flushall', -1, 'server', flush),
];
