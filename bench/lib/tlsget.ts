/**
 * tlsget (bench/lib/tlsget.c): the get load generator that speaks plain TCP
 * or TLS with one code path, and what the TLS scenario needs around it: a
 * throw-away certificate and a handshake check from Node.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import tls from 'node:tls';
import { hasCommand } from './proc.js';
import { pinnedLoadgen } from './servers.js';

export type Transport = 'plain' | 'tls';

export interface TlsgetResult {
  readonly ops: number;
  readonly seconds: number;
  /** Negotiated protocol as OpenSSL names it ("TLSv1.3"), "none" over plain TCP. */
  readonly protocol: string;
  readonly cipher: string;
  /** The generator's own user+system CPU, microseconds. */
  readonly cpuUs: number;
}

/** Compiles tlsget into dist/bench when missing or older than its source; throws why it cannot. */
export function buildTlsget(root: string): string {
  const source = path.join(root, 'bench/lib/tlsget.c');
  const binary = path.join(root, 'dist/bench/tlsget');
  if (existsSync(binary) && statSync(binary).mtimeMs >= statSync(source).mtimeMs) return binary;
  if (!hasCommand('gcc')) throw new Error('gcc not found');
  if (!existsSync('/usr/include/openssl/ssl.h')) throw new Error('OpenSSL headers not found (apt-get install -y libssl-dev)');
  mkdirSync(path.dirname(binary), { recursive: true });
  execFileSync('gcc', ['-O2', '-o', binary, source, '-lssl', '-lcrypto'], { stdio: 'inherit' });
  return binary;
}

export interface TlsgetOptions {
  readonly port: number;
  readonly transport: Transport;
  readonly mode: 'preload' | 'run';
  readonly conns: number;
  readonly depth: number;
  readonly keys: number;
  readonly valueSize: number;
  readonly seconds: number;
}

/** One tlsget run pinned to the load-generator CPU; rejects on a wrong reply, a failed handshake or a timeout. */
export async function runTlsget(binary: string, o: TlsgetOptions): Promise<TlsgetResult> {
  const argv = [
    binary,
    '127.0.0.1',
    String(o.port),
    o.transport,
    o.mode,
    String(o.conns),
    String(o.depth),
    String(o.keys),
    String(o.valueSize),
    String(o.seconds),
  ];
  const [cmd, ...args] = pinnedLoadgen(argv);
  const child = spawn(cmd!, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-1000)));
  const timer = setTimeout(() => child.kill('SIGKILL'), o.seconds * 1000 + 60_000);
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
  clearTimeout(timer);
  const json = /^\{.*\}$/m.exec(out);
  if (code !== 0 || !json) throw new Error(`tlsget ${o.transport} ${o.mode} failed (exit ${code}): ${err.trim() || out.trim()}`);
  const r = JSON.parse(json[0]) as { ops: number; seconds: number; protocol: string; cipher: string; cpu_us: number };
  return { ops: r.ops, seconds: r.seconds, protocol: r.protocol, cipher: r.cipher, cpuUs: r.cpu_us };
}

/** A self-signed EC certificate and key in dir, made at run time (nothing secret in the repository). */
export function makeCertificate(dir: string): { cert: string; key: string } {
  const cert = path.join(dir, 'bench-tls.pem');
  const key = path.join(dir, 'bench-tls.key');
  const subject = ['-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1'];
  execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', cert, '-days', '2', ...subject],
    {
      stdio: 'ignore',
    },
  );
  return { cert, key };
}

/**
 * One request over a fresh plain or TLS connection (certificate not checked:
 * it is self-signed), read until `end` ends the reply. Resolves the reply
 * and, over TLS, the protocol Node negotiated (`getProtocol()`).
 */
export async function roundTrip(port: number, transport: Transport, request: string, end: string): Promise<{ reply: string; protocol: string }> {
  return await new Promise((resolve, reject) => {
    const socket = transport === 'tls' ? tls.connect({ host: '127.0.0.1', port, rejectUnauthorized: false }) : net.connect({ host: '127.0.0.1', port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no reply to ${JSON.stringify(request.trim())} over ${transport} within 5 s`));
    }, 5000);
    let reply = '';
    socket.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    socket.once(transport === 'tls' ? 'secureConnect' : 'connect', () => socket.write(request));
    socket.on('data', (d: Buffer) => {
      reply += d.toString('latin1');
      if (!reply.endsWith(end)) return;
      clearTimeout(timer);
      const protocol = socket instanceof tls.TLSSocket ? (socket.getProtocol() ?? 'none') : 'none';
      socket.destroy();
      resolve({ reply, protocol });
    });
  });
}

/** Proves a -Z port negotiates TLS and answers memcached over it; resolves the protocol ("TLSv1.3"). */
export async function checkTlsPort(port: number): Promise<string> {
  const { reply, protocol } = await roundTrip(port, 'tls', 'version\r\n', '\r\n');
  if (!protocol.startsWith('TLS') || !reply.startsWith('VERSION ')) throw new Error(`TLS check failed: protocol ${protocol}, reply ${JSON.stringify(reply)}`);
  return protocol;
}

/** The server's own count of get commands (`stats` cmd_get), to check the generator counted each get once. */
export async function serverGets(port: number, transport: Transport): Promise<number> {
  const { reply } = await roundTrip(port, transport, 'stats\r\n', 'END\r\n');
  const m = /^STAT cmd_get (\d+)\r$/m.exec(reply);
  if (!m) throw new Error('stats has no cmd_get');
  return Number(m[1]);
}

/** Whether this memcached binary was built with TLS (`-Z` in its help). */
export function memcachedHasTls(): boolean {
  try {
    return /--enable-ssl/.test(execFileSync('memcached', ['-h'], { encoding: 'utf8' }));
  } catch {
    return false;
  }
}
