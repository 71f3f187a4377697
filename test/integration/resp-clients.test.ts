import { spawnSync } from 'node:child_process';
import { expect } from 'chai';
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { OutcomeLog } from './support/client-scenario.js';
import { startRespPair } from './support/resp-servers.js';
import type { RunningServer } from './support/running-server.js';

/**
 * One client-level scenario, as a caching application drives Redis (Rails'
 * and Django's cache stores: set with expiry, mget/mset, pipelined MSET +
 * EXPIRE, MULTI/EXEC, SCAN MATCH COUNT, INFO, FLUSHDB), run through ioredis,
 * node-redis and redis-cli against the real redis-server and against
 * rat-memcache's RESP listener. The recorded outcomes must be equal.
 */

const BINARY = Buffer.from([0, 1, 2, 0xff, 0x0d, 0x0a, 0x80]);

async function ioredisScenario(server: RunningServer): Promise<OutcomeLog> {
  const client = new Redis({ host: server.host, port: server.port, maxRetriesPerRequest: 0, lazyConnect: true, retryStrategy: () => null });
  const log = new OutcomeLog();
  try {
    await client.connect();
    await log.step('flushdb', () => client.flushdb());
    await log.step('set', () => client.set('greeting', 'hello'));
    await log.step('get', () => client.get('greeting'));
    await log.step('get missing', () => client.get('missing'));
    await log.step('set EX', () => client.set('session', 'data', 'EX', 100));
    await log.step('ttl', () => client.ttl('session'));
    await log.step('set NX existing', () => client.set('greeting', 'x', 'NX'));
    await log.step('set XX missing', () => client.set('nobody', 'x', 'XX'));
    await log.step('set GET', () => client.set('greeting', 'hi', 'GET'));
    await log.step('mset', () => client.mset({ a: '1', b: '2', c: '3' }));
    await log.step('mget', () => client.mget('a', 'missing', 'c'));
    await log.step('incr', () => client.incr('counter'));
    await log.step('incrby', () => client.incrby('counter', 41));
    await log.step('decrby', () => client.decrby('counter', 100));
    await log.step('incr non-integer', () => client.incr('greeting'));
    await log.step('append', () => client.append('greeting', ' there'));
    await log.step('strlen', () => client.strlen('greeting'));
    await log.step('getrange', () => client.getrange('greeting', 0, 1));
    await log.step('setrange', () => client.setrange('greeting', 10, 'X'));
    await log.step('binary set', () => client.set(Buffer.from('bin'), BINARY));
    await log.step('binary get', async () => [...((await client.getBuffer('bin')) ?? [])]);
    await log.step('exists', () => client.exists('a', 'b', 'missing'));
    await log.step('expire', () => client.expire('a', 50));
    await log.step('expire NX on expiring key', () => client.expire('a', 60, 'NX'));
    await log.step('persist', () => client.persist('a'));
    await log.step('ttl persisted', () => client.ttl('a'));
    await log.step('pipeline mset+expire', async () =>
      (await client.pipeline().mset('p1', 'x', 'p2', 'y').expire('p1', 30).expire('p2', 30).ttl('p1').exec())?.map(([e, r]) => (e ? e.message : r)),
    );
    await log.step('multi/exec', async () => (await client.multi().set('m1', 'v').incr('m2').get('m1').exec())?.map(([e, r]) => (e ? e.message : r)));
    await log.step('getdel', () => client.getdel('m1'));
    await log.step('getex', () => client.getex('greeting', 'PX', 5000));
    await log.step('type', () => client.type('greeting'));
    await log.step('type none', () => client.type('missing'));
    for (let i = 0; i < 30; i++) await client.set(`cache:${i}`, String(i));
    await log.step('scanStream MATCH COUNT', async () => {
      const keys: string[] = [];
      for await (const page of client.scanStream({ match: 'cache:*', count: 7 })) keys.push(...(page as string[]));
      return [...new Set(keys)].sort();
    });
    await log.step('keys', async () => (await client.keys('cache:1*')).sort());
    await log.step('dbsize', () => client.dbsize());
    await log.step('info has keyspace', async () => /# Keyspace\r\ndb0:keys=\d+/.test(await client.info('keyspace')));
    await log.step('del', () => client.del('cache:1', 'cache:2', 'missing'));
    await log.step('wrong arity', () => client.call('GET'));
    await log.step('unknown command', () => client.call('NOSUCH', 'x'));
    await log.step('wrongtype', () => client.lpush('greeting', 'x'));
    await log.step('echo', () => client.echo('echo me'));
    await log.step('select 1', () => client.select(1));
    await log.step('flushall', () => client.flushall());
    await log.step('dbsize after flush', () => client.dbsize());
  } finally {
    client.disconnect();
  }
  return log;
}

async function nodeRedisScenario(server: RunningServer, resp: 2 | 3): Promise<OutcomeLog> {
  const client = createClient({ socket: { host: server.host, port: server.port, reconnectStrategy: false }, RESP: resp });
  client.on('error', () => {});
  const log = new OutcomeLog();
  try {
    await client.connect();
    await log.step('flushDb', () => client.flushDb());
    await log.step('set EX', () => client.set('k', 'v', { expiration: { type: 'EX', value: 100 } }));
    await log.step('ttl', () => client.ttl('k'));
    await log.step('get', () => client.get('k'));
    await log.step('get missing', () => client.get('missing'));
    await log.step('set NX', () => client.set('k', 'w', { condition: 'NX' }));
    await log.step('mSet', () => client.mSet({ x: '1', y: '2' }));
    await log.step('mGet', () => client.mGet(['x', 'nope', 'y']));
    await log.step('incrBy', () => client.incrBy('x', 9));
    await log.step('decr', () => client.decr('y'));
    await log.step('incr overflow', async () => {
      await client.set('big', '9223372036854775807');
      return client.incr('big');
    });
    await log.step('append', () => client.append('k', '!'));
    await log.step('multi/exec', () => client.multi().set('t', '1').incr('t').get('t').exec());
    await log.step('watch + exec after change', async () => {
      await client.watch('t');
      await client.set('t', 'changed');
      try {
        return await client.multi().set('t', 'tx').exec();
      } catch (error) {
        return { error: (error as Error).constructor.name };
      }
    });
    await log.step('get t', () => client.get('t'));
    await log.step('pExpire + pTTL bucket', async () => {
      await client.pExpire('t', 10_000);
      const left = await client.pTTL('t');
      return left > 9_000 && left <= 10_000;
    });
    await log.step('persist', () => client.persist('t'));
    for (let i = 0; i < 25; i++) await client.set(`s:${i}`, 'v');
    await log.step('scanIterator MATCH COUNT', async () => {
      const keys: string[] = [];
      for await (const page of client.scanIterator({ MATCH: 's:*', COUNT: 5 })) keys.push(...(Array.isArray(page) ? page : [page]));
      return [...new Set(keys)].sort();
    });
    await log.step('exists', () => client.exists(['s:1', 's:2', 'zz']));
    await log.step('unlink', () => client.unlink(['s:1', 's:2', 'zz']));
    await log.step('getDel', () => client.getDel('x'));
    await log.step('getRange', () => client.getRange('k', 0, -2));
    await log.step('setRange', () => client.setRange('k', 1, 'AB'));
    await log.step('strLen', () => client.strLen('k'));
    await log.step('clientSetName/GetName', async () => [await client.clientSetName('app-1'), await client.clientGetName()]);
    await log.step('ping', () => client.ping());
    await log.step('sendCommand unknown', () => client.sendCommand(['NOPE']));
    await log.step('hGet on string', () => client.hGet('k', 'f'));
    await log.step('flushAll', () => client.flushAll());
  } finally {
    await client.quit().catch(() => undefined);
  }
  return log;
}

/** redis-cli reading commands from stdin, as a shell script would; its printed output is the outcome. */
function redisCliScenario(server: RunningServer, resp3: boolean): OutcomeLog {
  const script = [
    'FLUSHDB',
    'SET greeting "hello world"',
    'GET greeting',
    'SET counter 10 EX 1000',
    'INCRBY counter 5',
    'TTL counter',
    'MSET a 1 b 2',
    'MGET a b missing',
    'SET bin "\\x00\\xff\\r\\n"',
    'STRLEN bin',
    'GET bin',
    'EXISTS a b c',
    'EXPIRE a 100 XX',
    'EXPIRE a 100 NX',
    'PERSIST a',
    'TTL a',
    'GETSET a 42',
    'SETNX a 1',
    'APPEND newkey abc',
    'GETRANGE newkey -2 -1',
    'TYPE newkey',
    'DEL a b newkey',
    // KEYS order is the server's hash order: one match only.
    'KEYS gree*',
    'INCR greeting',
    'GET',
    'NOSUCHCOMMAND x y',
    'SELECT 0',
    'SELECT 5',
    'CLIENT SETNAME "bad name"',
    'HELLO 4',
    'PING',
    'ECHO "hi there"',
    'MULTI',
    'SET t 1',
    'INCR t',
    'EXEC',
    'FLUSHALL ASYNC',
    'DBSIZE',
  ].join('\n');
  const args = ['-h', server.host, '-p', String(server.port), ...(resp3 ? ['-3'] : [])];
  const run = spawnSync('redis-cli', args, { input: script + '\n', encoding: 'latin1', timeout: 20_000 });
  if (run.error) throw new Error(`redis-cli could not run: ${run.error.message} (apt-get install -y redis-tools)`);
  const log = new OutcomeLog();
  log.record('exit', run.status);
  run.stdout.split('\n').forEach((line, i) => log.record(`line ${i}`, line));
  return log;
}

/**
 * Debian's python3-redis (redis-py), as Django's Redis cache backend drives it: set_many through a
 * transactional pipeline (MULTI/EXEC), get_many, incr, expiry, scan_iter with MATCH/COUNT, info.
 */
const PYTHON_SCENARIO = `
import json, sys, redis
r = redis.Redis(host=sys.argv[1], port=int(sys.argv[2]), socket_timeout=5)
out = []
def step(label, f):
    try:
        v = f()
        if isinstance(v, bytes): v = v.decode('latin1')
        if isinstance(v, list): v = [x.decode('latin1') if isinstance(x, bytes) else x for x in v]
        out.append([label, v])
    except Exception as e:
        out.append([label, {'error': str(e)}])
step('flushdb', lambda: r.flushdb())
def set_many():
    p = r.pipeline()
    for i in range(10): p.set(':1:key%d' % i, 'value%d' % i, ex=300)
    return p.execute()
step('set_many (MULTI/EXEC pipeline)', set_many)
step('get_many', lambda: r.mget([':1:key%d' % i for i in range(12)]))
step('ttl', lambda: r.ttl(':1:key3'))
step('set nx', lambda: r.set(':1:key3', 'x', nx=True))
step('incr', lambda: r.incr(':1:counter'))
step('incrby', lambda: r.incrby(':1:counter', 10))
step('incr non-integer', lambda: r.incr(':1:key1'))
step('delete_many', lambda: r.delete(':1:key8', ':1:key9', ':1:nope'))
step('scan_iter', lambda: sorted(k.decode() for k in r.scan_iter(match=':1:key*', count=3)))
step('touch', lambda: r.expire(':1:key0', 60))
step('persist', lambda: r.persist(':1:key0'))
step('info has redis_version', lambda: 'redis_version' in r.info())
def watched():
    with r.pipeline() as p:
        p.watch(':1:counter')
        r.set(':1:counter', 100)
        p.multi()
        p.incr(':1:counter')
        try:
            return p.execute()
        except redis.WatchError:
            return 'WatchError'
step('watch conflict', watched)
step('get counter', lambda: r.get(':1:counter'))
step('exists', lambda: r.exists(':1:key1', ':1:key2', ':1:nope'))
step('type', lambda: r.type(':1:key1'))
step('flushall', lambda: r.flushall())
print(json.dumps(out))
`;

function pythonScenario(server: RunningServer): OutcomeLog {
  const run = spawnSync('/usr/bin/python3', ['-c', PYTHON_SCENARIO, server.host, String(server.port)], { encoding: 'utf8', timeout: 30_000 });
  if (run.status !== 0)
    throw new Error(`python3-redis scenario failed (apt-get install -y python3-redis): ${run.error?.message ?? run.stderr.trim().split('\n').pop()}`);
  const log = new OutcomeLog();
  for (const [label, outcome] of JSON.parse(run.stdout) as [string, unknown][]) log.record(label, outcome);
  return log;
}

describe('integration: Redis clients against redis-server and the RESP listener', function () {
  this.timeout(120_000);
  let reference: RunningServer;
  let target: RunningServer;

  before(async () => {
    ({ reference, target } = await startRespPair());
  });
  after(async () => {
    await Promise.all([reference?.stop(), target?.stop()]);
  });

  const compare = (expected: OutcomeLog, actual: OutcomeLog): void => {
    expect(actual.entries, `scenario outcomes differ (reference: ${reference.description}, target: ${target.description})`).to.deep.equal(expected.entries);
    expect(expected.entries.length).to.be.greaterThan(15);
  };

  it('ioredis: same outcomes', async () => {
    compare(await ioredisScenario(reference), await ioredisScenario(target));
  });

  for (const resp of [2, 3] as const) {
    it(`node-redis (RESP${resp}): same outcomes`, async () => {
      compare(await nodeRedisScenario(reference, resp), await nodeRedisScenario(target, resp));
    });
  }

  it('python3-redis (Django cache backend usage): same outcomes', () => {
    compare(pythonScenario(reference), pythonScenario(target));
  });

  for (const resp3 of [false, true]) {
    it(`redis-cli${resp3 ? ' -3' : ''}: same output`, () => {
      compare(redisCliScenario(reference, resp3), redisCliScenario(target, resp3));
    });
  }
});
