import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';

/**
 * The slice of net.Socket a session uses, recording what it writes, whether
 * it was ended and whether it is paused, so a session can be fed any split of
 * its input without a network. Writes always succeed (no backpressure) unless
 * a test replaces `write`.
 */
export class FakeSocket extends EventEmitter {
  /** Each write, copied. */
  readonly written: Buffer[] = [];
  ended = false;
  paused = false;

  write(data: Buffer | string): boolean {
    this.written.push(typeof data === 'string' ? Buffer.from(data, 'latin1') : Buffer.from(data));
    return true;
  }
  cork(): void {}
  uncork(): void {}
  pause(): this {
    this.paused = true;
    return this;
  }
  resume(): this {
    this.paused = false;
    return this;
  }
  end(): this {
    this.ended = true;
    return this;
  }
  destroySoon(): void {
    this.ended = true;
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
