import net from 'node:net';
import type { Lifecycle } from '../../domain/ports/lifecycle.js';
import type { Logger } from '../../domain/ports/logger.js';
import type { ServerStats } from '../../application/server-stats.js';
import type { ProtocolSession, ProtocolSessionFactory } from '../protocol/protocol-session.js';
import { readIntoSharedBuffer } from './shared-read-buffer.js';

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

  /** Starts reading an accepted connection into `onChunk`; returns the socket that now carries it. */
  protected startReading(accepted: net.Socket, onChunk: (chunk: Buffer) => void): net.Socket {
    const moved = readIntoSharedBuffer(accepted, onChunk);
    if (moved !== undefined) return moved;
    accepted.on('data', onChunk);
    accepted.resume();
    return accepted;
  }

  private accept(accepted: net.Socket): void {
    const { stats } = this;
    if (this.sockets.size >= this.options.maxConnections) {
      stats.rejected_connections++;
      accepted.resume(); // read (and drop) its requests so that its FIN is seen
      accepted.end(TOO_MANY);
      return;
    }
    let session: ProtocolSession | undefined;
    let protocol: string | undefined;
    const onChunk = (chunk: Buffer): void => {
      if (session === undefined) {
        const factory = this.factories.find((f) => f.accepts(chunk[0]!));
        if (!factory) {
          socket.destroy();
          return;
        }
        session = factory.create(socket);
        protocol = factory.protocol;
        stats.protocolConnection(protocol, 1);
      }
      session.onData(chunk);
    };
    const socket = this.startReading(accepted, onChunk);
    stats.curr_connections++;
    stats.total_connections++;
    this.sockets.add(socket);
    // Only when logged: remoteAddress caches a peer-name object on the socket, ~200 B per idle connection.
    let peer: string | undefined;
    const peerOf = (): string => (peer ??= `${socket.remoteAddress}:${socket.remotePort}`);
    if (this.options.auditConnections) this.logger.info({ audit: 'connection-open', peer: peerOf() }, 'connection opened');
    socket.on('error', (err) => this.logger.debug({ err: err.message, peer: peerOf() }, 'socket error'));
    socket.on('close', () => {
      this.sockets.delete(socket);
      stats.curr_connections--;
      if (this.sockets.size === 0 && this.idleWaiters.length > 0) {
        const waiters = this.idleWaiters;
        this.idleWaiters = [];
        for (const w of waiters) w();
      }
      session?.onClose();
      if (protocol !== undefined) stats.protocolConnection(protocol, -1);
      if (this.options.auditConnections) this.logger.info({ audit: 'connection-close', peer: peerOf() }, 'connection closed');
    });
  }
}
