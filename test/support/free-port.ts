import net from 'node:net';

/**
 * A TCP port of 127.0.0.1 free right now (bound then released), for
 * listeners whose port 0 means "off" (the admin listener).
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}
