import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import Memcached from 'memcached';
import { StreamingClient } from '../../src/client/streaming-client.js';
import { ChildServer, CLI_PATH } from '../support/child-server.js';
import { startE2EServer, type E2EServer } from '../support/server-fixture.js';
import { TcpClient } from '../support/tcp-client.js';
import { makeTestCerts, type TestCerts } from '../support/test-certs.js';
import { tlsAttempt, tlsClient, tlsTunnel } from '../support/tls-client.js';
import { frame, parseResponses, storeExtras } from '../support/binary-frames.js';

interface MemjsClient {
  get(key: string): Promise<{ value: Buffer | null }>;
  set(key: string, value: string | Buffer, options: { expires?: number }): Promise<boolean>;
  delete(key: string): Promise<boolean>;
  close(): void;
}
const memjs = createRequire(import.meta.url)('memjs') as { Client: { create(servers: string, options: Record<string, unknown>): MemjsClient } };

function call<T>(f: (cb: (err: Error | undefined, r: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => f((err, r) => (err ? reject(err) : resolve(r))));
}

/** `stats settings` (or any stats group) as a map. */
async function statsOf(c: TcpClient, group = ''): Promise<Record<string, string>> {
  const text = await c.lines(`stats${group ? ' ' + group : ''}\r\n`);
  const out: Record<string, string> = {};
  for (const line of text.split('\r\n')) {
    const m = /^STAT (\S+) (.*)$/.exec(line);
    if (m) out[m[1]!] = m[2]!;
  }
  return out;
}

function runCli(args: string[], ms = 15_000): Promise<{ code: number | null; stderr: string; stdout: string }> {
  const child = spawn(process.execPath, [CLI_PATH, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`rat-memcached did not exit within ${ms} ms; stderr: ${stderr}`));
    }, ms);
    child.on('exit', (code) => {
      clearTimeout(t);
      resolve({ code, stderr, stdout });
    });
  });
}

