/** Reads a server's `stats` over the text protocol (for curr_items checks). */
import net from 'node:net';

export async function textStats(port: number, timeoutMs = 3000): Promise<Map<string, string> | undefined> {
  return await new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    let text = '';
    const done = (result: Map<string, string> | undefined): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    const timer = setTimeout(() => done(undefined), timeoutMs);
    socket.on('connect', () => socket.write('stats\r\n'));
    socket.on('data', (d: Buffer) => {
      text += d.toString('latin1');
      if (!text.endsWith('END\r\n')) return;
      const stats = new Map<string, string>();
      for (const m of text.matchAll(/^STAT (\S+) (.*)\r$/gm)) stats.set(m[1]!, m[2]!);
      done(stats);
    });
    socket.on('error', () => done(undefined));
  });
}
