import { expect } from 'chai';
import Memcached from 'memcached';
import { startE2EServer, type E2EServer } from '../support/server-fixture.js';

/** Promisifies one callback-API call of the `memcached` client. */
function call<T>(f: (cb: (err: Error | undefined, r: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => f((err, r) => (err ? reject(err) : resolve(r))));
}

describe('e2e: the npm memcached client (ASCII)', function () {
  this.timeout(20_000);
  let srv: E2EServer;
  let mc: Memcached;

  before(async () => {
    srv = await startE2EServer();
    mc = new Memcached(`127.0.0.1:${srv.port}`, { retries: 0, timeout: 2_000, idle: 1_000, poolSize: 2 });
  });
  after(async () => {
    mc.end();
    await srv.stop();
  });

  it('set / get / del', async () => {
    expect(await call<boolean>((cb) => mc.set('client:a', 'hello', 0, cb))).to.equal(true);
    expect(await call((cb) => mc.get('client:a', cb))).to.equal('hello');
    expect(await call<boolean>((cb) => mc.del('client:a', cb))).to.equal(true);
    expect(await call((cb) => mc.get('client:a', cb))).to.equal(undefined);
  });

  it('gets / cas', async () => {
    await call<boolean>((cb) => mc.set('client:c', 'v1', 0, cb));
    const g = await call<Record<string, unknown> & { cas: string }>((cb) => mc.gets('client:c', cb));
    expect(g['client:c']).to.equal('v1');
    expect(g.cas).to.match(/^\d+$/);
    expect(await call<boolean>((cb) => mc.cas('client:c', 'v2', g.cas, 0, cb))).to.equal(true);
    expect(await call<boolean>((cb) => mc.cas('client:c', 'v3', g.cas, 0, cb))).to.equal(false);
    expect(await call((cb) => mc.get('client:c', cb))).to.equal('v2');
  });

  it('incr / decr', async () => {
    await call<boolean>((cb) => mc.set('client:n', '10', 0, cb));
    expect(await call((cb) => mc.incr('client:n', 5, cb))).to.equal(15);
    expect(await call((cb) => mc.decr('client:n', 20, cb))).to.equal(0);
    expect(await call((cb) => mc.incr('client:missing', 1, cb))).to.equal(false);
  });

  it('append / prepend', async () => {
    await call<boolean>((cb) => mc.set('client:s', 'mid', 0, cb));
    expect(await call<boolean>((cb) => mc.append('client:s', '>', cb))).to.equal(true);
    expect(await call<boolean>((cb) => mc.prepend('client:s', '<', cb))).to.equal(true);
    expect(await call((cb) => mc.get('client:s', cb))).to.equal('<mid>');
  });

  it('touch', async () => {
    await call<boolean>((cb) => mc.set('client:t', 'x', 100, cb));
    expect(await call<boolean>((cb) => mc.touch('client:t', 0, cb))).to.equal(true);
    expect(await call((cb) => mc.get('client:t', cb))).to.equal('x');
  });

  it('multi-get', async () => {
    await call<boolean>((cb) => mc.set('client:m1', 'one', 0, cb));
    await call<boolean>((cb) => mc.set('client:m2', 'two', 0, cb));
    expect(await call((cb) => mc.getMulti(['client:m1', 'client:m2', 'client:m3'], cb))).to.deep.equal({ 'client:m1': 'one', 'client:m2': 'two' });
  });
});
