import net from 'node:net';

/**
 * Asks the kernel for an unused TCP port on 127.0.0.1.
 *
 * The port is released before it is returned, so another process could grab
 * it in between; the servers under test are started right after, which keeps
 * that window small enough for a test machine.
 */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      if (address === null || typeof address === 'string') {
        server.close();
        reject(new Error('free-port: listen(0) returned no port'));
        return;
      }
      const { port } = address;
      server.close(() => resolve(port));
    });
  });
}
