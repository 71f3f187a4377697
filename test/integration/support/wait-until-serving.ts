import net from 'node:net';

const VERSION_REPLY = /^VERSION [^\r\n]*\r\n$/;

/**
 * Polls until something at host:port accepts a TCP connection and answers
 * `version\r\n` with a VERSION line.
 *
 * A real round trip rather than a port check because with host networking
 * the container runtime cannot see the port, and because a listening socket
 * does not prove the server's protocol loop is running.
 *
 * @param isGone optional probe: when it returns a reason, waiting stops early
 *   (e.g. the child process has already exited) instead of burning the timeout.
 */
export async function waitUntilServing(host: string, port: number, timeoutMs: number, isGone?: () => string | undefined): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastProblem = 'no attempt made';
  while (Date.now() < deadline) {
    const gone = isGone?.();
    if (gone !== undefined) throw new Error(`server at ${host}:${port} ${gone}`);
    try {
      await versionRoundTrip(host, port, Math.max(100, Math.min(1000, deadline - Date.now())));
      return;
    } catch (error) {
      lastProblem = error instanceof Error ? error.message : String(error);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`server at ${host}:${port} did not answer "version" within ${timeoutMs} ms (${lastProblem})`);
}

async function versionRoundTrip(host: string, port: number, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port });
    let received = '';
    const finish = (error?: Error): void => {
      clearTimeout(timer);
      socket.destroy();
      if (error) reject(error);
      else resolve();
    };
    const timer = setTimeout(() => finish(new Error('timed out')), timeoutMs);
    socket.setEncoding('latin1');
    socket.once('connect', () => socket.write('version\r\n'));
    socket.on('data', (chunk: string) => {
      received += chunk;
      if (received.endsWith('\r\n')) {
        finish(VERSION_REPLY.test(received) ? undefined : new Error(`unexpected reply ${JSON.stringify(received)}`));
      }
    });
    socket.once('error', (error) => finish(error));
    socket.once('close', () => finish(new Error('connection closed')));
  });
}
