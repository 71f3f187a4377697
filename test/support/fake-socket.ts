import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import { flushDeferred } from '../../src/adapters/protocol/pipelined-session.js';

/**
 * The slice of net.Socket a session uses, recording what it writes, whether
 * it was ended and whether it is paused, so a session can be fed any split of
 * its input without a network. Writes always succeed (no backpressure) unless
 * a test replaces `write`. Reading `written`, `ended` or `paused` first
 * writes the replies sessions defer to the end of the event-loop turn
 * (flushDeferred): they show what the peer has by then.
 */
export class FakeSocket extends EventEmitter {
  private readonly writes: Buffer[] = [];
  private isEnded = false;
  private isPaused = false;

  /** Each write, copied. */
  get written(): Buffer[] {
    flushDeferred();
    return this.writes;
  }
  get ended(): boolean {
    flushDeferred();
    return this.isEnded;
  }
  get paused(): boolean {
    flushDeferred();
    return this.isPaused;
  }

  write(data: Buffer | string): boolean {
    this.writes.push(typeof data === 'string' ? Buffer.from(data, 'latin1') : Buffer.from(data));
    return true;
  }
  cork(): void {}
  uncork(): void {}
  pause(): this {
    this.isPaused = true;
    return this;
  }
  resume(): this {
    this.isPaused = false;
    return this;
  }
  end(): this {
    this.isEnded = true;
    return this;
  }
  destroySoon(): void {
    this.isEnded = true;
  }

  /** Everything written so far, as latin1 text. */
  get output(): string {
    return Buffer.concat(this.written).toString('latin1');
  }

  /** Everything written so far, as raw bytes. */
  get bytes(): Buffer {
    return Buffer.concat(this.written);
  }

  /** This fake typed as the socket a session factory takes. */
  asSocket(): Socket {
    return this as unknown as Socket;
  }
}
