import { CommandClient } from './command-client.js';
import { ReplyConnection, ReplyError, type ConnectOptions } from './connection.js';

/** A value read by `get`. */
export interface Fetched {
  value: Buffer;
  flags: number;
}

/**
 * A minimal text-protocol client for the classic commands the command-line
 * client needs. One command at a time per connection; calls queue.
 */
export class TextClient extends CommandClient {
  static async connect(port: number, host = '127.0.0.1', options: ConnectOptions = {}): Promise<TextClient> {
    return new TextClient(await ReplyConnection.open(port, host, options));
  }

  /** The value, or undefined on a miss. */
  async get(key: string): Promise<Fetched | undefined> {
    return this.exclusive(async () => {
      this.conn.write(`get ${key}\r\n`);
      const head = await this.conn.readLine();
      if (head === 'END') return undefined;
      const m = /^VALUE \S+ (\d+) (\d+)$/.exec(head);
      if (!m) throw new ReplyError(head);
      const body = await this.conn.readBytes(Number(m[2]) + 2);
      const end = await this.conn.readLine();
      if (end !== 'END') throw new ReplyError(end);
      return { value: body.subarray(0, body.length - 2), flags: Number(m[1]) };
    });
  }

  /** Resolves once STORED; throws ReplyError on any other reply (NOT_STORED, SERVER_ERROR...). */
  async set(key: string, value: Uint8Array, options: { flags?: number; exptime?: number } = {}): Promise<void> {
    await this.exclusive(async () => {
      this.conn.write(`set ${key} ${options.flags ?? 0} ${options.exptime ?? 0} ${value.length}\r\n`);
      this.conn.write(value);
      this.conn.write('\r\n');
      const reply = await this.conn.readLine();
      if (reply !== 'STORED') throw new ReplyError(reply);
    });
  }

  /** True when deleted, false when there was no such key. */
  async delete(key: string): Promise<boolean> {
    return this.exclusive(async () => {
      this.conn.write(`delete ${key}\r\n`);
      const reply = await this.conn.readLine();
      if (reply === 'DELETED') return true;
      if (reply === 'NOT_FOUND') return false;
      throw new ReplyError(reply);
    });
  }

  /** `stats [group]` as name/value pairs, in the server's order. */
  async stats(group = ''): Promise<Array<[string, string]>> {
    return this.exclusive(async () => {
      this.conn.write(group ? `stats ${group}\r\n` : 'stats\r\n');
      const out: Array<[string, string]> = [];
      for (;;) {
        const line = await this.conn.readLine();
        if (line === 'END') return out;
        const m = /^STAT (\S+) ?(.*)$/.exec(line);
        if (!m) throw new ReplyError(line);
        out.push([m[1]!, m[2]!]);
      }
    });
  }

  /** flush_all, now or after `delaySeconds`. */
  async flush(delaySeconds?: number): Promise<void> {
    await this.exclusive(async () => {
      this.conn.write(delaySeconds === undefined ? 'flush_all\r\n' : `flush_all ${delaySeconds}\r\n`);
      const reply = await this.conn.readLine();
      if (reply !== 'OK') throw new ReplyError(reply);
    });
  }
}
