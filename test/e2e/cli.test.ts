import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { TcpClient } from '../support/tcp-client.js';

// dist/test/e2e -> dist/src/infrastructure/cli.js
const cli = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'src', 'infrastructure', 'cli.js');

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function collect(child: ChildProcess, ms = 10_000): Promise<Run> {
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`cli did not exit within ${ms} ms; stderr: ${stderr}`));
    }, ms);
    child.on('exit', (code, signal) => {
      clearTimeout(t);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** The test's environment without its own RAT_ knobs (the server refuses unknown RAT_ variables). */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('RAT_'))), ...extra };
}

function run(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return collect(spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: cleanEnv(env) }));
}

/** One line on stderr, nothing on stdout, the given status: how every refused start must look. */
function expectRefused(r: Run, code: number, ...named: Array<string | RegExp>): void {
  expect(r.code, r.stderr).to.equal(code);
  expect(r.stdout).to.equal('');
  expect(r.stderr.trimEnd().split('\n'), r.stderr).to.have.length(1);
  expect(r.stderr).to.match(/^rat-memcached: /);
  expect(r.stderr).to.not.include('listening');
  for (const n of named) {
    if (typeof n === 'string') expect(r.stderr).to.include(n);
    else expect(r.stderr).to.match(n);
  }
}

/** A server child with its stderr lines kept. */
interface Server {
  child: ChildProcess;
  port: number;
  lines: () => string[];
  exited: Promise<Run>;
}

/** Resolves with the port the child logged once it listens. */
function listeningPort(child: ChildProcess, ms = 10_000): Promise<number> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const t = setTimeout(() => reject(new Error(`no "listening" log line within ${ms} ms: ${seen}`)), ms);
    child.stderr!.on('data', (d: Buffer) => {
      seen += d.toString();
      const m = /"port":(\d+)[^\n]*listening|listening[^\n]*"port":(\d+)/.exec(seen);
      if (m) {
        clearTimeout(t);
        resolve(Number(m[1] ?? m[2]));
      }
    });
  });
}

