import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startE2EServer, type E2EServer } from '../support/server-fixture.js';
import { makeTestCerts, type TestCerts } from '../support/test-certs.js';

// dist/test/e2e -> dist/src/client/cli/main.js
const CLI = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'src', 'client', 'cli', 'main.js');

interface Run {
  code: number | null;
  stdout: Buffer;
  stderr: string;
}

/** Runs rat-memcache-cli as a child process, feeding `input` to its stdin. */
function cli(args: string[], input?: Buffer | string, ms = 20_000): Promise<Run> {
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  const out: Buffer[] = [];
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => out.push(d));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdin.on('error', () => {}); // a child that exits before reading stdin
  child.stdin.end(input);
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`rat-memcache-cli ${args.join(' ')} did not exit within ${ms} ms; stderr: ${stderr}`));
    }, ms);
    child.on('exit', (code) => {
      clearTimeout(t);
      resolve({ code, stdout: Buffer.concat(out), stderr });
    });
  });
}

/** The one line a failing command prints. */
function oneLine(r: Run): string {
  const lines = r.stderr.trimEnd().split('\n');
  expect(lines, r.stderr).to.have.length(1);
  return lines[0]!;
}

describe('e2e: rat-memcache-cli as a subprocess', function () {
  this.timeout(60_000);
  let srv: E2EServer;
  let dir: string;
  let at: string[];

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'rat-cli-client-'));
    srv = await startE2EServer({ l2: { enable_l2_cache: true, data_dir: path.join(dir, 'data') } });
    at = ['--port', String(srv.port)];
  });
  after(async () => {
    await srv.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('--help lists the commands and the exit codes, and exits 0', async () => {
    const r = await cli(['--help']);
    expect(r.code).to.equal(0);
    const text = r.stdout.toString();
    for (const c of ['get KEY', 'set KEY', 'delete KEY', 'stats', 'flush', 'put FILE KEY', 'fetch KEY FILE', '--tls', 'Exit codes']) expect(text).to.contain(c);
  });

  it('set from stdin, then get writes the value byte for byte', async () => {
    const value = Buffer.concat([Buffer.from('line one\r\nline two\n'), randomBytes(3000), Buffer.from([0, 13, 10])]);
    const set = await cli([...at, 'set', 'cli:bin'], value);
    expect(set.code, set.stderr).to.equal(0);
    expect(set.stdout.length).to.equal(0);
    const get = await cli([...at, 'get', 'cli:bin']);
    expect(get.code, get.stderr).to.equal(0);
    expect(get.stdout.equals(value)).to.equal(true);
  });

  it('set KEY VALUE with --flags and --ttl stores them', async () => {
    expect((await cli([...at, '--flags', '42', '--ttl', '3600', 'set', 'cli:f', 'flagged'])).code).to.equal(0);
    const raw = await srv.connect();
    expect(await raw.lines('get cli:f\r\n')).to.equal('VALUE cli:f 42 7\r\nflagged\r\nEND\r\n');
    const meta = await raw.lines('mg cli:f t\r\n', '\r\n');
    expect(Number(/t(\d+)/.exec(meta)![1])).to.be.within(3590, 3600);
  });

  it('a miss exits 1 with one line on stderr and nothing on stdout', async () => {
    const r = await cli([...at, 'get', 'cli:none']);
    expect(r.code).to.equal(1);
    expect(r.stdout.length).to.equal(0);
    expect(oneLine(r)).to.equal('rat-memcache-cli: cli:none: not found');
  });

  it('delete exits 0, then 1 once the key is gone', async () => {
    await cli([...at, 'set', 'cli:d', 'x']);
    expect((await cli([...at, 'delete', 'cli:d'])).code).to.equal(0);
    const again = await cli([...at, 'delete', 'cli:d']);
    expect(again.code).to.equal(1);
    expect(oneLine(again)).to.equal('rat-memcache-cli: cli:d: not found');
  });

  it('stats prints "name value" lines; stats GROUP asks for a group', async () => {
    const r = await cli([...at, 'stats']);
    expect(r.code).to.equal(0);
    const lines = r.stdout.toString().trimEnd().split('\n');
    expect(lines[0]).to.match(/^pid \d+$/);
    expect(lines).to.include.members(['version 1.6.18']);
    for (const l of lines) expect(l).to.match(/^\S+ .*$/);
    const settings = await cli([...at, 'stats', 'settings']);
    expect(settings.stdout.toString()).to.match(/^maxbytes \d+$/m);
    const bad = await cli([...at, 'stats', 'nosuchgroup']);
    expect(bad.code).to.equal(2);
  });

  it('flush empties the cache', async () => {
    await cli([...at, 'set', 'cli:flush', 'x']);
    expect((await cli([...at, 'flush'])).code).to.equal(0);
    expect((await cli([...at, 'get', 'cli:flush'])).code).to.equal(1);
  });

  it('a refused command exits 2 and prints the server reply', async () => {
    const r = await cli([...at, 'set', 'cli:huge'], Buffer.alloc(2 * 1024 * 1024, 1));
    expect(r.code).to.equal(2);
    expect(oneLine(r)).to.equal('rat-memcache-cli: server replied: SERVER_ERROR object too large for cache');
  });

  it('put FILE KEY / fetch KEY FILE move a large value in chunks and report the throughput', async () => {
    const value = randomBytes(6 * 1024 * 1024 + 123);
    const src = path.join(dir, 'big.in');
    const dst = path.join(dir, 'big.out');
    writeFileSync(src, value);
    const put = await cli([...at, '--chunk-size', '1048576', 'put', src, 'cli:big']);
    expect(put.code, put.stderr).to.equal(0);
    expect(oneLine(put)).to.match(/^put cli:big: 6291579 bytes in \d+\.\d\d s \(\d+\.\d MiB\/s\)$/);
    const fetch = await cli([...at, 'fetch', 'cli:big', dst]);
    expect(fetch.code, fetch.stderr).to.equal(0);
    expect(oneLine(fetch)).to.match(/^fetch cli:big: 6291579 bytes in \d+\.\d\d s \(\d+\.\d MiB\/s\)$/);
    expect(readFileSync(dst).equals(value)).to.equal(true);
    const toStdout = await cli([...at, '--quiet', 'fetch', 'cli:big', '-']);
    expect(toStdout.code).to.equal(0);
    expect(toStdout.stderr).to.equal('');
    expect(toStdout.stdout.equals(value)).to.equal(true);
  });

  it('on a terminal, put draws a progress bar (run under util-linux script(1) for a pseudo-terminal)', async function () {
    const src = path.join(dir, 'bar.in');
    writeFileSync(src, randomBytes(2 * 1024 * 1024));
    const command = [process.execPath, CLI, ...at, '--chunk-size', '65536', 'put', src, 'cli:bar'].join(' ');
    const child = spawn('script', ['-qec', command, '/dev/null'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let seen = '';
    child.stdout.on('data', (d: Buffer) => (seen += d.toString()));
    const code = await new Promise<number | null>((resolve, reject) => {
      child.on('error', (err) => reject(new Error(`script(1) is needed for this test (Debian package bsdutils): ${err.message}`)));
      child.on('exit', resolve);
    });
    expect(code, seen).to.equal(0);
    expect(seen).to.match(/put cli:bar \[[█░]+\] 100% \| 2\.0\/2\.0 MiB \| [\d.]+ MiB\/s/);
    expect(seen).to.match(/put cli:bar: 2097152 bytes in /);
  });

  it('fetch of a missing key exits 1 and creates no file', async () => {
    const dst = path.join(dir, 'never.out');
    const r = await cli([...at, 'fetch', 'cli:absent', dst]);
    expect(r.code).to.equal(1);
    expect(existsSync(dst)).to.equal(false);
  });

  it('local file errors exit 4: put of a missing file, fetch into a missing directory', async () => {
    const put = await cli([...at, 'put', path.join(dir, 'no-such-file'), 'cli:x']);
    expect(put.code).to.equal(4);
    expect(oneLine(put)).to.match(/^rat-memcache-cli: cannot read .*no-such-file: ENOENT/);
    await cli([...at, 'set', 'cli:small', 'abc']);
    const target = path.join(dir, 'missing-dir', 'out');
    const fetch = await cli([...at, 'fetch', 'cli:small', target]);
    expect(fetch.code).to.equal(4);
    expect(oneLine(fetch)).to.match(/^rat-memcache-cli: cannot write .*missing-dir\/out: ENOENT/);
  });

  it('no server exits 3 with one line', async () => {
    const closed = await new Promise<number>((resolve) => {
      const s = net.createServer().listen(0, '127.0.0.1', () => {
        const port = (s.address() as net.AddressInfo).port;
        s.close(() => resolve(port));
      });
    });
    const r = await cli(['--port', String(closed), 'get', 'k']);
    expect(r.code).to.equal(3);
    expect(oneLine(r)).to.match(new RegExp(`^rat-memcache-cli: connection to 127\\.0\\.0\\.1:${closed} failed: .*ECONNREFUSED`));
  });

  it('a server that never answers exits 3 after --timeout', async () => {
    const silent = net.createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const port = (silent.address() as net.AddressInfo).port;
      const r = await cli(['--port', String(port), '--timeout', '300', 'get', 'k']);
      expect(r.code).to.equal(3);
      expect(oneLine(r)).to.match(/no reply within 300 ms/);
    } finally {
      silent.close();
    }
  });

  it('bad command lines exit 64 with one line', async () => {
    for (const args of [
      [],
      ['frobnicate'],
      ['get'],
      ['get', 'a b'],
      ['get', 'k', 'extra'],
      ['--port', 'x', 'get', 'k'],
      ['--nope'],
      ['--cert', 'c.pem', 'get', 'k'],
    ]) {
      const r = await cli([...at, ...args]);
      expect(r.code, args.join(' ')).to.equal(64);
      expect(oneLine(r)).to.match(/^rat-memcache-cli: .*\(see rat-memcache-cli --help\)$/);
    }
  });

  describe('--tls', () => {
    let certs: TestCerts;
    let secure: E2EServer;
    let tlsAt: string[];
    before(async () => {
      certs = makeTestCerts();
      secure = await startE2EServer({
        server: { ssl_enabled: true, ssl_chain_cert: certs.serverCert, ssl_key: certs.serverKey },
        l2: { enable_l2_cache: true, data_dir: path.join(dir, 'tls-data') },
      });
      tlsAt = ['--port', String(secure.port), '--tls', '--ca', certs.caCert];
    });
    after(async () => {
      await secure.stop();
      certs.remove();
    });

    it('set, get and stats over TLS', async () => {
      expect((await cli([...tlsAt, 'set', 'tls:cli', 'secret'])).code).to.equal(0);
      const get = await cli([...tlsAt, 'get', 'tls:cli']);
      expect(get.code, get.stderr).to.equal(0);
      expect(get.stdout.toString()).to.equal('secret');
      const stats = await cli([...tlsAt, 'stats', 'settings']);
      expect(stats.stdout.toString()).to.match(/^ssl_enabled yes$/m);
    });

    it('put and fetch over TLS', async () => {
      const value = randomBytes(3 * 1024 * 1024);
      const src = path.join(dir, 'tls.in');
      writeFileSync(src, value);
      expect((await cli([...tlsAt, '-q', 'put', src, 'tls:big'])).code).to.equal(0);
      const back = await cli([...tlsAt, '-q', 'fetch', 'tls:big', '-']);
      expect(back.code).to.equal(0);
      expect(back.stdout.equals(value)).to.equal(true);
    });

    it('an untrusted server certificate exits 3; --insecure connects anyway', async () => {
      const untrusted = await cli(['--port', String(secure.port), '--tls', 'get', 'tls:cli']);
      expect(untrusted.code).to.equal(3);
      expect(oneLine(untrusted)).to.match(/^rat-memcache-cli: TLS connection to 127\.0\.0\.1:\d+ failed: /);
      const insecure = await cli(['--port', String(secure.port), '--insecure', 'get', 'tls:cli']);
      expect(insecure.code, insecure.stderr).to.equal(0);
      expect(insecure.stdout.toString()).to.equal('secret');
    });

    it('without --tls, a TLS port closes the connection: exit 3', async () => {
      const r = await cli(['--port', String(secure.port), '--timeout', '3000', 'get', 'tls:cli']);
      expect(r.code).to.equal(3);
      expect(oneLine(r)).to.match(/connection closed \(a TLS port\? try --tls\)$/);
    });

    it('a missing --ca file exits 4', async () => {
      const r = await cli(['--port', String(secure.port), '--ca', path.join(dir, 'nope.pem'), 'get', 'k']);
      expect(r.code).to.equal(4);
      expect(oneLine(r)).to.match(/cannot read CA certificate .*nope\.pem/);
    });
  });
});
