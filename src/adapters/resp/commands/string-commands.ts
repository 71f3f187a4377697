import type { CacheItem } from '../../../domain/item.js';
import { isPromise, then, type MaybePromise } from '../../../domain/maybe-promise.js';
import { MIN_I64 } from '../../../domain/signed-decimal.js';
import { StoreMode, type StoreOutcome } from '../../../application/storage.js';
import type { CounterFailure, EditFailure, ExpiryChoice, WriteResult } from '../../../application/value-edit.js';
import type { ArgList } from '../arg-list.js';
import { RespError } from '../resp-errors.js';
import { CommandFlag, command, type RespCommand, type RespContext } from './command.js';
import { TimeUnit, expireArgument } from './expire-arguments.js';

const EMPTY_BULK = Buffer.alloc(0);

function bulkOrNil(cx: RespContext, item: CacheItem | undefined): void {
  if (item) cx.reply.bulk(item.value);
  else cx.reply.nil();
}

function get(cx: RespContext, a: ArgList): MaybePromise<void> {
  const r = cx.uc.retrieval.get(a.str(1));
  // A memory hit answers synchronously: no Promise, no closure.
  if (isPromise(r)) return r.then((item) => bulkOrNil(cx, item));
  bulkOrNil(cx, r);
}

function storedReply(cx: RespContext, outcome: StoreOutcome): void {
  if (outcome === 'stored') cx.reply.ok();
  else cx.reply.error(RespError.oom);
}

/** SET's option flags (Redis's OBJ_SET_* / OBJ_*). */
const enum SetFlag {
  NX = 1,
  XX = 2,
  GET = 4,
  KEEPTTL = 8,
  EX = 16,
  PX = 32,
  EXAT = 64,
  PXAT = 128,
  PERSIST = 256,
}
const ANY_EXPIRE = SetFlag.EX | SetFlag.PX | SetFlag.EXAT | SetFlag.PXAT;

/**
 * Redis's parseExtendedStringArgumentsOrReply for SET (`forSet`) and GETEX:
 * the flags and the index of the expire argument (0 = none), or undefined
 * after answering "syntax error".
 */
function parseStringOptions(cx: RespContext, a: ArgList, from: number, forSet: boolean): { flags: number; expireAt: number } | undefined {
  let flags = 0;
  let expireAt = 0;
  for (let j = from; j < a.count; j++) {
    const hasNext = j < a.count - 1;
    if (forSet && a.is(j, 'nx') && !(flags & SetFlag.XX)) flags |= SetFlag.NX;
    else if (forSet && a.is(j, 'xx') && !(flags & SetFlag.NX)) flags |= SetFlag.XX;
    else if (forSet && a.is(j, 'get')) flags |= SetFlag.GET;
    else if (forSet && a.is(j, 'keepttl') && !(flags & (SetFlag.PERSIST | ANY_EXPIRE))) flags |= SetFlag.KEEPTTL;
    else if (!forSet && a.is(j, 'persist') && !(flags & (ANY_EXPIRE | SetFlag.KEEPTTL))) flags |= SetFlag.PERSIST;
    else if (a.is(j, 'ex') && !(flags & (SetFlag.KEEPTTL | SetFlag.PERSIST | SetFlag.EXAT | SetFlag.PX | SetFlag.PXAT)) && hasNext) {
      flags |= SetFlag.EX;
      expireAt = ++j;
    } else if (a.is(j, 'px') && !(flags & (SetFlag.KEEPTTL | SetFlag.PERSIST | SetFlag.EX | SetFlag.EXAT | SetFlag.PXAT)) && hasNext) {
      flags |= SetFlag.PX;
      expireAt = ++j;
    } else if (a.is(j, 'exat') && !(flags & (SetFlag.KEEPTTL | SetFlag.PERSIST | SetFlag.EX | SetFlag.PX | SetFlag.PXAT)) && hasNext) {
      flags |= SetFlag.EXAT;
      expireAt = ++j;
    } else if (a.is(j, 'pxat') && !(flags & (SetFlag.KEEPTTL | SetFlag.PERSIST | SetFlag.EX | SetFlag.EXAT | SetFlag.PX)) && hasNext) {
      flags |= SetFlag.PXAT;
      expireAt = ++j;
    } else {
      cx.reply.error(RespError.syntax);
      return undefined;
    }
  }
  return { flags, expireAt };
}

/** The absolute expiry an option set asks for, or undefined after an error reply. */
function optionExpiry(cx: RespContext, a: ArgList, flags: number, at: number, fullName: string): number | undefined {
  const unit = flags & (SetFlag.EX | SetFlag.EXAT) ? TimeUnit.Seconds : TimeUnit.Milliseconds;
  return expireArgument(cx, a, at, unit, (flags & (SetFlag.EX | SetFlag.PX)) !== 0, fullName);
}

