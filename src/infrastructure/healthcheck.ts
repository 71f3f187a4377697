#!/usr/bin/env node
import net from 'node:net';
import { readFileSync } from 'node:fs';
import tls from 'node:tls';
import { parseCli } from './cli-args.js';

/**
 * The container image's HEALTHCHECK: one `version` round trip to the server,
 * exit 0 on `VERSION ...`, 1 otherwise. The port and TLS come from the
 * server's own command line (/proc/1/cmdline, the container's first process)
 * and environment, so `docker run IMAGE -p 11311 -Z ...` is checked where it
 * really listens. No shell: the image has none.
 */
function serverFlags(): { port: number; tls: boolean } {
  let port = Number(process.env['RAT_SERVER_PORT'] ?? 11211);
  let secure = process.env['RAT_SERVER_SSL_ENABLED'] === 'true' || process.env['RAT_SERVER_SSL_ENABLED'] === '1';
  try {
    const argv = readFileSync('/proc/1/cmdline', 'utf8')
      .split('\0')
      .filter((a) => a.length > 0);
    const at = argv.findIndex((a) => a.endsWith('cli.js'));
    if (at >= 0) {
      const server = parseCli(argv.slice(at + 1)).overrides['server'] ?? {};
      if (typeof server['port'] === 'number') port = server['port'];
      if (server['ssl_enabled'] === true) secure = true;
    }
  } catch {
    // not Linux, or not in a container: the environment and defaults stand
  }
  return { port, tls: secure };
}

function check(): Promise<boolean> {
  const { port, tls: secure } = serverFlags();
  return new Promise((resolve) => {
    const socket = secure ? tls.connect({ host: '127.0.0.1', port, rejectUnauthorized: false }) : net.connect({ host: '127.0.0.1', port });
    let reply = '';
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(3000, () => done(false));
    socket.on(secure ? 'secureConnect' : 'connect', () => socket.write('version\r\n'));
    socket.on('data', (d: Buffer) => {
      reply += d.toString('latin1');
      if (reply.includes('\r\n')) done(reply.startsWith('VERSION '));
    });
    socket.on('error', () => done(false));
    socket.on('close', () => done(false));
  });
}

void check().then((ok) => {
  process.stdout.write(ok ? 'healthy\n' : 'unhealthy\n');
  process.exit(ok ? 0 : 1);
});
