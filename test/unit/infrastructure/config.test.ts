import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConfigError, loadSettings, unknownEnvironment } from '../../../src/infrastructure/config.js';

describe('config', () => {
  let dir: string;
  const saved: Record<string, string | undefined> = {};
  const setEnv = (k: string, v: string) => {
    if (!(k in saved)) saved[k] = process.env[k];
    process.env[k] = v;
  };
  const file = (name: string, text: string) => {
    const p = path.join(dir, name);
    writeFileSync(p, text);
    return p;
  };

  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'rat-config-'));
  });
  afterEach(() => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
      delete saved[k];
    }
  });
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('has safe defaults', () => {
    const s = loadSettings();
    expect(s.server.host).to.equal('127.0.0.1');
    expect(s.server.port).to.equal(11211);
    expect(s.server.item_size_max).to.equal(1024 * 1024);
    expect(s.l2.enable_l2_cache).to.equal(false);
    expect(s.server.version).to.equal('1.6.18');
  });

  it('reads TOML files in order, later ones winning', () => {
    const a = file('a.toml', '[server]\nport = 1000\nmax_connections = 10\n[l1]\neviction_strategy = "lfu"\n');
    const b = file('b.toml', '[server]\nport = 2000\n');
    const s = loadSettings([a, b]);
    expect(s.server.port).to.equal(2000);
    expect(s.server.max_connections).to.equal(10);
    expect(s.l1.eviction_strategy).to.equal('lfu');
  });

  it('environment variables beat files', () => {
    const a = file('env.toml', '[server]\nport = 1000\nshutdown_enabled = false\n');
    setEnv('RAT_SERVER_PORT', '3000');
    setEnv('RAT_SERVER_SHUTDOWN_ENABLED', 'true');
    setEnv('RAT_L1_EVICTION_STRATEGY', 'sieve');
    const s = loadSettings([a]);
    expect(s.server.port).to.equal(3000);
    expect(s.server.shutdown_enabled).to.equal(true);
    expect(s.l1.eviction_strategy).to.equal('sieve');
  });

  // Overrides vs environment is not asserted here: convict re-imports env on every load() (reported).
  it('command-line overrides beat files', () => {
    const a = file('ovr.toml', '[server]\nport = 1000\n');
    expect(loadSettings([a], { server: { port: 4000 } }).server.port).to.equal(4000);
  });

  it('a validation error names the key', () => {
    expect(() => loadSettings([file('bad.toml', '[server]\nport = "not a port"\n')])).to.throw(/server\.port/);
    expect(() => loadSettings([], { server: { max_connections: -1 } })).to.throw(/server\.max_connections/);
    expect(() => loadSettings([], { logging: { level: 'loud' } })).to.throw(/logging\.level/);
  });

  it('an unknown key is refused and named', () => {
    expect(() => loadSettings([file('unknown.toml', '[server]\nprot = 1\n')])).to.throw(/server\.prot/);
  });

  it('an environment variable with a bad value is refused and named', () => {
    setEnv('RAT_SERVER_PORT', 'abc');
    expect(() => loadSettings()).to.throw(/server\.port/);
  });

  it('a missing or malformed file is reported with its name', () => {
    expect(() => loadSettings([path.join(dir, 'missing.toml')])).to.throw(/missing\.toml/);
    expect(() => loadSettings([file('broken.toml', '[server\nport = 1\n')])).to.throw(/broken\.toml.*not valid TOML/);
  });

  it('a TOML syntax error gives its line', () => {
    const f = file('line.toml', '[server]\nport = 1\n\nhost = "x\n');
    expect(() => loadSettings([f])).to.throw(/line\.toml is not valid TOML: line 4, column \d+/);
  });

  it('names every bad key at once: files, variables and overrides together', () => {
    setEnv('RAT_L2_SYNC_WRITES', 'maybe');
    const f = file('many.toml', '[server]\nprot = 1\nport = "x"\n[l1]\neviction_strategy = "random"\n');
    let err: unknown;
    try {
      loadSettings([f], { server: { max_connections: 0 } });
    } catch (e) {
      err = e;
    }
    expect(err).to.be.instanceOf(ConfigError);
    const text = (err as ConfigError).problems.join('\n');
    for (const named of ['server.prot', 'server.port', 'l1.eviction_strategy', 'RAT_L2_SYNC_WRITES', 'server.max_connections']) expect(text).to.include(named);
  });

  it('environment booleans: true/false/1/0 in any case, anything else refused by name (never read as false)', () => {
    for (const [raw, value] of [
      ['true', true],
      ['TRUE', true],
      ['1', true],
      ['false', false],
      ['False', false],
      ['0', false],
    ] as const) {
      setEnv('RAT_L2_ENABLE_L2_CACHE', raw);
      expect(loadSettings().l2.enable_l2_cache, raw).to.equal(value);
    }
    for (const raw of ['yes', 'no', 'on', '', 'ture']) {
      setEnv('RAT_L2_ENABLE_L2_CACHE', raw);
      expect(() => loadSettings(), raw).to.throw(/RAT_L2_ENABLE_L2_CACHE=.*l2\.enable_l2_cache expects true or false/);
    }
  });

  it('environment numbers must be whole numbers', () => {
    for (const raw of ['1e3', '0x10', '-1', '12abc', '']) {
      setEnv('RAT_L1_MAX_MEMORY', raw);
      expect(() => loadSettings(), raw).to.throw(/RAT_L1_MAX_MEMORY/);
    }
  });

  it('unknownEnvironment names RAT_ variables no key reads', () => {
    expect(unknownEnvironment({ RAT_SERVER_PORT: '1', RAT_SEVRER_PORT: '1', RAT_L2_ENABLE_L2_CACHES: 'true', HOME: '/' })).to.have.length(2);
    expect(unknownEnvironment({ RAT_SERVER_PORT: '1', PATH: '/bin' })).to.deep.equal([]);
  });

  it("memcached's limits: connections, item size, memory (server rules only where memcached has them)", () => {
    const fails = (o: Record<string, Record<string, unknown>>, re: RegExp) => expect(() => loadSettings([], o, { server: true })).to.throw(re);
    fails({ server: { max_connections: 0 } }, /Maximum connections must be greater than 0/);
    fails({ server: { item_size_max: 512 } }, /Item max size cannot be less than 1024 bytes/);
    fails({ server: { item_size_max: 2 * 1024 ** 3 } }, /higher than a gigabyte/);
    fails({ l1: { max_memory: 0 } }, /higher than 1\/2 of memory max/);
    fails({ l1: { max_memory: 2 ** 60 } }, /l1\.max_memory: .* too large/);
    // With the disk tier on, large items live on disk: a small memory tier is fine.
    expect(loadSettings([], { l1: { max_memory: 8192 }, l2: { enable_l2_cache: true } }, { server: true }).l1.max_memory).to.equal(8192);
    // The embedded library may run a tiny memory tier.
    expect(loadSettings([], { l1: { max_memory: 65536 } }).l1.max_memory).to.equal(65536);
  });
});
