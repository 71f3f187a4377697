import type { Socket } from 'node:net';
import type { UseCases } from '../../application/use-cases.js';
import type { ProtocolSessionFactory } from '../protocol/protocol-session.js';
import { AsciiSession, type AsciiOptions } from './ascii-session.js';

/** The text protocol claims every connection whose first byte is not the binary magic 0x80. */
export class AsciiSessionFactory implements ProtocolSessionFactory {
  readonly protocol = 'ascii';

  constructor(
    private readonly useCases: UseCases,
    private readonly options: AsciiOptions,
  ) {}

  accepts(firstByte: number): boolean {
    return firstByte !== 0x80;
  }

  create(socket: Socket): AsciiSession {
    return new AsciiSession(socket, this.useCases, this.options);
  }
}