function set(cx: RespContext, a: ArgList): MaybePromise<void> {
  const key = a.str(1);
  const value = a.bytes(2);
  if (a.count === 3) {
    if (!cx.uc.valueEdit.fits(key.length, value.length)) return cx.reply.error(RespError.tooLarge);
    const r = cx.uc.storage.store(StoreMode.Set, key, 0, 0, value, 0);
    if (isPromise(r)) return r.then((outcome) => storedReply(cx, outcome));
    return storedReply(cx, r);
  }
  const parsed = parseStringOptions(cx, a, 3, true);
  if (!parsed) return;
  const { flags, expireAt } = parsed;
  let expiry: ExpiryChoice = flags & SetFlag.KEEPTTL ? 'keep' : 0;
  if (expireAt) {
    const at = optionExpiry(cx, a, flags, expireAt, 'set');
    if (at === undefined) return;
    expiry = at;
  }
  const only = flags & SetFlag.NX ? 'absent' : flags & SetFlag.XX ? 'present' : undefined;
  const withGet = (flags & SetFlag.GET) !== 0;
  return then(cx.uc.valueEdit.write(key, value, { only, expiry, returnOld: withGet }), (r) => {
    if (writeFailed(cx, r)) return;
    if (withGet) return r.old ? cx.reply.bulk(r.old) : cx.reply.nil();
    if (r.outcome === 'skipped') return cx.reply.nil();
    cx.reply.ok();
  });
}

function writeFailed(cx: RespContext, r: WriteResult): boolean {
  if (r.outcome === 'too-large') cx.reply.error(RespError.tooLarge);
  else if (r.outcome === 'no-memory') cx.reply.error(RespError.oom);
  else return false;
  return true;
}

function setWithExpire(unit: TimeUnit, fullName: string) {
  return (cx: RespContext, a: ArgList): MaybePromise<void> => {
    const at = expireArgument(cx, a, 2, unit, true, fullName);
    if (at === undefined) return;
    return then(cx.uc.valueEdit.write(a.str(1), a.bytes(3), { expiry: at }), (r) => {
      if (!writeFailed(cx, r)) cx.reply.ok();
    });
  };
}

function setnx(cx: RespContext, a: ArgList): MaybePromise<void> {
  return then(cx.uc.valueEdit.write(a.str(1), a.bytes(2), { only: 'absent', expiry: 0 }), (r) => {
    if (!writeFailed(cx, r)) cx.reply.integer(r.outcome === 'written' ? 1 : 0);
  });
}

function getset(cx: RespContext, a: ArgList): MaybePromise<void> {
  return then(cx.uc.valueEdit.write(a.str(1), a.bytes(2), { expiry: 0, returnOld: true }), (r) => {
    if (writeFailed(cx, r)) return;
    if (r.old) cx.reply.bulk(r.old);
    else cx.reply.nil();
  });
}

function getdel(cx: RespContext, a: ArgList): MaybePromise<void> {
  return then(cx.uc.valueEdit.take(a.str(1)), (value) => (value ? cx.reply.bulk(value) : cx.reply.nil()));
}

function getex(cx: RespContext, a: ArgList): MaybePromise<void> {
  const parsed = parseStringOptions(cx, a, 2, false);
  if (!parsed) return;
  const { flags, expireAt } = parsed;
  const key = a.str(1);
  return then(cx.uc.retrieval.get(key), (item): MaybePromise<void> => {
    if (!item) return cx.reply.nil();
    let at = 0;
    if (expireAt) {
      const when = optionExpiry(cx, a, flags, expireAt, 'getex');
      if (when === undefined) return;
      at = when;
    }
    cx.reply.bulk(item.value);
    if (expireAt) return then(cx.uc.expiry.expireAt(key, at), () => undefined);
    if (flags & SetFlag.PERSIST) return then(cx.uc.expiry.persist(key), () => undefined);
  });
}

function mget(cx: RespContext, a: ArgList): MaybePromise<void> {
  cx.reply.array(a.count - 1);
  const next = (i: number): MaybePromise<void> => {
    for (; i < a.count; i++) {
      const r = cx.uc.retrieval.get(a.str(i));
      if (isPromise(r)) return r.then((item) => (bulkOrNil(cx, item), next(i + 1)));
      bulkOrNil(cx, r);
    }
  };
  return next(1);
}

function msetGeneric(onlyIfNoneExists: boolean, fullName: string) {
  return (cx: RespContext, a: ArgList): MaybePromise<void> => {
    if (a.count % 2 === 0) return cx.reply.error(RespError.arity(fullName));
    const keys: string[] = [];
    const values: Buffer[] = [];
    for (let i = 1; i < a.count; i += 2) {
      keys.push(a.str(i));
      values.push(a.bytes(i + 1));
    }
    return then(cx.uc.valueEdit.writeMany(keys, values, onlyIfNoneExists), (r) => {
      if (writeFailed(cx, r)) return;
      if (onlyIfNoneExists) cx.reply.integer(r.outcome === 'written' ? 1 : 0);
      else cx.reply.ok();
    });
  };
}

