import net from 'node:net';

/**
 * One read buffer for every connection. Node reads each accepted connection
 * into a fresh 64 KiB allocation and pushes it through a Readable stream;
 * with the `onread` option it reads into a buffer we own and calls back
 * directly. Reads run one at a time on the event loop and every session
 * copies what it keeps before returning, so one buffer serves all
 * connections. Same size as libuv's own reads, so a read returns as much as
 * it would without it.
 */
const SHARED = Buffer.allocUnsafeSlow(64 * 1024);

/** The private fields of an accepted net.Socket this module relies on. */
interface AcceptedSocket {
  _handle?: object | null;
}

/** Receives a chunk read from `socket`; must not keep it (nor views of it) after returning. */
export type ChunkHandler = (socket: net.Socket, chunk: Buffer) => void;

/**
 * The `onread` callback for every socket of one listener: Node calls it as a
 * method of the socket, so one function serves them all and a connection
 * holds no closure of its own for it.
 */
export function sharedReadCallback(onChunk: ChunkHandler): (this: net.Socket, n: number, buf: Buffer) => void {
  return function (this: net.Socket, n: number, buf: Buffer): void {
    onChunk(this, buf.subarray(0, n));
  };
}

/**
 * Moves an accepted, still paused connection (`pauseOnConnect`) into a
 * Socket that reads into the shared buffer and hands every chunk to
 * `callback` (made by sharedReadCallback).
 *
 * net.Server offers `onread` only for sockets it did not accept, so the
 * connection's handle is moved into a new Socket, as Node itself does when
 * it passes handles between processes. Returns undefined, leaving `socket`
 * untouched, when the handle cannot be moved (an unexpected Node
 * internal): the caller then reads it the usual way.
 */
export function readIntoSharedBuffer(socket: net.Socket, callback: (this: net.Socket, n: number, buf: Buffer) => void): net.Socket | undefined {
  const accepted = socket as unknown as AcceptedSocket;
  const handle = accepted._handle;
  if (handle === null || typeof handle !== 'object' || !('readStart' in handle)) return undefined;
  accepted._handle = null;
  // Without a handle, destroy() only releases the server's count of this connection.
  socket.destroy();
  const options = { handle, readable: true, writable: true, onread: { buffer: SHARED, callback } };
  return new net.Socket(options as net.SocketConstructorOpts);
}
