import type net from 'node:net';
import type tls from 'node:tls';
import { lazyBuiltin } from '../lazy-builtin.js';
import type { Logger } from '../../domain/ports/logger.js';
import type { ServerStats } from '../../application/server-stats.js';
import type { ProtocolSessionFactory } from '../protocol/protocol-session.js';
import { TcpServer, type TcpServerOptions } from './tcp-server.js';
import { loadTlsOptions, type TlsListenerOptions, type TlsSettings } from './tls-options.js';

const nodeTls = lazyBuiltin<typeof tls>('node:tls');

/**
 * The TLS front door (memcached -Z): the TCP listener's connection limit,
 * protocol choice by first byte and graceful stop, over Node's `tls`.
 * Every protocol the plain listener serves (text, meta, binary, streaming)
 * runs unchanged on the decrypted stream.
 *
 * Connections are read the ordinary way: the shared read buffer moves a raw
 * socket's handle, and here the handle carries ciphertext.
 */
export class TlsServer extends TcpServer {
  override readonly name: string = 'tls';
  private listener: TlsListenerOptions | undefined;
  private handshakeErrorCount = 0;
  private certsLoadedAtMs = 0;

  constructor(
    options: TcpServerOptions,
    private readonly tlsSettings: TlsSettings,
    factories: ProtocolSessionFactory[],
    stats: ServerStats,
    logger: Logger,
  ) {
    super(options, factories, stats, logger);
  }

  /** Handshakes that failed: a plain-text client, a rejected certificate (memcached's ssl_handshake_errors). */
  get handshakeErrors(): number {
    return this.handshakeErrorCount;
  }

  /** Seconds since the certificates were loaded (memcached's time_since_server_cert_refresh). */
  get secondsSinceCertLoad(): number {
    return Math.floor((Date.now() - this.certsLoadedAtMs) / 1000);
  }

  /** Loads and checks the certificates first: a bad file fails start-up with one line. */
  override start(): Promise<void> {
    try {
      this.listener = loadTlsOptions(this.tlsSettings);
    } catch (err) {
      return Promise.reject(err as Error);
    }
    this.certsLoadedAtMs = Date.now();
    return super.start();
  }

  protected override createListener(onConnection: (socket: net.Socket) => void): net.Server {
    const { secure, verifyPresentedOnly } = this.listener!;
    const server = nodeTls().createServer({ ...secure, noDelay: true }, (socket) => {
      // Mode 1 (request): Node accepts any certificate when not rejecting; OpenSSL fails one that does not verify.
      if (verifyPresentedOnly && !socket.authorized && hasPeerCertificate(socket)) {
        this.handshakeErrorCount++;
        socket.destroy();
        return;
      }
      onConnection(socket);
    });
    // A client that does not speak TLS ends here; Node has already closed its socket.
    server.on('tlsClientError', () => this.handshakeErrorCount++);
    return server;
  }

  protected override startReading(accepted: net.Socket): net.Socket {
    accepted.on('data', (chunk: Buffer) => this.receive(accepted, chunk));
    return accepted;
  }
}

function hasPeerCertificate(socket: tls.TLSSocket): boolean {
  return Object.keys(socket.getPeerCertificate()).length > 0;
}
