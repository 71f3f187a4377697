import { EventEmitter } from 'node:events';
import net from 'node:net';
import type { Socket } from 'node:net';

/** Fields of a request frame; lengths may be overridden to build malformed frames. */
export interface FrameSpec {
  key?: string;
  extras?: Buffer;
  value?: Buffer | string;
  opaque?: number;
  cas?: bigint;
  magic?: number;
  keylen?: number;
  extlen?: number;
  bodylen?: number;
}

/** Encodes one binary request. */
export function frame(opcode: number, spec: FrameSpec = {}): Buffer {
  const key = Buffer.from(spec.key ?? '', 'latin1');
  const extras = spec.extras ?? Buffer.alloc(0);
  const value = typeof spec.value === 'string' ? Buffer.from(spec.value, 'latin1') : (spec.value ?? Buffer.alloc(0));
  const h = Buffer.alloc(24);
  h[0] = spec.magic ?? 0x80;
  h[1] = opcode;
  h.writeUInt16BE(spec.keylen ?? key.length, 2);
  h[4] = spec.extlen ?? extras.length;
  h.writeUInt32BE(spec.bodylen ?? key.length + extras.length + value.length, 8);
  h.writeUInt32BE(spec.opaque ?? 0, 12);
  h.writeBigUInt64BE(spec.cas ?? 0n, 16);
  return Buffer.concat([h, extras, key, value]);
}

export function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
}

/** Set/add/replace extras: flags, expiration. */
export function storeExtras(flags: number, expiration: number): Buffer {
  return Buffer.concat([u32(flags), u32(expiration)]);
}

/** Incr/decr extras: delta, initial, expiration. */
export function counterExtras(delta: bigint, initial: bigint, expiration: number): Buffer {
  const b = Buffer.alloc(20);
  b.writeBigUInt64BE(delta, 0);
  b.writeBigUInt64BE(initial, 8);
  b.writeUInt32BE(expiration >>> 0, 16);
  return b;
}

/** One decoded response. */
export interface Response {
  magic: number;
  opcode: number;
  status: number;
  opaque: number;
  cas: bigint;
  extras: Buffer;
  key: string;
  value: Buffer;
  /** The whole frame, for byte comparisons. */
  raw: Buffer;
}

/** Splits a byte stream into responses; `rest` is an incomplete tail. */
export function parseResponses(buf: Buffer): { responses: Response[]; rest: Buffer } {
  const responses: Response[] = [];
  let i = 0;
  while (i + 24 <= buf.length) {
    const bodylen = buf.readUInt32BE(i + 8);
    if (i + 24 + bodylen > buf.length) break;
    const keylen = buf.readUInt16BE(i + 2);
    const extlen = buf[i + 4]!;
    const body = buf.subarray(i + 24, i + 24 + bodylen);
    responses.push({
      magic: buf[i]!,
      opcode: buf[i + 1]!,
      status: buf.readUInt16BE(i + 6),
      opaque: buf.readUInt32BE(i + 12),
      cas: buf.readBigUInt64BE(i + 16),
      extras: body.subarray(0, extlen),
      key: body.subarray(extlen, extlen + keylen).toString('latin1'),
      value: body.subarray(extlen + keylen),
      raw: buf.subarray(i, i + 24 + bodylen),
    });
    i += 24 + bodylen;
  }
  return { responses, rest: buf.subarray(i) };
}

/**
 * A stand-in for a net.Socket that records what the session writes, so a
 * session can be fed any split of its input without a network.
 */
export class FakeSocket extends EventEmitter {
  readonly written: Buffer[] = [];
  ended = false;
  paused = false;
  write(b: Buffer | string): boolean {
    this.written.push(typeof b === 'string' ? Buffer.from(b, 'latin1') : Buffer.from(b));
    return true;
  }
  cork(): void {}
  uncork(): void {}
  end(): void {
    this.ended = true;
  }
  destroySoon(): void {
    this.ended = true;
  }
  pause(): this {
    this.paused = true;
    return this;
  }
  resume(): this {
    this.paused = false;
    return this;
  }
  /** Everything written so far, as one Buffer. */
  output(): Buffer {
    return Buffer.concat(this.written);
  }
  asSocket(): Socket {
    return this as unknown as Socket;
  }
}

/** A raw TCP client for binary frames. */
export class RawClient {
  private data = Buffer.alloc(0);
  closed = false;
  private waiters: (() => void)[] = [];

  private constructor(readonly socket: net.Socket) {
    socket.on('data', (d: Buffer) => {
      this.data = Buffer.concat([this.data, d]);
      this.wake();
    });
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
    socket.on('error', () => {});
  }

  static connect(port: number): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const s = net.connect({ port, host: '127.0.0.1', noDelay: true }, () => resolve(new RawClient(s)));
      s.once('error', reject);
    });
  }

  send(b: Buffer): void {
    this.socket.write(b);
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  /** Waits for `n` complete responses (or the close, or `timeoutMs`) and consumes them. */
  async read(n: number, timeoutMs = 3000): Promise<Response[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const { responses } = parseResponses(this.data);
      if (responses.length >= n || this.closed || Date.now() >= deadline) {
        const taken = responses.slice(0, n);
        const used = taken.reduce((sum, r) => sum + r.raw.length, 0);
        this.data = this.data.subarray(used);
        return taken.map((r) => ({ ...r, raw: Buffer.from(r.raw), value: Buffer.from(r.value), extras: Buffer.from(r.extras) }));
      }
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.max(1, deadline - Date.now()));
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** Resolves true once the server has closed the connection (false after `timeoutMs`). */
  async waitClosed(timeoutMs = 3000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (!this.closed && Date.now() < deadline) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.max(1, deadline - Date.now()));
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
    return this.closed;
  }

  /** Bytes received and not consumed by read(). */
  get pending(): Buffer {
    return this.data;
  }

  close(): void {
    this.socket.destroy();
  }
}
