import net from 'node:net';
import type { Lifecycle } from '../../domain/ports/lifecycle.js';
import type { Logger } from '../../domain/ports/logger.js';
import type { ServerStats } from '../../application/server-stats.js';
import type { ProtocolSession, ProtocolSessionFactory } from '../protocol/protocol-session.js';
import { readIntoSharedBuffer, sharedReadCallback } from './shared-read-buffer.js';

/** Listener settings (memcached's -l, -p, -c). */
export interface TcpServerOptions {
  host: string;
  port: number;
  maxConnections: number;
  /** Audit-log each connection open/close (logging.enable_audit_logs). */
  auditConnections: boolean;
  /** How long stop() waits for clients to finish before dropping them. */
  shutdownGraceMs: number;
  /** Several addresses (memcached -l a,b:port); when given, host and port are not used. */
  listen?: ReadonlyArray<{ host: string; port: number }>;
}

/** memcached's reply when -c is reached (with maxconns_fast, its default). */
const TOO_MANY = Buffer.from('ERROR Too many open connections\r\n', 'latin1');

/** Where a socket keeps its connection's state (one property instead of a closure per listener). */
const CONNECTION = Symbol('connection');

/**
 * What the listener keeps per connection. The session is made by the first
 * byte, so an idle connection holds only this and Node's socket; the
 * socket's listeners are shared by every connection and find this through
 * the socket (docs/memory.md, "Footprint").
 */
interface Connection {
  readonly server: TcpServer;
  session: ProtocolSession | undefined;
  protocol: string | undefined;
}

type ConnectedSocket = net.Socket & { [CONNECTION]: Connection };

function onSocketError(this: ConnectedSocket, err: Error): void {
  this[CONNECTION].server.socketError(this, err);
}

function onSocketClose(this: ConnectedSocket): void {
  this[CONNECTION].server.socketClosed(this);
}

/** 'data' listener of a socket read the ordinary way (TLS). */
function onSocketData(this: ConnectedSocket, chunk: Buffer): void {
  this[CONNECTION].server.receive(this, chunk);
}

/**
 * The TCP front door: accepts connections, enforces the connection limit and
 * hands each connection to the protocol its first byte names (as memcached
 * negotiates text vs binary on one port).
 */
export class TcpServer implements Lifecycle {
  readonly name: string = 'tcp';
  private servers: net.Server[] = [];
  private readonly sockets = new Set<net.Socket>();
  /** Called once `sockets` is empty (stop() waiting for clients to finish). */
  private idleWaiters: Array<() => void> = [];

  constructor(
    private readonly options: TcpServerOptions,
    private readonly factories: ProtocolSessionFactory[],
    private readonly stats: ServerStats,
    private readonly logger: Logger,
  ) {}

  /** The first bound address (useful with port 0). */
  address(): net.AddressInfo {
    return this.servers[0]!.address() as net.AddressInfo;
  }

  /** Every bound address, in -l order. */
  addresses(): net.AddressInfo[] {
    return this.servers.map((s) => s.address() as net.AddressInfo);
  }

  /** Binds every address; if one fails, the ones already bound are closed and the error names it. */
  async start(): Promise<void> {
    const addresses = this.options.listen ?? [{ host: this.options.host, port: this.options.port }];
    try {
      for (const { host, port } of addresses) this.servers.push(await this.listenOn(host, port));
    } catch (err) {
      for (const s of this.servers.splice(0)) s.close();
      throw err;
    }
  }

  private listenOn(host: string, port: number): Promise<net.Server> {
    const server = this.createListener((socket) => this.accept(socket));
    return new Promise((resolve, reject) => {
      const onError = (err: Error) => reject(new Error(`cannot listen on ${host}:${port}: ${err.message}`));
      server.once('error', onError);
      server.listen({ host, port, backlog: 1024 }, () => {
        server.off('error', onError);
        server.on('error', (err) => this.logger.error({ err }, 'listener error'));
        resolve(server);
      });
    });
  }

