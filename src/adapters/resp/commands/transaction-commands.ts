import { isPromise, then, type MaybePromise } from '../../../domain/maybe-promise.js';
import type { ArgList } from '../arg-list.js';
import { RespError } from '../resp-errors.js';
import { CommandFlag, command, type QueuedCommand, type RespCommand, type RespContext } from './command.js';

function multi(cx: RespContext): void {
  const t = cx.transaction;
  if (t.active) return cx.reply.error(RespError.multiNested);
  t.active = true;
  t.dirty = false;
  t.queue = [];
  cx.reply.ok();
}

function discard(cx: RespContext): void {
  const t = cx.transaction;
  if (!t.active) return cx.reply.error(RespError.discardWithoutMulti);
  endTransaction(cx);
  cx.reply.ok();
}

/** Leaves MULTI and forgets watched keys (EXEC and DISCARD both unwatch). */
export function endTransaction(cx: RespContext): void {
  const t = cx.transaction;
  t.active = false;
  t.dirty = false;
  t.queue = [];
  cx.watches.removeAll(t);
  t.watched.clear();
  t.watchBroken = false;
}

/**
 * What WATCH remembers and EXEC compares: the item's cas and expiry ('' when
 * absent). A write changes the cas; an expiry change (EXPIRE, PERSIST,
 * memcached touch) changes only the expiry, and Redis counts it as a
 * modification too.
 */
function versionOf(cx: RespContext, key: string): MaybePromise<string> {
  return then(cx.uc.keyspace.peek(key), (item) => (item ? `${item.cas}:${item.exptime}` : ''));
}

function watch(cx: RespContext, a: ArgList): MaybePromise<void> {
  if (cx.transaction.active) return cx.reply.error(RespError.watchInMulti);
  const keys = a.keys(1);
  const next = (i: number): MaybePromise<void> => {
    for (; i < keys.length; i++) {
      const key = keys[i]!;
      if (cx.transaction.watched.has(key)) continue;
      const r = versionOf(cx, key);
      if (isPromise(r)) return r.then((version) => (watchKey(cx, key, version), next(i + 1)));
      watchKey(cx, key, r);
    }
    cx.reply.ok();
  };
  return next(0);
}

function watchKey(cx: RespContext, key: string, version: string): void {
  cx.transaction.watched.set(key, version);
  cx.watches.add(key, cx.transaction);
}

function unwatch(cx: RespContext): void {
  cx.watches.removeAll(cx.transaction);
  cx.transaction.watched.clear();
  cx.transaction.watchBroken = false;
  cx.reply.ok();
}

/** True when every watched key still has the version it had when watched. */
function watchedUnchanged(cx: RespContext, watched: [string, string][]): MaybePromise<boolean> {
  const next = (i: number): MaybePromise<boolean> => {
    for (; i < watched.length; i++) {
      const [key, version] = watched[i]!;
      const r = versionOf(cx, key);
      if (isPromise(r)) return r.then((now) => (now === version ? next(i + 1) : false));
      if (r !== version) return false;
    }
    return true;
  };
  return next(0);
}

/**
 * Runs the queued commands back to back: each starts as soon as the one
 * before has answered, and the session reads no other request meanwhile.
 */
function exec(cx: RespContext): MaybePromise<void> {
  const t = cx.transaction;
  if (!t.active) return cx.reply.error(RespError.execWithoutMulti);
  if (t.dirty) {
    endTransaction(cx);
    return cx.reply.error(RespError.execAbort);
  }
  const queue = t.queue;
  const watched = [...t.watched];
  const broken = t.watchBroken;
  endTransaction(cx);
  return then(broken ? false : watchedUnchanged(cx, watched), (ok) => {
    if (!ok) return cx.reply.nilArray();
    cx.reply.array(queue.length);
    return runAll(cx, queue, 0);
  });
}

function runAll(cx: RespContext, queue: QueuedCommand[], from: number): MaybePromise<void> {
  for (let i = from; i < queue.length; i++) {
    const q = queue[i]!;
    const r = cx.runCommand(q.command, q.args);
    if (isPromise(r)) return r.then(() => runAll(cx, queue, i + 1));
  }
}

const immediate = { flags: CommandFlag.Immediate };

/** MULTI, EXEC, DISCARD, WATCH, UNWATCH. */
export const transactionCommands: RespCommand[] = [
  command('multi', 1, 'transactions', multi, immediate),
  command('exec', 1, 'transactions', exec, immediate),
  command('discard', 1, 'transactions', discard, immediate),
  command('watch', -2, 'transactions', watch, { ...immediate, keys: [1, -1, 1] }),
  command('unwatch', 1, 'transactions', unwatch),
];
