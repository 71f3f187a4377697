import { then, type MaybePromise } from '../../../domain/maybe-promise.js';
import type { ArgList } from '../arg-list.js';
import { RespError } from '../resp-errors.js';
import { command, type RespCommand, type RespContext } from './command.js';
import { unknownCommand } from './unknown-command.js';

/**
 * Redis's list, hash, set, sorted set, HyperLogLog and stream commands with
 * their arities. Every item here is a string, so on an existing key they
 * answer WRONGTYPE as Redis does for a string key; on a missing key they
 * would create a structure we do not keep, so they answer Redis's
 * unknown-command error.
 */
const STRUCTURES: ReadonlyArray<readonly [string, number, string]> = [
  ['lpush', -3, 'list'],
  ['rpush', -3, 'list'],
  ['lpushx', -3, 'list'],
  ['rpushx', -3, 'list'],
  ['lpop', -2, 'list'],
  ['rpop', -2, 'list'],
  ['llen', 2, 'list'],
  ['lrange', 4, 'list'],
  ['lindex', 3, 'list'],
  ['lset', 4, 'list'],
  ['lrem', 4, 'list'],
  ['ltrim', 4, 'list'],
  ['linsert', 5, 'list'],
  ['lpos', -3, 'list'],
  ['hset', -4, 'hash'],
  ['hsetnx', 4, 'hash'],
  ['hget', 3, 'hash'],
  ['hmset', -4, 'hash'],
  ['hmget', -3, 'hash'],
  ['hgetall', 2, 'hash'],
  ['hdel', -3, 'hash'],
  ['hlen', 2, 'hash'],
  ['hexists', 3, 'hash'],
  ['hincrby', 4, 'hash'],
  ['hkeys', 2, 'hash'],
  ['hvals', 2, 'hash'],
  ['hstrlen', 3, 'hash'],
  ['sadd', -3, 'set'],
  ['srem', -3, 'set'],
  ['smembers', 2, 'set'],
  ['sismember', 3, 'set'],
  ['scard', 2, 'set'],
  ['spop', -2, 'set'],
  ['srandmember', -2, 'set'],
  ['zadd', -4, 'sortedset'],
  ['zrem', -3, 'sortedset'],
  ['zscore', 3, 'sortedset'],
  ['zcard', 2, 'sortedset'],
  ['zincrby', 4, 'sortedset'],
  ['zrange', -4, 'sortedset'],
  ['zrank', -3, 'sortedset'],
  ['pfadd', -2, 'hyperloglog'],
  ['pfcount', -2, 'hyperloglog'],
  ['xadd', -5, 'stream'],
  ['xlen', 2, 'stream'],
];

function onStringKey(cx: RespContext, a: ArgList): MaybePromise<void> {
  return then(cx.uc.keyspace.peek(a.str(1)), (item) => (item ? cx.reply.error(RespError.wrongType) : unknownCommand(cx, a)));
}

export const structureCommands: RespCommand[] = STRUCTURES.map(([name, arity, group]) => command(name, arity, group, onStringKey, { keys: [1, 1, 1] }));