  /** Stops accepting, lets clients finish what is in flight, then closes them. */
  async stop(): Promise<void> {
    const servers = this.servers.splice(0);
    if (servers.length === 0) return;
    const closed = Promise.all(servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve())))).then(() => undefined);
    for (const s of this.sockets) s.end();
    const grace = new Promise<void>((resolve) => setTimeout(resolve, this.options.shutdownGraceMs).unref());
    // The listener does not count connections moved to the shared read buffer: wait for ours.
    const finished = new Promise<void>((resolve) => {
      if (this.sockets.size === 0) resolve();
      else this.idleWaiters.push(resolve);
    });
    await Promise.race([Promise.all([closed, finished]), grace]);
    for (const s of this.sockets) s.destroy();
    await closed;
  }

  /** The listening server; TLS overrides it (tls-server.ts). */
  protected createListener(onConnection: (socket: net.Socket) => void): net.Server {
    // Paused so that accept() can move the connection to the shared read buffer before its first read.
    return net.createServer({ noDelay: true, pauseOnConnect: true }, onConnection);
  }

  /** Starts reading an accepted connection; returns the socket that now carries it. */
  protected startReading(accepted: net.Socket): net.Socket {
    const moved = readIntoSharedBuffer(accepted, this.readCallback);
    if (moved !== undefined) return moved;
    accepted.on('data', onSocketData);
    accepted.resume();
    return accepted;
  }

  /** One onread callback for all of this listener's sockets. */
  private readonly readCallback = sharedReadCallback((socket, chunk) => this.receive(socket, chunk));

  private accept(accepted: net.Socket): void {
    const { stats } = this;
    if (this.sockets.size >= this.options.maxConnections) {
      stats.rejected_connections++;
      accepted.resume(); // read (and drop) its requests so that its FIN is seen
      accepted.end(TOO_MANY);
      return;
    }
    // Set before reading starts: the first chunk looks it up.
    (accepted as ConnectedSocket)[CONNECTION] = { server: this, session: undefined, protocol: undefined };
    const socket = this.startReading(accepted) as ConnectedSocket;
    if (socket !== accepted) socket[CONNECTION] = (accepted as ConnectedSocket)[CONNECTION];
    stats.curr_connections++;
    stats.total_connections++;
    this.sockets.add(socket);
    if (this.options.auditConnections) this.logger.info({ audit: 'connection-open', peer: peerOf(socket) }, 'connection opened');
    socket.on('error', onSocketError);
    socket.on('close', onSocketClose);
  }

  /** @internal a chunk read from `socket` (the first one chooses the protocol by its first byte). */
  receive(socket: net.Socket, chunk: Buffer): void {
    const conn = (socket as ConnectedSocket)[CONNECTION];
    let session = conn.session;
    if (session === undefined) {
      const factory = this.factories.find((f) => f.accepts(chunk[0]!));
      if (!factory) {
        socket.destroy();
        return;
      }
      session = conn.session = factory.create(socket);
      conn.protocol = factory.protocol;
      this.stats.protocolConnection(factory.protocol, 1);
    }
    session.onData(chunk);
  }

  /** @internal */
  socketError(socket: net.Socket, err: Error): void {
    this.logger.debug({ err: err.message, peer: peerOf(socket) }, 'socket error');
  }

  /** @internal */
  socketClosed(socket: net.Socket): void {
    const conn = (socket as ConnectedSocket)[CONNECTION];
    this.sockets.delete(socket);
    this.stats.curr_connections--;
    if (this.sockets.size === 0 && this.idleWaiters.length > 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of waiters) w();
    }
    conn.session?.onClose();
    if (conn.protocol !== undefined) this.stats.protocolConnection(conn.protocol, -1);
    if (this.options.auditConnections) this.logger.info({ audit: 'connection-close', peer: peerOf(socket) }, 'connection closed');
  }
}

/**
 * Only when logged: remoteAddress caches a peer-name object on the socket
 * (~200 B per idle connection). After a close Node still answers from that
 * cache when it was filled, else undefined.
 */
function peerOf(socket: net.Socket): string {
  return `${socket.remoteAddress}:${socket.remotePort}`;
}
