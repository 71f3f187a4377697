import type { Socket } from 'node:net';
import type { UseCases } from '../../application/use-cases.js';
import type { ProtocolSessionFactory } from '../protocol/protocol-session.js';
import { AsciiSession, type AsciiOptions } from './ascii-session.js';
import { ConnectionTable } from './connection-table.js';

/** The text protocol claims every connection whose first byte is not the binary magic 0x80. */
export class AsciiSessionFactory implements ProtocolSessionFactory {
  readonly protocol = 'ascii';

  private readonly options: AsciiOptions;

  constructor(
    private readonly useCases: UseCases,
    options: AsciiOptions,
  ) {
    // One table of this listener's connections for `stats conns`.
    this.options = options.connections ? options : { ...options, connections: new ConnectionTable() };
  }

  accepts(firstByte: number): boolean {
    return firstByte !== 0x80;
  }

  create(socket: Socket): AsciiSession {
    return new AsciiSession(socket, this.useCases, this.options);
  }
}
