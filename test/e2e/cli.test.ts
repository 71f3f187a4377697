import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
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

function run(args: string[]): Promise<Run> {
  return collect(spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'pipe', 'pipe'] }));
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

  it('a bad flag exits with a usage error (64) and says why', async () => {
    const r = await run(['--no-such-flag']);
    expect(r.code).to.equal(64);
    expect(r.stderr).to.include('no-such-flag');
    expect(r.stderr).to.include('Usage:');
    const bad = await run(['-p', 'notaport']);
    expect(bad.code).to.equal(64);
  });

  it('an invalid configuration value exits non-zero naming the key', async () => {
    const r = await run(['-l', '127.0.0.1', '-p', '0', '-c', '0', '--l2', 'off', '--config', path.join(dir, 'missing.toml')]);
    expect(r.code).to.not.equal(0);
    expect(r.stderr).to.include('missing.toml');
  });

  it('serves on an ephemeral port, writes the pid file, exits 0 on SIGTERM and removes it', async () => {
    const pidFile = path.join(dir, 'rat.pid');
    const child = spawn(process.execPath, [cli, '-l', '127.0.0.1', '-p', '0', '-P', pidFile, '-U', '0', '-t', '1', '--l2', 'off'], { stdio: ['ignore', 'pipe', 'pipe'] });
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
});
