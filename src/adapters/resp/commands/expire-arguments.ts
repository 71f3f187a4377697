import { MAX_I64, MIN_I64 } from '../../../domain/signed-decimal.js';
import type { ArgList } from '../arg-list.js';
import { RespError } from '../resp-errors.js';
import type { RespContext } from './command.js';

/** How an expire argument is given. */
export const enum TimeUnit {
  Seconds,
  Milliseconds,
}

/**
 * An expiry argument of SET/SETEX/GETEX as Redis validates it
 * (getExpireMillisecondsOrReply): a positive integer, converted to an
 * absolute epoch-ms time. Answers the error and returns undefined when bad.
 */
export function expireArgument(cx: RespContext, a: ArgList, i: number, unit: TimeUnit, relative: boolean, fullName: string): number | undefined {
  let v = a.int(i);
  if (v === undefined) {
    cx.reply.error(RespError.notInteger);
    return undefined;
  }
  if (v <= 0n || (unit === TimeUnit.Seconds && v > MAX_I64 / 1000n)) {
    cx.reply.error(RespError.expireTime(fullName));
    return undefined;
  }
  if (unit === TimeUnit.Seconds) v *= 1000n;
  if (relative) v += BigInt(cx.uc.expiry.now());
  if (v > MAX_I64) {
    cx.reply.error(RespError.expireTime(fullName));
    return undefined;
  }
  return Number(v);
}

/**
 * The time argument of EXPIRE/PEXPIRE/EXPIREAT/PEXPIREAT (any integer,
 * negative allowed), as absolute epoch ms; undefined after answering an error.
 */
export function expireCommandTime(cx: RespContext, a: ArgList, unit: TimeUnit, relative: boolean, fullName: string): number | undefined {
  let when = a.int(2);
  if (when === undefined) {
    cx.reply.error(RespError.notInteger);
    return undefined;
  }
  if (unit === TimeUnit.Seconds) {
    if (when > MAX_I64 / 1000n || when < MIN_I64 / 1000n) {
      cx.reply.error(RespError.expireTime(fullName));
      return undefined;
    }
    when *= 1000n;
  }
  const base = relative ? BigInt(cx.uc.expiry.now()) : 0n;
  if (when > MAX_I64 - base) {
    cx.reply.error(RespError.expireTime(fullName));
    return undefined;
  }
  return Number(when + base);
}
