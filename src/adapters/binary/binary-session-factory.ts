import type { Socket } from 'node:net';
import type { UseCases } from '../../application/use-cases.js';
import type { ProtocolSessionFactory } from '../protocol/protocol-session.js';
import { REQUEST_MAGIC } from './binary-protocol.js';
import { BinarySession, type BinaryOptions } from './binary-session.js';

/** The binary protocol claims every connection whose first byte is the request magic 0x80. */
export class BinarySessionFactory implements ProtocolSessionFactory {
  readonly protocol = 'binary';

  constructor(
    private readonly useCases: UseCases,
    private readonly options: BinaryOptions,
  ) {}

  accepts(firstByte: number): boolean {
    return firstByte === REQUEST_MAGIC;
  }

  create(socket: Socket): BinarySession {
    return new BinarySession(socket, this.useCases, this.options);
  }
}
