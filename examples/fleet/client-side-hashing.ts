// Client-side consistent hashing, the alternative to a proxy: the client itself spreads keys over
// the instances with a ketama ring. Start the fleet first (start-fleet.js), then:
//   node dist/examples/fleet/client-side-hashing.js 127.0.0.1:11311 127.0.0.1:11312 127.0.0.1:11313
import { createRequire } from 'node:module';
import Memcached from 'memcached';

const servers = process.argv.slice(2);
if (servers.length === 0) throw new Error('usage: client-side-hashing.js HOST:PORT [HOST:PORT...]');
const require = createRequire(import.meta.url);

// npm `memcached`: a list of servers is hashed on a ketama-compatible md5 ring (its defaults shown).
const mc = new Memcached(servers, { algorithm: 'md5', compatibility: 'ketama', retries: 2, retry: 30_000, remove: false, poolSize: 10 });

// memjs hashes modulo the server count unless told otherwise: give it the same ketama ring.
type Memjs = {
  Client: {
    create(s: string, o: object): { servers: unknown[]; getServer(key: string): number; set(k: string, v: string, o: object): Promise<boolean>; close(): void };
  };
};
const memjs = require('memjs') as Memjs;
const HashRing = require('hashring') as new (servers: string[], algorithm: string, options: object) => { get(key: string): string };
const ring = new HashRing(servers, 'md5', { compatibility: 'ketama' });
const mj = memjs.Client.create(servers.join(','), { retries: 2, failover: true, logger: { log() {} } });
mj.getServer = (key) => servers.indexOf(ring.get(key));

const call = (f: (cb: (err: Error | undefined) => void) => void): Promise<void> =>
  new Promise((resolve, reject) => f((err) => (err ? reject(err) : resolve())));

// Write 1000 keys with each client (memcached text, memjs binary), then count per server.
for (let i = 0; i < 1000; i++) {
  await call((cb) => mc.set(`text:${i}`, 'v', 0, cb));
  await mj.set(`binary:${i}`, 'v', {});
}
let agree = 0;
for (let i = 0; i < 1000; i++) if (ring.get(`k${i}`) === mc.HashRing.get(`k${i}`)) agree++;
const stats = await new Promise<Array<Record<string, string | number> & { server: string }>>((resolve, reject) =>
  mc.stats((e, s) => (e ? reject(e) : resolve(s))),
);
for (const s of stats.sort((a, b) => a.server.localeCompare(b.server))) console.log(`${s.server}: ${s.curr_items} items`);
console.log(`memcached and memjs place ${agree} of 1000 sample keys on the same server`);
mc.end();
mj.close();
