import type { Socket } from 'node:net';

/**
 * One connection's protocol handler. The TCP listener picks the front end
 * from the first byte (0x80 = binary, anything else = text) and feeds it
 * every chunk after that.
 */
export interface ProtocolSession {
  /**
   * A chunk read from the socket. It is borrowed: the listener reads every
   * connection into one shared buffer, so the session copies what it keeps
   * before returning (shared-read-buffer.ts).
   */
  onData(chunk: Buffer): void;
  /** The socket closed (either side); release per-connection state. */
  onClose(): void;
}

/** Builds sessions for one protocol; implemented by each inbound adapter. */
export interface ProtocolSessionFactory {
  readonly protocol: string;
  /** True when this protocol claims a connection that starts with `firstByte`. */
  accepts(firstByte: number): boolean;
  create(socket: Socket): ProtocolSession;
}