function counterReply(cx: RespContext, r: bigint | CounterFailure): void {
  if (typeof r === 'bigint') cx.reply.integer(r);
  else cx.reply.error(r === 'not-integer' ? RespError.notInteger : r === 'overflow' ? RespError.overflow : RespError.oom);
}

function counter(sign: 1n | -1n, withArgument: boolean) {
  return (cx: RespContext, a: ArgList): MaybePromise<void> => {
    let delta = 1n;
    if (withArgument) {
      const d = a.int(2);
      if (d === undefined) return cx.reply.error(RespError.notInteger);
      if (sign < 0n && d === MIN_I64) return cx.reply.error(RespError.decrementOverflow);
      delta = d;
    }
    return then(cx.uc.valueEdit.addSigned(a.str(1), sign * delta), (r) => counterReply(cx, r));
  };
}

function editReply(cx: RespContext, r: number | EditFailure): void {
  if (typeof r === 'number') cx.reply.integer(r);
  else cx.reply.error(r === 'too-large' ? RespError.tooLarge : RespError.oom);
}

function append(cx: RespContext, a: ArgList): MaybePromise<void> {
  return then(cx.uc.valueEdit.append(a.str(1), a.bytes(2)), (r) => editReply(cx, r));
}

function strlen(cx: RespContext, a: ArgList): MaybePromise<void> {
  return then(cx.uc.keyspace.peek(a.str(1)), (item) => cx.reply.integer(item ? item.value.length : 0));
}

function getrange(cx: RespContext, a: ArgList): MaybePromise<void> {
  let start = a.int(2);
  let end = a.int(3);
  if (start === undefined || end === undefined) return cx.reply.error(RespError.notInteger);
  return then(cx.uc.retrieval.get(a.str(1)), (item) => {
    if (!item) return cx.reply.bulk(EMPTY_BULK);
    const len = BigInt(item.value.length);
    if (start! < 0n && end! < 0n && start! > end!) return cx.reply.bulk(EMPTY_BULK);
    if (start! < 0n) start = len + start!;
    if (end! < 0n) end = len + end!;
    if (start! < 0n) start = 0n;
    if (end! < 0n) end = 0n;
    if (end! >= len) end = len - 1n;
    if (start! > end! || len === 0n) return cx.reply.bulk(EMPTY_BULK);
    cx.reply.bulk(item.value.subarray(Number(start), Number(end!) + 1));
  });
}

function setrange(cx: RespContext, a: ArgList): MaybePromise<void> {
  const offset = a.int(2);
  if (offset === undefined) return cx.reply.error(RespError.notInteger);
  if (offset < 0n) return cx.reply.error(RespError.offsetRange);
  // Offsets past 2^40 cannot fit any item: clamp before leaving bigint.
  const at = offset > 1n << 40n ? 2 ** 40 : Number(offset);
  return then(cx.uc.valueEdit.setRange(a.str(1), at, a.bytes(3)), (r) => editReply(cx, r));
}

const K1: [number, number, number] = [1, 1, 1];
const W1 = { keys: K1, flags: CommandFlag.Write };

/** The string commands. */
export const stringCommands: RespCommand[] = [
  command('get', 2, 'string', get, { keys: K1 }),
  command('set', -3, 'string', set, W1),
  command('setnx', 3, 'string', setnx, W1),
  command('setex', 4, 'string', setWithExpire(TimeUnit.Seconds, 'setex'), W1),
  command('psetex', 4, 'string', setWithExpire(TimeUnit.Milliseconds, 'psetex'), W1),
  command('getset', 3, 'string', getset, W1),
  command('getdel', 2, 'string', getdel, W1),
  command('getex', -2, 'string', getex, W1),
  command('mget', -2, 'string', mget, { keys: [1, -1, 1] }),
  command('mset', -3, 'string', msetGeneric(false, 'mset'), { keys: [1, -1, 2], flags: CommandFlag.Write }),
  command('msetnx', -3, 'string', msetGeneric(true, 'msetnx'), { keys: [1, -1, 2], flags: CommandFlag.Write }),
  command('incr', 2, 'string', counter(1n, false), W1),
  command('decr', 2, 'string', counter(-1n, false), W1),
  command('incrby', 3, 'string', counter(1n, true), W1),
  command('decrby', 3, 'string', counter(-1n, true), W1),
  command('append', 3, 'string', append, W1),
  command('strlen', 2, 'string', strlen, { keys: K1 }),
  command('getrange', 4, 'string', getrange, { keys: K1 }),
  command('substr', 4, 'string', getrange, { keys: K1 }),
  command('setrange', 4, 'string', setrange, W1),
];
