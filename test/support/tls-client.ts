import net from 'node:net';
import tls from 'node:tls';
import { TcpClient } from './tcp-client.js';

const WAIT_MS = 5_000;

/** Resolves with the socket once the TLS handshake is done (client side). */
export function tlsConnect(port: number, options: tls.ConnectionOptions = {}): Promise<tls.TLSSocket> {
  return new Promise((resolve, reject) => {
    const s = tls.connect({ host: '127.0.0.1', port, ...options });
    const t = setTimeout(() => {
      s.destroy();
      reject(new Error(`no TLS handshake within ${WAIT_MS} ms`));
    }, WAIT_MS);
    s.once('secureConnect', () => {
      clearTimeout(t);
      s.off('error', onError);
      s.setNoDelay(true);
      resolve(s);
    });
    const onError = (err: Error): void => {
      clearTimeout(t);
      reject(err);
    };
    s.once('error', onError);
  });
}

/** The raw test client over TLS. */
export async function tlsClient(port: number, options: tls.ConnectionOptions = {}): Promise<TcpClient> {
  return new TcpClient(await tlsConnect(port, options));
}

/**
 * A plain loopback port whose connections are carried over TLS to `port`,
 * for clients that have no TLS of their own (the npm memcached client, memjs):
 * what stunnel or ghostunnel do in front of such clients in production.
 */
export async function tlsTunnel(port: number, options: tls.ConnectionOptions): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((plain) => {
    sockets.add(plain);
    const secure = tls.connect({ host: '127.0.0.1', port, ...options });
    sockets.add(secure);
    plain.pipe(secure).pipe(plain);
    const done = (): void => {
      plain.destroy();
      secure.destroy();
      sockets.delete(plain);
      sockets.delete(secure);
    };
    plain.on('error', done).on('close', done);
    secure.on('error', done).on('close', done);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** 'served' when a `version` round trip succeeds over TLS with these options, else 'refused'. */
export async function tlsAttempt(port: number, options: tls.ConnectionOptions): Promise<'served' | 'refused'> {
  let socket: tls.TLSSocket;
  try {
    socket = await tlsConnect(port, options);
  } catch {
    return 'refused';
  }
  const client = new TcpClient(socket);
  try {
    client.send('version\r\n');
    const reply = await client.readUntil('\r\n', 2_000);
    return reply.startsWith('VERSION ') ? 'served' : 'refused';
  } finally {
    client.close();
  }
}
