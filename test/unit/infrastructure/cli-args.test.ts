import { expect } from 'chai';
import { parseCli, parseSize, USAGE } from '../../../src/infrastructure/cli-args.js';
import { parseListen } from '../../../src/infrastructure/listen-addresses.js';

describe('cli-args', () => {
  it('parses memcached-style flags into configuration overrides', () => {
    const r = parseCli(['-p', '12345', '-l', '127.0.0.2', '-m', '128', '-c', '50', '-I', '2m', '-A', '-P', '/tmp/x.pid']);
    expect(r.overrides).to.deep.equal({
      server: { host: '127.0.0.2', port: 12345, max_connections: 50, item_size_max: 2 * 1024 * 1024, shutdown_enabled: true, pid_file: '/tmp/x.pid' },
      l1: { max_memory: 128 * 1024 * 1024 },
    });
    expect(r.help).to.equal(false);
    expect(r.version).to.equal(false);
    expect(r.daemon).to.equal(false);
  });

  it('long forms and the rat-specific flags', () => {
    const r = parseCli(['--port', '1', '--listen', '::1', '--l2', 'on', '--data-dir', '/d', '--config', 'a.toml', '--config', 'b.toml', '-v']);
    expect(r.overrides.server).to.deep.equal({ host: '::1', port: 1 });
    expect(r.overrides.l2).to.deep.equal({ enable_l2_cache: true, data_dir: '/d' });
    expect(r.overrides.logging).to.deep.equal({ enable_logging: true, level: 'debug', enable_audit_logs: true });
    expect(r.configFiles).to.deep.equal(['a.toml', 'b.toml']);
    expect(parseCli(['-vv']).overrides.logging).to.deep.equal({ enable_logging: true, level: 'trace', enable_audit_logs: true, enable_cache_logs: true });
    expect(parseCli(['--l2', 'off']).overrides.l2).to.deep.equal({ enable_l2_cache: false });
  });

  it('--bind HOST:PORT, including a bracketed IPv6 host', () => {
    expect(parseCli(['--bind', '127.0.0.1:9999']).overrides.server).to.deep.equal({ host: '127.0.0.1', port: 9999 });
    expect(parseCli(['--bind', '[::1]:11211']).overrides.server).to.deep.equal({ host: '::1', port: 11211 });
    // -p / -l given too win over --bind.
    expect(parseCli(['--bind', '127.0.0.1:9999', '-p', '1']).overrides.server).to.deep.equal({ host: '127.0.0.1', port: 1 });
  });

  it('refuses malformed values with a message naming the flag', () => {
    expect(() => parseCli(['--bind', 'nohost'])).to.throw(/--bind/);
    expect(() => parseCli(['--bind', 'h:port'])).to.throw(/--bind/);
    expect(() => parseCli(['-p', 'abc'])).to.throw(/-p/);
    expect(() => parseCli(['-c', '-1'])).to.throw();
    expect(() => parseCli(['-m', '1.5'])).to.throw(/-m/);
    expect(() => parseCli(['--l2', 'maybe'])).to.throw(/--l2/);
    expect(() => parseCli(['-I', '1x'])).to.throw(/invalid size/);
  });

  it('refuses unknown flags and positionals', () => {
    expect(() => parseCli(['--bogus'])).to.throw();
    expect(() => parseCli(['extra'])).to.throw();
  });

  it('accepts and ignores memcached flags that do not apply, checked as memcached checks them', () => {
    const r = parseCli(['-t', '4', '-U', '0', '-o', 'modern', '-R', '20', '-B', 'ascii']);
    expect(r.overrides).to.deep.equal({});
    expect(() => parseCli(['-t', '0'])).to.throw('Number of threads must be greater than 0');
    expect(() => parseCli(['-R', '0'])).to.throw('Number of requests per event must be greater than 0');
    expect(() => parseCli(['-B', 'foo'])).to.throw('Invalid value for binding protocol: foo -- should be one of auto, binary, or ascii');
    expect(() => parseCli(['-U', '11211'])).to.throw(/UDP is not supported/);
    expect(parseCli(['-o', 'no_lru_maintainer,hashpower=20', '-o', 'modern']).overrides).to.deep.equal({});
    expect(() => parseCli(['-o', 'modern,bogus2=1'])).to.throw('Illegal suboption "bogus2=1"');
  });

  it('-u, --log-format and --log-file set their keys', () => {
    const r = parseCli(['-u', 'nobody', '--log-format', 'pretty', '--log-file', '/tmp/rat.log']);
    expect(r.overrides).to.deep.equal({ server: { user: 'nobody' }, logging: { format: 'pretty', file: '/tmp/rat.log' } });
  });

  it('help, version, daemon', () => {
    expect(parseCli(['-h']).help).to.equal(true);
    expect(parseCli(['--version']).version).to.equal(true);
    expect(parseCli(['-V']).version).to.equal(true);
    expect(parseCli(['-d']).daemon).to.equal(true);
    expect(USAGE).to.match(/^Usage: rat-memcached/);
  });

  it('parseSize understands bytes and k/m/g', () => {
    expect(parseSize('100')).to.equal(100);
    expect(parseSize('512k')).to.equal(512 * 1024);
    expect(parseSize('1m')).to.equal(1024 * 1024);
    expect(parseSize('1M')).to.equal(1024 * 1024);
    expect(parseSize('2g')).to.equal(2 * 1024 ** 3);
    expect(() => parseSize('')).to.throw();
    expect(() => parseSize('-1m')).to.throw();
    expect(() => parseSize('1.5m')).to.throw();
  });

  it('parseListen reads memcached -l lists: host, host:port, [v6]:port, bare IPv6', () => {
    expect(parseListen('127.0.0.1', 11211)).to.deep.equal([{ host: '127.0.0.1', port: 11211 }]);
    expect(parseListen('127.0.0.1:11999,127.0.0.2', 11211)).to.deep.equal([
      { host: '127.0.0.1', port: 11999 },
      { host: '127.0.0.2', port: 11211 },
    ]);
    expect(parseListen('[::1]:5000,::1', 7)).to.deep.equal([
      { host: '::1', port: 5000 },
      { host: '::1', port: 7 },
    ]);
    expect(() => parseListen('127.0.0.1,', 1)).to.throw(/empty address/);
    expect(() => parseListen('h:99999', 1)).to.throw(/bad port/);
    expect(() => parseListen(':5', 1)).to.throw(/no host/);
  });
});
