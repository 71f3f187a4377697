import type { Socket } from 'node:net';
import type { UseCases } from '../../application/use-cases.js';
import type { ProtocolSessionFactory } from '../protocol/protocol-session.js';
import { commandTable } from './command-table.js';
import { RespSession, type RespOptions } from './resp-session.js';
import { WatchRegistry } from './watch-registry.js';

/** The RESP listener's only protocol: it claims every connection. */
export class RespSessionFactory implements ProtocolSessionFactory {
  readonly protocol = 'resp';
  /** Redis numbers clients from 1 per server; ours per listener. */
  private nextId = 1;
  private readonly watches = new WatchRegistry();

  constructor(
    private readonly useCases: UseCases,
    private readonly options: RespOptions,
  ) {}

  accepts(): boolean {
    return true;
  }

  create(socket: Socket): RespSession {
    return new RespSession(socket, this.useCases, this.options, commandTable, this.watches, this.nextId++);
  }
}
