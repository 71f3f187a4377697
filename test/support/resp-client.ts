import { encodeCommand, replyEnd } from './resp-frames.js';
import { TcpClient } from './tcp-client.js';

/**
 * A raw RESP client for tests: the TCP client plus a reader that returns
 * each reply as its exact bytes (latin1), so replies compare byte for byte.
 */
export class RespClient extends TcpClient {
  /** The next complete reply, or what arrived before the time ran out / the connection closed, marked as such. */
  async reply(ms?: number): Promise<string> {
    await this.waitFor(() => replyEnd(this.buffered) !== -1, ms);
    const end = replyEnd(this.buffered);
    if (end === -1) {
      const partial = this.takeAll().toString('latin1');
      return partial + (this.closed ? '<closed>' : '<timeout>');
    }
    const out = this.buffered.toString('latin1', 0, end);
    this.buffered = this.buffered.subarray(end);
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
}
