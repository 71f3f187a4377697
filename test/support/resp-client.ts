import net from 'node:net';
import { encodeCommand, replyEnd } from './resp-frames.js';

/** Bound on every wait, so a silent server fails a test instead of hanging it. */
const WAIT_MS = 5_000;

/**
 * A raw RESP client for tests: sends exact bytes and returns each reply as
 * its exact bytes (latin1), so replies compare byte for byte.
 */
export class RespClient {
  private buf = Buffer.alloc(0);
  private waiters: (() => void)[] = [];
  closed = false;

  private constructor(readonly socket: net.Socket) {
    socket.on('data', (d: Buffer) => {
      this.buf = Buffer.concat([this.buf, d]);
      this.wake();
    });
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
    socket.on('error', () => {});
  }

  static connect(port: number, host = '127.0.0.1'): Promise<RespClient> {
    return new Promise((resolve, reject) => {
      const s = net.connect({ port, host, noDelay: true });
      s.once('connect', () => resolve(new RespClient(s)));
      s.once('error', reject);
    });
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  private async until(done: () => boolean, ms: number): Promise<void> {
    const deadline = Date.now() + ms;
    while (!done() && !this.closed) {
      const left = deadline - Date.now();
      if (left <= 0) return;
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  send(data: Buffer | string): void {
    this.socket.write(typeof data === 'string' ? Buffer.from(data, 'latin1') : data);
  }

  /** The next complete reply, or what arrived before the time ran out / the connection closed, marked as such. */
  async reply(ms = WAIT_MS): Promise<string> {
    await this.until(() => replyEnd(this.buf) !== -1, ms);
    const end = replyEnd(this.buf);
    if (end === -1) {
      const partial = this.buf.toString('latin1');
      this.buf = Buffer.alloc(0);
      return partial + (this.closed ? '<closed>' : '<timeout>');
    }
    const out = this.buf.toString('latin1', 0, end);
    this.buf = this.buf.subarray(end);
    return out;
  }

  /** Sends one command (multibulk) and returns its reply. */
  async call(...args: Array<string | Buffer>): Promise<string> {
    this.send(encodeCommand(args));
    return this.reply();
  }

  /** Sends raw bytes and collects `n` replies. */
  async raw(data: string | Buffer, n = 1): Promise<string[]> {
    this.send(data);
    const out: string[] = [];
    for (let i = 0; i < n; i++) out.push(await this.reply());
    return out;
  }

  /** Resolves true once the server has closed the connection. */
  async waitClosed(ms = WAIT_MS): Promise<boolean> {
    await this.until(() => false, ms);
    return this.closed;
  }

  close(): void {
    this.socket.destroy();
  }
}
