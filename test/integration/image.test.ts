import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { GenericContainer, getContainerRuntimeClient, Wait, type StartedTestContainer } from 'testcontainers';
import { TcpClient } from '../support/tcp-client.js';
import { freePort } from '../support/free-port.js';
import { EnvironmentError } from './support/running-server.js';
import { waitUntilServing } from './support/wait-until-serving.js';

/** Repository root: this file runs as dist/test/integration/image.test.js. */
const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const KEYS = 200;

/**
 * The container image as a user runs it, started with host networking and
 * memcached flags as its command, healthy by its own HEALTHCHECK, and still
 * holding its data after a restart on the same /data volume. Two builds of it
 * (no registry here): the repository's Dockerfile on a stand-in for
 * node:20-slim (scripts/build-dockerfile-image.sh), and the FROM-scratch
 * equivalent (scripts/build-image.sh).
 */
for (const [title, script] of [
  ['container image (Dockerfile on a stand-in node:20-slim)', 'build-dockerfile-image.sh'],
  ['container image (scripts/build-image.sh, FROM scratch)', 'build-image.sh'],
] as const) {
  describe(title, function () {
    // The Dockerfile build runs npm ci inside the container.
    this.timeout(300_000);
    let tag: string;
    let dataDir: string;
    let container: StartedTestContainer | undefined;
    let port: number;

    before(async () => {
      process.env['TESTCONTAINERS_RYUK_DISABLED'] ??= 'true';
      process.env['TESTCONTAINERS_HOST_OVERRIDE'] ??= '127.0.0.1';
      try {
        await getContainerRuntimeClient();
      } catch {
        throw new EnvironmentError('Docker is not reachable: install docker.io and start dockerd (scripts/ci-docker.sh does both)');
      }
      const out = execFileSync('bash', [path.join(REPO_ROOT, 'scripts', script)], {
        cwd: REPO_ROOT,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      tag = out.trim().split('\n').pop()!;
      dataDir = mkdtempSync(path.join(tmpdir(), 'rat-image-data-'));
      // The image's user (uid 1000) writes the volume.
      chmodSync(dataDir, 0o777);
      port = await freePort();
    });

    after(async () => {
      await container?.stop({ timeout: 5 });
      if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    });

    it('serves memcached, reports healthy, runs as a non-root user, and keeps its data across a restart', async () => {
      container = await new GenericContainer(tag)
        .withNetworkMode('host')
        .withCommand(['-l', '127.0.0.1', '-p', String(port)])
        .withBindMounts([{ source: dataDir, target: '/data' }])
        .withWaitStrategy(Wait.forHealthCheck())
        .withStartupTimeout(60_000)
        .start();

      const c = await TcpClient.connect(port);
      expect(await c.exchange('version\r\n', 'VERSION 1.6.18\r\n')).to.equal('VERSION 1.6.18\r\n');
      let request = '';
      let expected = '';
      for (let i = 0; i < KEYS; i++) {
        request += `set image:${i} ${i} 0 ${String(i).length}\r\n${i}\r\n`;
        expected += 'STORED\r\n';
      }
      expect(await c.exchange(request, expected)).to.equal(expected);
      c.close();

      const uid = (await container.exec(['node', '-p', 'process.getuid()'])).output.trim();
      expect(uid).to.equal('1000');

      await container.restart({ timeout: 10 });
      await waitUntilServing('127.0.0.1', port, 30_000);
      const again = await TcpClient.connect(port);
      for (const i of [0, 1, KEYS / 2, KEYS - 1]) {
        const want = `VALUE image:${i} ${i} ${String(i).length}\r\n${i}\r\nEND\r\n`;
        expect(await again.exchange(`get image:${i}\r\n`, want)).to.equal(want);
      }
      const stats = await again.lines('stats\r\n');
      again.close();
      expect(stats).to.match(/\r\nSTAT l2_items (\d+)\r\n/);
      expect(Number(/\r\nSTAT l2_items (\d+)\r\n/.exec(stats)![1])).to.equal(KEYS);
      // The second run listened on the same volume and found the items on it.
      const logs = await new Promise<string>((resolve, reject) => {
        let text = '';
        void container!.logs().then((stream) => {
          stream.on('data', (d: Buffer | string) => (text += d.toString()));
          setTimeout(() => resolve(text), 500);
        }, reject);
      });
      const starts = logs.split('\n').filter((l) => l.includes('"msg":"rat-memcached listening"'));
      expect(starts).to.have.length(2);
      expect(JSON.parse(starts[1]!)).to.include({ dataDir: '/data', port });
      // The index scan runs after listening (ADR 0017); its last line counts what the volume held.
      const scans = logs.split('\n').filter((l) => l.includes('"msg":"L2 index warm-up done"'));
      expect(scans, logs).to.not.have.length(0);
      expect(JSON.parse(scans[scans.length - 1]!)).to.include({ items: KEYS });
    });
  });
}
