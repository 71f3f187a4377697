import { silentLogger } from '../../src/domain/ports/logger.js';
import { AsciiSessionFactory } from '../../src/adapters/ascii/ascii-session-factory.js';
import { BinarySessionFactory } from '../../src/adapters/binary/binary-session-factory.js';
import { credentialsAuthenticator } from '../../src/adapters/binary/sasl-credentials.js';
import { TcpServer } from '../../src/adapters/tcp/tcp-server.js';
import type { UseCases } from '../../src/application/use-cases.js';
import { makeCacheFixture } from '../support/cache-fixture.js';

/** A running server with both front ends, as the container builds it. */
export interface BinaryTestServer {
  port: number;
  useCases: UseCases;
  stop(): Promise<void>;
}

/**
 * Starts a TcpServer on an ephemeral loopback port with the binary factory
 * first and the ASCII one second (the first byte picks). `users` turns SASL
 * on with those `user:password` entries.
 */
export async function startBinaryServer(options: { users?: string[]; itemSizeMax?: number } = {}): Promise<BinaryTestServer> {
  const { useCases, store: memory } = makeCacheFixture(options.itemSizeMax === undefined ? {} : { itemSizeMax: options.itemSizeMax });
  const saslEnabled = options.users !== undefined;
  const binary = new BinarySessionFactory(useCases, {
    saslEnabled,
    authenticate: credentialsAuthenticator(options.users ?? []),
  });
  const ascii = new AsciiSessionFactory(useCases, { maxLineLength: 1024 * 1024, shutdownEnabled: false, requestShutdown: () => {} });
  const server = new TcpServer(
    { host: '127.0.0.1', port: 0, maxConnections: 64, auditConnections: false, shutdownGraceMs: 100 },
    [binary, ascii],
    useCases.counters,
    silentLogger,
  );
  await memory.start();
  await server.start();
  return {
    port: server.address().port,
    useCases,
    stop: async () => {
      await server.stop();
      await memory.stop();
    },
  };
}
