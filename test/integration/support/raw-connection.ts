import net from 'node:net';

/** How waiting for a reply ended. */
export type WaitOutcome = 'complete' | 'closed' | 'timeout';

/**
 * A raw TCP connection for the differential suites: writes request bytes and
 * buffers everything the server sends until a protocol-specific reader (the
 * text and binary wire clients) finds the end of a reply in it.
 */
export class RawConnection {
  /** Bytes received and not yet taken by the reader. */
  buffered: Buffer = Buffer.alloc(0);
  private closed = false;
  private wake: (() => void) | undefined;

  private constructor(private readonly socket: net.Socket) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
      this.wake?.();
    });
    socket.on('close', () => {
      this.closed = true;
      this.wake?.();
    });
    // A reset shows up as 'close' right after; the error itself carries nothing to compare.
    socket.on('error', () => undefined);
  }

  static async connect(host: string, port: number): Promise<RawConnection> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host, port });
      socket.once('connect', () => {
        socket.removeListener('error', reject);
        resolve(new RawConnection(socket));
      });
      socket.once('error', reject);
    });
  }

  /** Whether the server closed the connection. */
  get isClosed(): boolean {
    return this.closed;
  }

  /** Writes unless the server already closed (then the reader sees 'closed'). */
  write(bytes: Buffer): void {
    if (!this.closed) this.socket.write(bytes);
  }

  /**
   * Resolves 'complete' as soon as `complete()` (which inspects `buffered`)
   * returns true; otherwise 'closed' once the server closed, or 'timeout'.
   */
  async waitFor(complete: () => boolean, timeoutMs: number): Promise<WaitOutcome> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (complete()) return 'complete';
      if (this.closed) return 'closed';
      const left = deadline - Date.now();
      if (left <= 0) return 'timeout';
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = undefined;
    }
  }

  /** Everything buffered, leaving the buffer empty. */
  takeAll(): Buffer {
    const bytes = Buffer.from(this.buffered);
    this.buffered = Buffer.alloc(0);
    return bytes;
  }

  close(): void {
    this.socket.destroy();
  }
}
