import { then, type MaybePromise } from '../../../domain/maybe-promise.js';
import type { ArgList } from '../arg-list.js';
import { RespError } from '../resp-errors.js';
import { command, type RespCommand, type RespContext } from './command.js';
import { unknownCommand } from './unknown-command.js';

/**
 * Redis's list, hash, set, sorted set, HyperLogLog and stream commands with
 * their arities, by group. Every item here is a string, so on an existing key
 * they answer WRONGTYPE as Redis does for a string key; on a missing key they
 * would create a structure we do not keep, so they answer Redis's
 * unknown-command error.
 */
const STRUCTURES: Readonly<Record<string, ReadonlyArray<readonly [string, number]>>> = {
  list: [
    ['lpush', -3],
    ['rpush', -3],
    ['lpushx', -3],
    ['rpushx', -3],
    ['lpop', -2],
    ['rpop', -2],
    ['llen', 2],
    ['lrange', 4],
    ['lindex', 3],
    ['lset', 4],
    ['lrem', 4],
    ['ltrim', 4],
    ['linsert', 5],
    ['lpos', -3],
  ],
  hash: [
    ['hset', -4],
    ['hsetnx', 4],
    ['hget', 3],
    ['hmset', -4],
    ['hmget', -3],
    ['hgetall', 2],
    ['hdel', -3],
    ['hlen', 2],
    ['hexists', 3],
    ['hincrby', 4],
    ['hkeys', 2],
    ['hvals', 2],
    ['hstrlen', 3],
  ],
  set: [
    ['sadd', -3],
    ['srem', -3],
    ['smembers', 2],
    ['sismember', 3],
    ['scard', 2],
    ['spop', -2],
    ['srandmember', -2],
  ],
  sortedset: [
    ['zadd', -4],
    ['zrem', -3],
    ['zscore', 3],
    ['zcard', 2],
    ['zincrby', 4],
    ['zrange', -4],
    ['zrank', -3],
  ],
  hyperloglog: [
    ['pfadd', -2],
    ['pfcount', -2],
  ],
  stream: [
    ['xadd', -5],
    ['xlen', 2],
  ],
};

function onStringKey(cx: RespContext, a: ArgList): MaybePromise<void> {
  return then(cx.uc.keyspace.peek(a.str(1)), (item) => (item ? cx.reply.error(RespError.wrongType) : unknownCommand(cx, a)));
}

export const structureCommands: RespCommand[] = Object.entries(STRUCTURES).flatMap(([group, commands]) =>
  commands.map(([name, arity]) => command(name, arity, group, onStringKey, { keys: [1, 1, 1] })),
);