describe('e2e: TLS listener (-Z)', function () {
  this.timeout(30_000);
  let certs: TestCerts;
  before(() => {
    certs = makeTestCerts();
  });
  after(() => certs.remove());

  const tlsServer = (server: Record<string, unknown> = {}): Promise<E2EServer> =>
    startE2EServer({ server: { ssl_enabled: true, ssl_chain_cert: certs.serverCert, ssl_key: certs.serverKey, ...server } });

  describe('protocols over TLS', () => {
    let srv: E2EServer;
    let trusted: { ca: Buffer };
    before(async () => {
      srv = await tlsServer();
      trusted = { ca: certs.pem(certs.caCert) };
    });
    after(async () => srv.stop());

    it('serves text commands, byte for byte', async () => {
      const c = await tlsClient(srv.port, trusted);
      try {
        expect(await c.exchange('set tls:a 5 0 3\r\nabc\r\n', 'STORED\r\n')).to.equal('STORED\r\n');
        const want = 'VALUE tls:a 5 3\r\nabc\r\nEND\r\n';
        expect(await c.exchange('get tls:a\r\n', want)).to.equal(want);
        expect(await c.exchange('incr tls:missing 1\r\n', 'NOT_FOUND\r\n')).to.equal('NOT_FOUND\r\n');
      } finally {
        c.close();
      }
    });

    it('serves meta commands', async () => {
      const c = await tlsClient(srv.port, trusted);
      try {
        expect(await c.exchange('ms tls:m 2 T0\r\nhi\r\n', 'HD\r\n')).to.equal('HD\r\n');
        const want = 'VA 2 s2\r\nhi\r\n';
        expect(await c.exchange('mg tls:m v s\r\n', want)).to.equal(want);
        expect(await c.exchange('mn\r\n', 'MN\r\n')).to.equal('MN\r\n');
      } finally {
        c.close();
      }
    });

    it('serves the binary protocol (first byte 0x80 after the handshake)', async () => {
      const c = await tlsClient(srv.port, trusted);
      try {
        c.send(Buffer.concat([frame(0x01, { key: 'tls:b', extras: storeExtras(7, 0), value: 'binary', opaque: 1 }), frame(0x00, { key: 'tls:b', opaque: 2 })]));
        const set = parseResponses(await c.readBytes(24)).responses[0]!;
        expect(set.status).to.equal(0);
        const head = await c.readBytes(24);
        const body = await c.readBytes(head.readUInt32BE(8));
        const get = parseResponses(Buffer.concat([head, body])).responses[0]!;
        expect(get.status).to.equal(0);
        expect(get.opaque).to.equal(2);
        expect(get.extras.readUInt32BE(0)).to.equal(7);
        expect(get.value.toString()).to.equal('binary');
      } finally {
        c.close();
      }
    });

    it('serves the streaming extension (chunked upload, chunked read)', async () => {
      const value = randomBytes(900 * 1024);
      const up = await StreamingClient.connect(srv.port, '127.0.0.1', { tls: trusted });
      const down = await StreamingClient.connect(srv.port, '127.0.0.1', { tls: trusted });
      try {
        await up.upload('tls:big', value, { chunkSize: 64 * 1024 });
        let chunks = 0;
        const got = await down.getAll('tls:big', { chunkSize: 100_000, onProgress: (p) => (chunks = p.chunks) });
        expect(got?.equals(value)).to.equal(true);
        expect(chunks).to.equal(Math.ceil(value.length / 100_000));
      } finally {
        up.close();
        down.close();
      }
    });

    it('serves the npm memcached client (text) through a TLS tunnel', async () => {
      const tunnel = await tlsTunnel(srv.port, trusted);
      const mc = new Memcached(`127.0.0.1:${tunnel.port}`, { retries: 0, timeout: 3_000, idle: 1_000, poolSize: 4 });
      try {
        const big = 'x'.repeat(200 * 1024);
        for (let i = 0; i < 200; i++) await call<boolean>((cb) => mc.set(`tls:client:${i}`, `value-${i}`, 0, cb));
        await call<boolean>((cb) => mc.set('tls:client:big', big, 0, cb));
        const many = await call<Record<string, unknown>>((cb) =>
          mc.getMulti(
            Array.from({ length: 200 }, (_, i) => `tls:client:${i}`),
            cb,
          ),
        );
        expect(Object.keys(many)).to.have.length(200);
        for (let i = 0; i < 200; i++) expect(many[`tls:client:${i}`]).to.equal(`value-${i}`);
        expect(await call((cb) => mc.get('tls:client:big', cb))).to.equal(big);
        expect(await call<boolean>((cb) => mc.del('tls:client:0', cb))).to.equal(true);
        expect(await call((cb) => mc.get('tls:client:0', cb))).to.equal(undefined);
      } finally {
        mc.end();
        await tunnel.close();
      }
    });

    it('serves memjs (binary) through a TLS tunnel', async () => {
      const tunnel = await tlsTunnel(srv.port, trusted);
      const client = memjs.Client.create(`127.0.0.1:${tunnel.port}`, { logger: { log() {} }, retries: 0, timeout: 3, conntimeout: 3 });
      try {
        expect(await client.set('tls:memjs', 'from memjs', {})).to.equal(true);
        expect((await client.get('tls:memjs')).value?.toString()).to.equal('from memjs');
        expect(await client.delete('tls:memjs')).to.equal(true);
        expect((await client.get('tls:memjs')).value).to.equal(null);
      } finally {
        client.close();
        await tunnel.close();
      }
    });

    it('closes a plain-text client without a reply and keeps serving TLS clients', async () => {
      const before = await tlsClient(srv.port, trusted);
      const errorsBefore = Number((await statsOf(before)).ssl_handshake_errors);
      before.close();

      const plain = await TcpClient.connect(srv.port);
      plain.send('set plain 0 0 1\r\nx\r\nget plain\r\n');
      expect(await plain.waitClosed()).to.equal(true);
      expect(plain.pending.toString('latin1')).not.to.match(/STORED|VALUE|END/);

      const after = await tlsClient(srv.port, trusted);
      try {
        const stats = await statsOf(after);
        expect(Number(stats.ssl_handshake_errors)).to.equal(errorsBefore + 1);
        expect(Number(stats.time_since_server_cert_refresh)).to.be.at.least(0);
        expect(await after.exchange('get plain\r\n', 'END\r\n')).to.equal('END\r\n');
      } finally {
        after.close();
      }
    });

    it('reports the TLS settings in stats settings', async () => {
      const c = await tlsClient(srv.port, trusted);
      try {
        const s = await statsOf(c, 'settings');
        expect(s).to.include({
          ssl_enabled: 'yes',
          ssl_chain_cert: certs.serverCert,
          ssl_key: certs.serverKey,
          ssl_verify_mode: '0',
          ssl_ca_cert: 'NULL',
          ssl_ciphers: 'NULL',
          ssl_min_version: 'tlsv1.2',
        });
      } finally {
        c.close();
      }
    });
  });

  it('a plain server reports TLS off and prints no TLS stats', async () => {
    const srv = await startE2EServer();
    try {
      const c = await srv.connect();
      expect(await statsOf(c, 'settings')).to.include({ ssl_enabled: 'no', ssl_chain_cert: '(null)', ssl_key: '(null)', ssl_min_version: 'tlsv1.2' });
      expect(await statsOf(c)).not.to.have.property('ssl_handshake_errors');
    } finally {
      await srv.stop();
    }
  });

  it('ssl_min_version 3 refuses TLS 1.2 clients and serves TLS 1.3 ones', async () => {
    const srv = await tlsServer({ ssl_min_version: 3 });
    try {
      const ca = certs.pem(certs.caCert);
      expect(await tlsAttempt(srv.port, { ca, maxVersion: 'TLSv1.2' })).to.equal('refused');
      expect(await tlsAttempt(srv.port, { ca, minVersion: 'TLSv1.3' })).to.equal('served');
      const c = await tlsClient(srv.port, { ca });
      expect((await statsOf(c, 'settings')).ssl_min_version).to.equal('tlsv1.3');
      c.close();
    } finally {
      await srv.stop();
    }
  });

  describe('client certificates', () => {
    const withCert = (cert: string, key: string) => ({ ca: certs.pem(certs.caCert), cert: certs.pem(cert), key: certs.pem(key) });

    it('ssl_verify_mode 2 requires a certificate signed by ssl_ca_cert', async () => {
      const srv = await tlsServer({ ssl_verify_mode: 2, ssl_ca_cert: certs.caCert });
      try {
        expect(await tlsAttempt(srv.port, { ca: certs.pem(certs.caCert) })).to.equal('refused');
        expect(await tlsAttempt(srv.port, withCert(certs.rogueCert, certs.rogueKey))).to.equal('refused');
        expect(await tlsAttempt(srv.port, withCert(certs.clientCert, certs.clientKey))).to.equal('served');
        const c = await tlsClient(srv.port, withCert(certs.clientCert, certs.clientKey));
        // memcached prints OpenSSL's flags: PEER | FAIL_IF_NO_PEER_CERT.
        expect(await statsOf(c, 'settings')).to.include({ ssl_verify_mode: '3', ssl_ca_cert: certs.caCert });
        c.close();
      } finally {
        await srv.stop();
      }
    });

    it('ssl_verify_mode 1 asks for a certificate, serves clients without one, refuses a bad one', async () => {
      const srv = await tlsServer({ ssl_verify_mode: 1, ssl_ca_cert: certs.caCert });
      try {
        expect(await tlsAttempt(srv.port, { ca: certs.pem(certs.caCert) })).to.equal('served');
        expect(await tlsAttempt(srv.port, withCert(certs.clientCert, certs.clientKey))).to.equal('served');
        expect(await tlsAttempt(srv.port, withCert(certs.rogueCert, certs.rogueKey))).to.equal('refused');
      } finally {
        await srv.stop();
      }
    });
  });

  describe('the rat-memcached command line', () => {
    it('-Z -o ssl_chain_cert=...,ssl_key=... serves TLS', async () => {
      const child = await ChildServer.start({ args: ['--l2', 'off', '-Z', '-o', `ssl_chain_cert=${certs.serverCert},ssl_key=${certs.serverKey}`] });
      try {
        const c = await tlsClient(child.port, { ca: certs.pem(certs.caCert) });
        expect(await statsOf(c, 'settings')).to.include({ ssl_enabled: 'yes', ssl_chain_cert: certs.serverCert });
        c.close();
      } finally {
        await child.stop();
      }
    });

    it('a missing certificate file stops start-up with one line', async () => {
      const run = await runCli(['-l', '127.0.0.1', '-p', '0', '--l2', 'off', '-Z', '-o', 'ssl_chain_cert=/nonexistent/server.pem']);
      expect(run.code).to.not.equal(0);
      const lines = run.stderr.trimEnd().split('\n');
      expect(lines, run.stderr).to.have.length(1);
      expect(lines[0]).to.match(/^rat-memcached: Error loading the certificate chain: \/nonexistent\/server\.pem : ENOENT/);
    });

    it('a key that does not match the certificate stops start-up with one line', async () => {
      const run = await runCli(['-l', '127.0.0.1', '-p', '0', '--l2', 'off', '-Z', '-o', `ssl_chain_cert=${certs.serverCert},ssl_key=${certs.rogueKey}`]);
      expect(run.code).to.not.equal(0);
      const lines = run.stderr.trimEnd().split('\n');
      expect(lines, run.stderr).to.have.length(1);
      expect(lines[0]).to.match(/^rat-memcached: Error validating the certificate: .*key values mismatch/);
    });

    it('-Z without a certificate, or a bad ssl_verify_mode, is refused', async () => {
      const none = await runCli(['-l', '127.0.0.1', '-p', '0', '--l2', 'off', '-Z']);
      expect(none.code).to.not.equal(0);
      expect(none.stderr).to.match(/ssl_chain_cert is required/);
      const bad = await runCli(['-l', '127.0.0.1', '-p', '0', '--l2', 'off', '-Z', '-o', `ssl_chain_cert=${certs.serverCert},ssl_verify_mode=9`]);
      expect(bad.code).to.not.equal(0);
      expect(bad.stderr).to.match(/Invalid ssl_verify_mode/);
    });
  });
});