describe('e2e: the CLI as a child process', function () {
  this.timeout(30_000);
  const pkg = JSON.parse(readFileSync(path.resolve(path.dirname(cli), '..', '..', '..', 'package.json'), 'utf8')) as { version: string };
  let dir: string;
  const children: ChildProcess[] = [];

  function serve(args: string[], env: Record<string, string> = {}, command: string[] = [process.execPath, cli], cwd?: string): Promise<Server> {
    const child = spawn(command[0]!, [...command.slice(1), ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: cleanEnv(env), cwd });
    children.push(child);
    let text = '';
    child.stderr!.on('data', (d: Buffer) => (text += d.toString()));
    const exited = collect(child, 60_000);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`no listening line within 40 s: ${text}`)), 40_000);
      const poll = setInterval(() => {
        const m = /"port":(\d+)[^\n]*listening|listening[^\n]*port=(\d+)/.exec(text);
        if (!m) return;
        clearInterval(poll);
        clearTimeout(t);
        resolve({ child, port: Number(m[1] ?? m[2]), lines: () => text.split('\n').filter((l) => l.length > 0), exited });
      }, 20);
      void exited.then((r) => {
        clearInterval(poll);
        clearTimeout(t);
        reject(new Error(`exited (${r.code}) before listening: ${r.stderr}`));
      });
    });
  }

  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'rat-cli-'));
  });
  after(() => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('--version prints the package version and exits 0', async () => {
    const r = await run(['--version']);
    expect(r.code).to.equal(0);
    expect(r.stdout).to.equal(`rat-memcached ${pkg.version}\n`);
  });

  it('--help prints the usage and exits 0', async () => {
    const r = await run(['--help']);
    expect(r.code).to.equal(0);
    expect(r.stdout).to.match(/^Usage: rat-memcached/);
    expect(r.stdout).to.include('-p, --port');
  });

  it('a bad flag exits 64 with one line that says why', async () => {
    expectRefused(await run(['--no-such-flag']), 64, 'no-such-flag');
    expectRefused(await run(['-p', 'notaport']), 64, '-p');
  });

  it('settings memcached refuses are refused at start, one line, status 64', async () => {
    const base = ['-l', '127.0.0.1', '-p', '0', '--l2', 'off'];
    expectRefused(await run([...base, '-c', '0']), 64, 'Maximum connections must be greater than 0');
    expectRefused(await run([...base, '-I', '512']), 64, 'Item max size cannot be less than 1024 bytes');
    expectRefused(await run([...base, '-I', '2g']), 64, 'Cannot set item size limit higher than a gigabyte');
    expectRefused(await run([...base, '-I', '64m', '-m', '64']), 64, 'Cannot set item size limit higher than 1/2 of memory max');
    expectRefused(await run([...base, '-m', '0']), 64, 'Cannot set item size limit higher than 1/2 of memory max');
    expectRefused(await run([...base, '-m', '99999999999']), 64, /l1\.max_memory: .* too large/);
    expectRefused(await run([...base, '-p', '70000']), 64, 'server.port');
    expectRefused(await run([...base, '-t', '0']), 64, 'Number of threads must be greater than 0');
    expectRefused(await run([...base, '-B', 'foo']), 64, 'Invalid value for binding protocol: foo');
    expectRefused(await run([...base, '--log-format', 'loud']), 64, 'logging.format');
    expectRefused(await run([...base, '-o', 'modern,bogus=1']), 64, 'Illegal suboption "bogus=1"');
  });

  it('environment: booleans other than true/false/1/0 and unknown RAT_ variables are refused by name', async () => {
    const base = ['-l', '127.0.0.1', '-p', '0'];
    expectRefused(await run(base, { RAT_L2_ENABLE_L2_CACHE: 'yes' }), 64, 'RAT_L2_ENABLE_L2_CACHE="yes"', 'expects true or false');
    expectRefused(await run(base, { RAT_SEVRER_PORT: '1' }), 64, 'RAT_SEVRER_PORT: unknown environment variable');
  });

  it('config files: every bad key named at once, a TOML syntax error with its line, a missing file by name', async () => {
    const keys = path.join(dir, 'keys.toml');
    writeFileSync(keys, '[server]\nprot = 1\nmax_connections = 0\n[l2]\nsync_write = true\n');
    expectRefused(await run(['-p', '0', '--config', keys]), 64, 'server.prot', 'l2.sync_write', 'server.max_connections');
    const syntax = path.join(dir, 'syntax.toml');
    writeFileSync(syntax, '[server]\nport = 0\n\n[l1\n');
    expectRefused(await run(['-p', '0', '--config', syntax]), 64, /syntax\.toml is not valid TOML: line 4/);
    expectRefused(await run(['-p', '0', '--config', path.join(dir, 'missing.toml')]), 64, 'missing.toml');
  });

  it('a bad -P path is a one-line error before listening (status 71), and nothing is left listening', async () => {
    expectRefused(await run(['-l', '127.0.0.1', '-p', '0', '--l2', 'off', '-P', path.join(dir, 'no', 'such', 'dir', 'x.pid')]), 71, 'cannot write pid file');
  });

  it('a port already in use is a one-line start failure (status 71)', async () => {
    const s = await serve(['-l', '127.0.0.1', '-p', '0', '--l2', 'off']);
    expectRefused(await run(['-l', '127.0.0.1', '-p', String(s.port), '--l2', 'off']), 71, 'EADDRINUSE');
    s.child.kill('SIGTERM');
    expect((await s.exited).code).to.equal(0);
  });

  it('serves on an ephemeral port, writes the pid file, exits 0 on SIGTERM and removes it', async () => {
    const pidFile = path.join(dir, 'rat.pid');
    const child = spawn(process.execPath, [cli, '-l', '127.0.0.1', '-p', '0', '-P', pidFile, '-U', '0', '-t', '1', '--l2', 'off'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    const exited = collect(child, 20_000);
    const port = await listeningPort(child);
    // The pid file is written just after the "listening" line.
    for (let i = 0; i < 100 && !existsSync(pidFile); i++) await new Promise((r) => setTimeout(r, 50));
    expect(existsSync(pidFile)).to.equal(true);
    expect(readFileSync(pidFile, 'utf8').trim()).to.equal(String(child.pid));

    const c = await TcpClient.connect(port);
    const expected = 'STORED\r\nVALUE k 0 2\r\nhi\r\nEND\r\nVERSION 1.6.18\r\n';
    expect(await c.exchange('set k 0 0 2\r\nhi\r\nget k\r\nversion\r\n', expected)).to.equal(expected);

    child.kill('SIGTERM');
    const r = await exited;
    c.close();
    expect(r.signal).to.equal(null);
    expect(r.code).to.equal(0);
    expect(existsSync(pidFile)).to.equal(false);
  });

  const repo = path.resolve(path.dirname(cli), '..', '..', '..');
  const json = (lines: string[]) => lines.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);

  for (const preset of ['default', 'development', 'production', 'memory-only']) {
    it(`${preset} preset: one start line (version, port, config file, data dir, L2 items) and one stop line`, async () => {
      const data = path.join(dir, `data-${preset}`);
      // JSON here to read the fields (development's pretty format is the same events).
      const args = [
        '-l',
        '127.0.0.1',
        '-p',
        '0',
        '--data-dir',
        data,
        '--log-format',
        'json',
        ...(preset === 'default' ? [] : ['--config', path.join(repo, 'config', `${preset}.toml`)]),
      ];
      const s = await serve(args);
      s.child.kill('SIGTERM');
      const r = await s.exited;
      expect(r.code).to.equal(0);
      const logs = json(s.lines());
      const start = logs.filter((l) => l.msg === 'rat-memcached listening');
      const stop = logs.filter((l) => l.msg === 'rat-memcached stopped');
      expect(start, s.lines().join('\n')).to.have.length(1);
      expect(stop).to.have.length(1);
      expect(start[0]).to.include({ version: pkg.version, port: s.port, host: '127.0.0.1' });
      expect(start[0]!.configFiles)
        .to.be.an('array')
        .that.includes(path.join(repo, 'config', 'default.toml'));
      const l2 = preset === 'default' || preset === 'production';
      expect(start[0]!.dataDir).to.equal(l2 ? data : null);
      expect(start[0]!.l2Items).to.equal(l2 ? 0 : null);
      expect(stop[0]).to.include({ reason: 'SIGTERM' });
      // The presets that promise memory only open no data dir.
      expect(existsSync(data)).to.equal(l2);
    });
  }

  it('-v logs connections, -vv also each command; without it neither', async () => {
    const lines = async (flags: string[]) => {
      const s = await serve(['-l', '127.0.0.1', '-p', '0', '--l2', 'off', ...flags]);
      const c = await TcpClient.connect(s.port);
      expect(await c.exchange('get nothing\r\n', 'END\r\n')).to.equal('END\r\n');
      c.close();
      await new Promise((r) => setTimeout(r, 200));
      s.child.kill('SIGTERM');
      await s.exited;
      return json(s.lines()).map((l) => String(l.msg));
    };
    const quiet = await lines([]);
    expect(quiet).to.deep.equal(['rat-memcached listening', 'rat-memcached stopped']);
    const v = await lines(['-v']);
    expect(v).to.include('connection opened');
    expect(v).to.not.include('get');
    const vv = await lines(['-vv']);
    expect(vv).to.include('connection opened');
    expect(vv).to.include('get');
  });

  it('--log-format pretty writes readable lines, not JSON', async () => {
    const s = await serve(['-l', '127.0.0.1', '-p', '0', '--l2', 'off', '--log-format', 'pretty']);
    s.child.kill('SIGTERM');
    await s.exited;
    const [start, stop] = s.lines();
    expect(start).to.match(
      new RegExp(`^\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z INFO  rat-memcached listening version=${pkg.version.replace(/\./g, '\\.')} .*port=${s.port}`),
    );
    expect(stop).to.match(/ INFO {2}rat-memcached stopped reason=SIGTERM/);
  });

  it('-d returns 0 once the daemon serves, logs to --log-file, and exits non-zero with the reason when it cannot start', async () => {
    const pidFile = path.join(dir, 'daemon.pid');
    const logFile = path.join(dir, 'daemon.log');
    const ok = await run(['-d', '-l', '127.0.0.1', '-p', '0', '--l2', 'off', '-P', pidFile, '--log-file', logFile]);
    expect(ok.code, ok.stderr).to.equal(0);
    const pid = Number(readFileSync(pidFile, 'utf8'));
    try {
      const start = json(readFileSync(logFile, 'utf8').split('\n')).find((l) => l.msg === 'rat-memcached listening')!;
      expect(start.pid).to.equal(pid);
      const c = await TcpClient.connect(start.port as number);
      expect(await c.exchange('version\r\n', 'VERSION 1.6.18\r\n')).to.equal('VERSION 1.6.18\r\n');
      c.close();
      // A second daemon on the same port cannot listen: -d says so and fails.
      const bad = await run(['-d', '-l', '127.0.0.1', '-p', String(start.port), '--l2', 'off']);
      expect(bad.code).to.equal(71);
      expect(bad.stderr).to.match(/^rat-memcached: daemon failed to start: .*EADDRINUSE/);
    } finally {
      process.kill(pid, 'SIGTERM');
    }
    for (let i = 0; i < 100 && existsSync(pidFile); i++) await new Promise((r) => setTimeout(r, 50));
    expect(existsSync(pidFile)).to.equal(false);
    expect(readFileSync(logFile, 'utf8')).to.include('"msg":"rat-memcached stopped"');
  });

  it('npm start: SIGTERM to npm stops the server and frees its data dir for the next start', async function () {
    const npmCli = process.env.npm_execpath;
    const command = npmCli && /npm-cli\.js$/.test(npmCli) ? [process.execPath, npmCli] : ['npm'];
    const data = path.join(dir, 'npm-data');
    // --ignore-scripts: skip prestart's build (this run tests the built tree); start itself still runs.
    const args = ['start', '--ignore-scripts', '--', '-l', '127.0.0.1', '-p', '0', '--l2', 'on', '--data-dir', data];
    const s = await serve(args, {}, command, repo);
    const serverPid = json(s.lines()).find((l) => l.msg === 'rat-memcached listening')!.pid as number;
    s.child.kill('SIGTERM');
    await s.exited;
    const gone = async () => {
      for (let i = 0; i < 100; i++) {
        try {
          process.kill(serverPid, 0);
        } catch {
          return true;
        }
        await new Promise((r) => setTimeout(r, 50));
      }
      return false;
    };
    expect(await gone(), 'the server outlived npm').to.equal(true);
    // The LevelDB lock is free: a new server opens the same data dir.
    const again = await serve(['-l', '127.0.0.1', '-p', '0', '--l2', 'on', '--data-dir', data]);
    again.child.kill('SIGTERM');
    expect((await again.exited).code).to.equal(0);
  });

  it('-u USER: as root, serves as that user; otherwise refuses clearly unless it is the current user', async () => {
    if (process.getuid!() === 0) {
      const s = await serve(['-l', '127.0.0.1', '-p', '0', '--l2', 'off', '-u', 'nobody']);
      const status = readFileSync(`/proc/${s.child.pid}/status`, 'utf8');
      expect(status).to.match(/^Uid:\s+65534\s+65534\s+65534\s+65534$/m);
      s.child.kill('SIGTERM');
      expect((await s.exited).code).to.equal(0);
    } else {
      expectRefused(await run(['-l', '127.0.0.1', '-p', '0', '--l2', 'off', '-u', 'root']), 64, 'switching users needs root');
    }
    expectRefused(await run(['-l', '127.0.0.1', '-p', '0', '--l2', 'off', '-u', 'no-such-user-here']), 64, /no-such-user-here/);
  });

  it('-l takes a comma list with host:port, as memcached: every address serves', async () => {
    const s = await serve(['-l', '127.0.0.1,127.0.0.2:0', '-p', '0', '--l2', 'off']);
    const start = json(s.lines()).find((l) => l.msg === 'rat-memcached listening')!;
    const listening = start.listening as string[];
    expect(listening).to.have.length(2);
    for (const address of listening) {
      const [host, port] = [address.slice(0, address.lastIndexOf(':')), Number(address.slice(address.lastIndexOf(':') + 1))];
      const c = await TcpClient.connect(port, host);
      expect(await c.exchange('version\r\n', 'VERSION 1.6.18\r\n'), address).to.equal('VERSION 1.6.18\r\n');
      c.close();
    }
    expect(listening[0]).to.match(/^127\.0\.0\.1:\d+$/);
    expect(listening[1]).to.match(/^127\.0\.0\.2:\d+$/);
    s.child.kill('SIGTERM');
    expect((await s.exited).code).to.equal(0);
    expectRefused(await run(['-l', '127.0.0.1,', '-p', '0', '--l2', 'off']), 64, 'server.host: empty address');
  });
});
