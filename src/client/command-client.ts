import type { ReplyConnection } from './connection.js';

/**
 * What the clients have in common: one connection, on which one command runs
 * at a time (calls queue), opened by the subclass's `connect`.
 */
export abstract class CommandClient {
  protected constructor(protected readonly conn: ReplyConnection) {}

  /** Closes the connection. */
  close(): void {
    this.conn.close();
  }

  /** Runs one command with the connection to itself: other calls wait until it settles. */
  protected async exclusive<T>(run: () => Promise<T>): Promise<T> {
    const release = await this.conn.acquire();
    try {
      return await run();
    } finally {
      release();
    }
  }
}
