import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { serverEnvironment } from '../support/child-server.js';
import { TcpClient } from '../support/tcp-client.js';

// dist/test/e2e -> the repository's bin/rat-memcached (the launcher is not compiled).
const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const launcher = path.join(repo, 'bin', 'rat-memcached');

interface Launched {
  pid: number;
  port: number;
  cmdline: string[];
  environ: Map<string, string>;
  exited: Promise<number | null>;
  kill(): void;
}

/** Runs the launcher (as npm's bin link would: no shell of ours) until the server logs its port. */
async function launch(command: string, env: NodeJS.ProcessEnv): Promise<Launched> {
  const child = spawn(command, ['-l', '127.0.0.1', '-p', '0', '--l2', 'off'], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...env, RAT_LOGGING_ENABLE_LOGGING: 'true', RAT_LOGGING_LEVEL: 'info' },
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let seen = '';
  const line = await new Promise<Record<string, unknown>>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the launcher's server did not listen within 20 s: ${seen.slice(-2000)}`));
    }, 20_000);
    child.stderr!.on('data', (d: Buffer) => {
      seen += d.toString();
      const found = seen.split('\n').find((l) => l.includes('"rat-memcached listening"'));
      if (found) {
        clearTimeout(timer);
        resolve(JSON.parse(found) as Record<string, unknown>);
      }
    });
  });
  const pid = line.pid as number;
  const proc = (file: string): string[] =>
    readFileSync(`/proc/${pid}/${file}`, 'latin1')
      .split('\0')
      .filter((s) => s !== '');
  return {
    pid,
    port: line.port as number,
    cmdline: proc('cmdline'),
    environ: new Map(proc('environ').map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)])),
    exited,
    kill: () => child.kill('SIGTERM'),
  };
}

describe('bin/rat-memcached (the launcher users start)', function () {
  this.timeout(60_000);
  let dir = '';
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'rat-launcher-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('becomes the server itself (exec: same pid, signals reach it) with its process-start settings', async () => {
    const env = serverEnvironment();
    delete env.MALLOC_ARENA_MAX;
    delete env.NODE_OPTIONS;
    // Through a symlink elsewhere, as npm installs bins into node_modules/.bin.
    const link = path.join(dir, 'rat-memcached');
    symlinkSync(launcher, link);
    const s = await launch(link, env);
    try {
      expect(s.cmdline).to.include('--v8-pool-size=1');
      expect(s.cmdline[0]).to.match(/(^|\/)node$/);
      expect(s.cmdline.find((a) => a.endsWith('/dist/src/infrastructure/cli.js'))).to.not.equal(undefined);
      expect(s.environ.get('MALLOC_ARENA_MAX')).to.equal('2');
      const c = await TcpClient.connect(s.port);
      expect(await c.exchange('version\r\n', 'VERSION 1.6.18\r\n')).to.equal('VERSION 1.6.18\r\n');
      c.close();
    } finally {
      s.kill();
    }
    // The pid that logged "listening" is the launcher's own: SIGTERM to it stopped the server.
    expect(await s.exited).to.equal(0);
  });

  it("keeps the operator's own MALLOC_ARENA_MAX and a --v8-pool-size given in NODE_OPTIONS", async () => {
    const env = { ...serverEnvironment(), MALLOC_ARENA_MAX: '4', NODE_OPTIONS: '--v8-pool-size=3' };
    const s = await launch(launcher, env);
    try {
      expect(s.environ.get('MALLOC_ARENA_MAX')).to.equal('4');
      expect(s.cmdline.filter((a) => a.startsWith('--v8-pool-size'))).to.deep.equal([]);
      expect(s.environ.get('NODE_OPTIONS')).to.equal('--v8-pool-size=3');
    } finally {
      s.kill();
    }
    expect(await s.exited).to.equal(0);
  });
});
