import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { silentLogger } from '../../src/domain/ports/logger.js';
import type { Lifecycle } from '../../src/domain/ports/lifecycle.js';
import { loadSettings } from '../../src/infrastructure/config.js';
import { createContainer, Lifecycles } from '../../src/infrastructure/container.js';
import { parseMetrics, parseStats, request } from '../support/admin-http.js';
import { ChildServer } from '../support/child-server.js';
import { freePort } from '../support/free-port.js';
import { frame, Op } from '../support/binary-frames.js';
import { startE2EServer, type E2EServer } from '../support/server-fixture.js';
import type { TcpClient } from '../support/tcp-client.js';

async function stats(c: TcpClient, group = ''): Promise<Map<string, string>> {
  return parseStats(await c.lines(group ? `stats ${group}\r\n` : 'stats\r\n'));
}

async function scrape(port: number) {
  const r = await request(port, '/metrics');
  expect(r.status).to.equal(200);
  expect(r.headers['content-type']).to.match(/^text\/plain; version=0\.0\.4/);
  return parseMetrics(r.body);
}

describe('e2e: admin HTTP listener', function () {
  describe('memory only, no token', () => {
    let srv: E2EServer;
    let admin: number;
    let c: TcpClient;

    before(async () => {
      admin = await freePort();
      srv = await startE2EServer({ admin: { port: admin } });
      c = await srv.connect();
    });
    after(async () => srv?.stop());

    it('is off unless a port is configured', async () => {
      const plain = await startE2EServer();
      try {
        const lifecycles = plain.server!['lifecycles'] as Lifecycle[];
        expect(lifecycles.map((l) => l.name)).not.to.include('admin-http');
      } finally {
        await plain.stop();
      }
    });

    it('/healthz and /readyz answer 200 once serving', async () => {
      const h = await request(admin, '/healthz');
      expect(h.status).to.equal(200);
      expect(h.json()).to.deep.equal({ status: 'ok' });
      const r = await request(admin, '/readyz');
      expect(r.status).to.equal(200);
      expect(r.json()).to.deep.equal({ status: 'ready' });
    });

    it("/metrics uses memcached_exporter's names, and the values agree with stats", async () => {
      await c.exchange('set a:1 3 0 5\r\nhello\r\n', 'STORED\r\n');
      await c.exchange('set a:2 0 0 2\r\nhi\r\n', 'STORED\r\n');
      await c.exchange('get a:1 nope\r\n', 'VALUE a:1 3 5\r\nhello\r\nEND\r\n');
      await c.exchange('delete a:2\r\n', 'DELETED\r\n');
      await c.exchange('delete a:2\r\n', 'NOT_FOUND\r\n');
      await c.exchange('incr nope 1\r\n', 'NOT_FOUND\r\n');
      await c.exchange('touch a:1 100\r\n', 'TOUCHED\r\n');
      const gets = await c.lines('gets a:1\r\n');
      const cas = /VALUE a:1 3 5 (\d+)/.exec(gets)![1];
      await c.exchange(`cas a:1 0 0 1 ${cas}\r\nx\r\n`, 'STORED\r\n');
      await c.exchange(`cas a:1 0 0 1 ${cas}\r\ny\r\n`, 'EXISTS\r\n');
      const s = await stats(c);
      const settings = await stats(c, 'settings');
      const { samples: m, types } = await scrape(admin);
      const n = (k: string) => Number(s.get(k));

      expect(m.get('memcached_up')).to.equal(1);
      expect(m.get(`memcached_version{version="${s.get('version')}"}`)).to.equal(1);
      expect(m.get('memcached_current_items')).to.equal(n('curr_items')).and.to.equal(1);
      expect(m.get('memcached_current_bytes')).to.equal(n('bytes'));
      expect(m.get('memcached_limit_bytes')).to.equal(n('limit_maxbytes'));
      expect(m.get('memcached_items_total')).to.equal(n('total_items'));
      expect(m.get('memcached_items_evicted_total')).to.equal(n('evictions'));
      expect(m.get('memcached_current_connections')).to.equal(n('curr_connections'));
      expect(m.get('memcached_connections_total')).to.equal(n('total_connections'));
      expect(m.get('memcached_max_connections')).to.equal(Number(settings.get('maxconns')));
      // The stats request itself was read before stats answered, and nothing since.
      expect(m.get('memcached_read_bytes_total')).to.equal(n('bytes_read') + 'stats settings\r\n'.length);
      expect(m.get('memcached_written_bytes_total')).to.be.greaterThan(n('bytes_written'));
      expect(m.get('memcached_commands_total{command="get",status="hit"}')).to.equal(n('get_hits')).and.to.equal(2);
      expect(m.get('memcached_commands_total{command="get",status="miss"}')).to.equal(n('get_misses')).and.to.equal(1);
      expect(m.get('memcached_commands_total{command="delete",status="hit"}')).to.equal(n('delete_hits')).and.to.equal(1);
      expect(m.get('memcached_commands_total{command="delete",status="miss"}')).to.equal(n('delete_misses')).and.to.equal(1);
      expect(m.get('memcached_commands_total{command="incr",status="miss"}')).to.equal(n('incr_misses')).and.to.equal(1);
      expect(m.get('memcached_commands_total{command="touch",status="hit"}')).to.equal(n('touch_hits')).and.to.equal(1);
      expect(m.get('memcached_commands_total{command="cas",status="hit"}')).to.equal(n('cas_hits')).and.to.equal(1);
      expect(m.get('memcached_commands_total{command="cas",status="badval"}')).to.equal(n('cas_badval')).and.to.equal(1);
      // memcached_exporter: set = cmd_set - (cas_misses + cas_hits + cas_badval).
      expect(m.get('memcached_commands_total{command="set",status="hit"}'))
        .to.equal(n('cmd_set') - n('cas_misses') - n('cas_hits') - n('cas_badval'))
        .and.to.equal(2);
      expect(m.get('memcached_uptime_seconds')).to.be.at.least(n('uptime'));
      expect(m.get('memcached_slab_current_items{slab="1"}')).to.equal(1);
      expect(types.get('memcached_commands_total')).to.equal('counter');
      expect(types.get('memcached_current_items')).to.equal('gauge');
      expect(types.get('memcached_items_evicted_total')).to.equal('counter');
    });

    it('adds rat_memcache_* metrics: policy, L1 hits, connections per protocol, latency histograms', async () => {
      const s = await stats(c);
      const { samples: m, types } = await scrape(admin);
      expect(m.get('rat_memcache_eviction_policy{policy="s3fifo"}')).to.equal(1);
      expect(m.get('rat_memcache_ready')).to.equal(1);
      expect(m.get('rat_memcache_l1_hits_total')).to.equal(Number(s.get('get_hits')));
      expect(m.get('rat_memcache_connections{protocol="ascii"}')).to.equal(1);
      expect(types.get('rat_memcache_request_duration_seconds')).to.equal('histogram');
      // Every counted command is one observation of its family.
      expect(m.get('rat_memcache_request_duration_seconds_count{command="get"}')).to.equal(Number(s.get('cmd_get')));
      expect(m.get('rat_memcache_request_duration_seconds_count{command="set"}')).to.equal(Number(s.get('cmd_set')));
      expect(m.get('rat_memcache_request_duration_seconds_count{command="delete"}')).to.equal(2);
      expect(m.get('rat_memcache_request_duration_seconds_bucket{command="get",le="+Inf"}')).to.equal(Number(s.get('cmd_get')));
      expect(m.get('rat_memcache_request_duration_seconds_sum{command="get"}')).to.be.greaterThan(0);
      const binary = await srv.connect();
      binary.send(frame(Op.Noop));
      await binary.readBytes(24);
      const after = (await scrape(admin)).samples;
      expect(after.get('rat_memcache_connections{protocol="binary"}')).to.equal(1);
      binary.close();
    });

    it('/api/stats carries the same stats fields for the page', async () => {
      const s = await stats(c);
      const j = (await request(admin, '/api/stats')).json<{
        general: Record<string, string>;
        settings: Record<string, string>;
        admin: { tokenRequired: boolean; loopback: boolean };
      }>();
      expect(j.general.curr_items).to.equal(s.get('curr_items'));
      expect(j.general.get_hits).to.equal(s.get('get_hits'));
      expect(j.settings.maxconns).to.equal('1024');
      expect(j.admin).to.deep.equal({ tokenRequired: false, loopback: true });
    });

    it('the key inspector reports size, flags, TTL, cas and tier of a key set over the protocol', async () => {
      await c.exchange('set insp:k 42 100 11\r\nhello world\r\n', 'STORED\r\n');
      const cas = Number(/VALUE insp:k 42 11 (\d+)/.exec(await c.lines('gets insp:k\r\n'))![1]);
      const r = await request(admin, '/api/key?key=' + encodeURIComponent('insp:k'));
      expect(r.status).to.equal(200);
      const j = r.json<{
        size: number;
        flags: number;
        ttlSeconds: number;
        cas: number;
        tiers: string[];
        preview: { kind: string; data: string; truncated: boolean };
      }>();
      expect(j).to.include({ size: 11, flags: 42, cas });
      expect(j.ttlSeconds).to.be.within(99, 100);
      expect(j.tiers).to.deep.equal(['memory']);
      expect(j.preview).to.deep.equal({ kind: 'text', data: 'hello world', truncated: false });
      await c.exchange('set insp:bin 0 0 4\r\n\x00\x01\xfe\xff\r\n', 'STORED\r\n');
      const b = (await request(admin, '/api/key?key=insp:bin')).json<{ preview: { kind: string; data: string }; ttlSeconds: number }>();
      expect(b.preview).to.deep.include({ kind: 'hex', data: '0001feff' });
      expect(b.ttlSeconds).to.equal(-1);
      expect((await request(admin, '/api/key?key=insp:none')).status).to.equal(404);
      // The inspector is not a client read.
      const s = await stats(c);
      const before = s.get('get_hits');
      await request(admin, '/api/key?key=insp:k');
      expect((await stats(c)).get('get_hits')).to.equal(before);
    });

    it('without a token, refuses actions addressed by a host name (DNS rebinding) or from another origin', async () => {
      const byName = await request(admin, '/api/flush', { method: 'POST', headers: { Host: 'evil.example:' + admin } });
      expect(byName.status).to.equal(403);
      const cross = await request(admin, '/api/flush', { method: 'POST', headers: { Origin: 'http://evil.example' } });
      expect(cross.status).to.equal(403);
      await c.exchange('get a:1\r\n', 'VALUE a:1 0 1\r\nx\r\nEND\r\n');
      expect((await request(admin, '/api/flush')).status).to.equal(405);
    });

    it('stats detail can be turned on from the page, and its prefixes show up', async () => {
      const on = await request(admin, '/api/detail', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"enabled":true}' });
      expect(on.status).to.equal(200);
      await c.exchange('get pfx:x\r\n', 'END\r\n');
      const j = (await request(admin, '/api/stats')).json<{ detail: { enabled: boolean; prefixes: { prefix: string; get: number }[] } }>();
      expect(j.detail.enabled).to.equal(true);
      expect(j.detail.prefixes).to.deep.include({ prefix: 'pfx', get: 1, hit: 0, set: 0, del: 0 });
      expect((await stats(c, 'settings')).get('detail_enabled')).to.equal('yes');
      await request(admin, '/api/detail', { method: 'POST', body: '{"enabled":false}' });
      expect((await stats(c, 'settings')).get('detail_enabled')).to.equal('no');
    });

    it('serves the page self-contained, with no external resource', async () => {
      const r = await request(admin, '/');
      expect(r.status).to.equal(200);
      expect(r.headers['content-type']).to.match(/^text\/html/);
      expect(r.headers['content-security-policy']).to.include("default-src 'none'");
      expect(r.body).to.include('uPlot');
      expect(r.body).not.to.match(/<script[^>]+src=|<link[^>]+href=|<img[^>]+src=|url\(/);
      // The only URL is uPlot's licence comment.
      expect(r.body.match(/https?:\/\/[^\s"')]+/g)).to.deep.equal(['https://github.com/leeoniya/uPlot']);
      expect((await request(admin, '/nope')).status).to.equal(404);
    });
  });

  it('rat-memcached --admin-port serves /metrics that agree with stats (CLI child process)', async () => {
    const admin = await freePort();
    const child = await ChildServer.start({ args: ['--admin-port', String(admin), '--l2', 'off'] });
    try {
      const c = await child.connect();
      await c.exchange('set cli:1 0 0 1\r\nx\r\n', 'STORED\r\n');
      const s = await stats(c);
      const { samples } = await scrape(admin);
      expect(samples.get('memcached_current_items'))
        .to.equal(Number(s.get('curr_items')))
        .and.to.equal(1);
      expect(samples.get('memcached_commands_total{command="set",status="hit"}')).to.equal(Number(s.get('cmd_set')));
      expect(samples.get('memcached_limit_bytes')).to.equal(Number(s.get('limit_maxbytes')));
      expect((await request(admin, '/readyz')).status).to.equal(200);
    } finally {
      await child.stop();
    }
  });

  it('the warm-up from disk at start is logged (items, bytes) and exported (CLI child process)', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'rat-admin-warm-'));
    const admin = await freePort();
    const args = ['--admin-port', String(admin), '--l2', 'on', '--data-dir', dir];
    let child = await ChildServer.start({ args, env: { RAT_L2_SYNC_WRITES: 'true' } });
    try {
      const c = await child.connect();
      for (let i = 0; i < 200; i++) await c.exchange(`set warm:${i} 0 0 1000\r\n${'w'.repeat(1000)}\r\n`, 'STORED\r\n');
      expect((await child.stop()).code).to.equal(0);
      child = await ChildServer.start({ args });
      const c2 = await child.connect();
      let s = await stats(c2);
      for (let i = 0; i < 100 && s.get('l2_warm_running') !== '0'; i++) {
        await new Promise((r) => setTimeout(r, 50));
        s = await stats(c2);
      }
      expect(s.get('l2_warm_loaded')).to.equal('200');
      // Keys warm:0..warm:199 (10 x 6 + 90 x 7 + 100 x 8 bytes) and 200 values of 1000 bytes.
      expect(Number(s.get('l2_warm_bytes'))).to.equal(1490 + 200_000);
      const m = (await scrape(admin)).samples;
      expect(m.get('rat_memcache_warmup_loaded_items')).to.equal(200);
      expect(m.get('rat_memcache_warmup_loaded_bytes')).to.equal(Number(s.get('l2_warm_bytes')));
      expect(m.get('rat_memcache_warmup_eta_seconds')).to.equal(0);
      expect(m.get('rat_memcache_warmup_running')).to.equal(0);
      for (let i = 0; i < 50 && !child.stderr.includes('L1 warm-up done'); i++) await new Promise((r) => setTimeout(r, 50));
      expect(child.stderr).to.match(/"items":200,"bytes":201490[^\n]*L1 warm-up done/);
    } finally {
      await child.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  describe('with a token', () => {
    let srv: E2EServer;
    let admin: number;
    let c: TcpClient;
    const token = 's3cret-token';

    before(async () => {
      admin = await freePort();
      srv = await startE2EServer({ admin: { port: admin, token } });
      c = await srv.connect();
    });
    after(async () => srv?.stop());

    it('refuses flush and key inspection without the token, allows them with it', async () => {
      await c.exchange('set t:1 0 0 1\r\nx\r\n', 'STORED\r\n');
      expect((await request(admin, '/api/flush', { method: 'POST' })).status).to.equal(401);
      expect((await request(admin, '/api/flush', { method: 'POST', headers: { Authorization: 'Bearer wrong' } })).status).to.equal(401);
      expect((await request(admin, '/api/key?key=t:1')).status).to.equal(401);
      await c.exchange('get t:1\r\n', 'VALUE t:1 0 1\r\nx\r\nEND\r\n');
      expect((await request(admin, '/api/key?key=t:1', { headers: { 'X-Admin-Token': token } })).status).to.equal(200);
      // With a token, the host name does not matter: the token is the guard.
      const ok = await request(admin, '/api/flush', { method: 'POST', headers: { Authorization: `Bearer ${token}`, Host: 'cache-0.example:' + admin } });
      expect(ok.status).to.equal(200);
      await c.exchange('get t:1\r\n', 'END\r\n');
      expect((await stats(c)).get('cmd_flush')).to.equal('1');
    });

    it('keeps /metrics, /healthz and /readyz open for scrapers and probes', async () => {
      expect((await request(admin, '/metrics')).status).to.equal(200);
      expect((await request(admin, '/healthz')).status).to.equal(200);
      expect((await request(admin, '/readyz')).status).to.equal(200);
      expect((await request(admin, '/api/stats')).json<{ admin: { tokenRequired: boolean } }>().admin.tokenRequired).to.equal(true);
    });
  });

  describe('with the disk tier', () => {
    let dir: string;
    before(() => {
      dir = mkdtempSync(path.join(tmpdir(), 'rat-admin-'));
    });
    after(() => rmSync(dir, { recursive: true, force: true }));

    it('/readyz is 503 with a JSON reason until L2 is open and the cache port accepts', async () => {
      const admin = await freePort();
      const settings = loadSettings([], {
        server: { port: 0, host: '127.0.0.1', shutdown_grace_ms: 200 },
        l2: { enable_l2_cache: true, data_dir: path.join(dir, 'ready') },
        admin: { port: admin },
        logging: { enable_logging: false },
      });
      const lifecycles = createContainer(settings, silentLogger).get<Lifecycle[]>(Lifecycles);
      expect(lifecycles[0]!.name).to.equal('admin-http');
      const started: Lifecycle[] = [];
      try {
        // Start the admin listener alone: the rest is "still starting".
        await lifecycles[0]!.start();
        started.push(lifecycles[0]!);
        let r = await request(admin, '/readyz');
        expect(r.status).to.equal(503);
        expect(r.json()).to.deep.equal({ status: 'not ready', reason: 'waiting for: L2 store open, cache port accepting' });
        expect((await request(admin, '/healthz')).status).to.equal(200);
        for (const l of lifecycles.slice(1)) {
          await l.start();
          started.push(l);
        }
        r = await request(admin, '/readyz');
        expect(r.status).to.equal(200);
        // Stopping begins with the cache port: not ready any more while it drains.
        const accepting = started.pop()!;
        await accepting.stop();
        r = await request(admin, '/readyz');
        expect(r.status).to.equal(503);
        expect(r.json<{ reason: string }>().reason).to.equal('waiting for: cache port accepting');
      } finally {
        for (const l of started.reverse()) await l.stop();
      }
    });

    it('exports the L2, write-queue and warm-up fields of stats, and finds keys in both tiers', async () => {
      const admin = await freePort();
      const srv = await startE2EServer({ admin: { port: admin }, l2: { enable_l2_cache: true, data_dir: path.join(dir, 'tiers'), sync_writes: true } });
      try {
        const c = await srv.connect();
        await c.exchange('set big 5 0 3000\r\n' + 'a'.repeat(3000) + '\r\n', 'STORED\r\n');
        await c.exchange('get big\r\n', 'VALUE big 5 3000\r\n' + 'a'.repeat(3000) + '\r\nEND\r\n');
        await c.exchange('get missing\r\n', 'END\r\n');
        const s = await stats(c);
        const m = (await scrape(admin)).samples;
        const n = (k: string) => Number(s.get(k));
        expect(m.get('rat_memcache_l2_items')).to.equal(n('l2_items')).and.to.equal(1);
        expect(m.get('rat_memcache_l2_bytes')).to.equal(n('l2_bytes')).and.to.be.greaterThan(0);
        expect(m.get('rat_memcache_l2_compression_ratio')).to.equal(n('l2_compression_ratio')).and.to.be.greaterThan(1);
        expect(m.get('rat_memcache_l2_write_queue_depth')).to.equal(n('l2_pending_writes'));
        expect(m.get('rat_memcache_warmup_running')).to.equal(n('l2_warm_running'));
        expect(m.get('rat_memcache_l1_hits_total')).to.equal(n('l1_hits')).and.to.equal(1);
        expect(m.get('rat_memcache_l1_misses_total')).to.equal(n('l1_misses')).and.to.equal(1);
        expect(m.get('rat_memcache_l2_misses_total')).to.equal(n('l2_misses'));
        const k = (await request(admin, '/api/key?key=big')).json<{ tiers: string[]; size: number; flags: number; preview: { truncated: boolean } }>();
        expect(k).to.deep.include({ tiers: ['memory', 'disk'], size: 3000, flags: 5 });
        expect(k.preview.truncated).to.equal(true);
      } finally {
        await srv.stop();
      }
    });
  });
});
