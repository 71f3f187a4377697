import type { MaybePromise } from '../../../domain/maybe-promise.js';
import type { UseCases } from '../../../application/use-cases.js';
import type { ArgList } from '../arg-list.js';
import type { RespReply } from '../resp-reply.js';
import type { WatchRegistry } from '../watch-registry.js';

/** Command flags that change how the session dispatches a command. */
export const enum CommandFlag {
  None = 0,
  /** Runs before authentication (AUTH, HELLO, RESET). */
  NoAuth = 1,
  /** Runs at once inside MULTI instead of being queued (MULTI, EXEC, DISCARD, WATCH, RESET). */
  Immediate = 2,
  /** May create or change the keys it names (WATCH must hear of it). */
  Write = 4,
}

/** What one connection knows about its client. */
export interface ClientState {
  readonly id: number;
  name: string | undefined;
  libName: string | undefined;
  libVersion: string | undefined;
  authenticated: boolean;
  readonly createdAt: number;
}

/** Settings of the RESP listener that commands read. */
export interface RespSettings {
  /** The password of the default user; empty = no authentication. */
  requirepass: string;
  /** Redis version reported by HELLO and INFO (the release whose replies we match). */
  redisVersion: string;
  /** Values CONFIG GET reports, by parameter name. */
  config: ReadonlyArray<readonly [string, string]>;
  /** The listener's port, for INFO. */
  port: number;
}

/** The connection as a command handler sees it. */
export interface RespContext {
  readonly uc: UseCases;
  readonly reply: RespReply;
  readonly settings: RespSettings;
  readonly client: ClientState;
  /** Local and remote address, for CLIENT INFO. */
  readonly peer: { readonly addr: string; readonly laddr: string };
  /** Closes the connection once the replies gathered so far are sent. */
  closeAfterReply(): void;
  /** Transaction state (MULTI/EXEC/WATCH). */
  readonly transaction: Transaction;
  /** Back to a fresh connection's state (RESET). */
  resetState(): void;
  /** The command table (COMMAND). */
  readonly commands: ReadonlyMap<string, RespCommand>;
  /** Who watches which keys, across the listener's connections. */
  readonly watches: WatchRegistry;
  /** Runs a checked command, telling WATCH about the keys a write leaves present. */
  runCommand(command: RespCommand, args: ArgList): MaybePromise<void>;
}

/** A queued command of a MULTI block. */
export interface QueuedCommand {
  readonly command: RespCommand;
  readonly args: ArgList;
}

/** MULTI/EXEC/WATCH state of one connection. */
export interface Transaction {
  active: boolean;
  /** A queued command was refused: EXEC answers EXECABORT. */
  dirty: boolean;
  queue: QueuedCommand[];
  /** Watched keys and the version each had when watched (see transaction-commands.ts). */
  watched: Map<string, string>;
  /** A key watched while absent was created meanwhile: EXEC must abort. */
  watchBroken: boolean;
}

export type Handler = (cx: RespContext, a: ArgList) => MaybePromise<void>;

/** One command: Redis's name (lower case), arity (negative = at least) and handler. */
export interface RespCommand {
  readonly name: string;
  /** `container|sub` for subcommands, as Redis names them in errors. */
  readonly fullName: string;
  readonly arity: number;
  readonly flags: number;
  readonly run: Handler;
  readonly subcommands?: ReadonlyMap<string, RespCommand>;
  /** Redis's command group, for COMMAND. */
  readonly group: string;
  /** Key positions (first, last, step) for COMMAND. */
  readonly keys: readonly [number, number, number];
}

/** Builds a command entry. */
export function command(
  name: string,
  arity: number,
  group: string,
  run: Handler,
  options: { flags?: number; keys?: readonly [number, number, number]; subcommands?: RespCommand[]; container?: string } = {},
): RespCommand {
  return {
    name,
    fullName: options.container ? `${options.container}|${name}` : name,
    arity,
    flags: options.flags ?? CommandFlag.None,
    run,
    group,
    keys: options.keys ?? [0, 0, 0],
    subcommands: options.subcommands ? new Map(options.subcommands.map((c) => [c.name, c])) : undefined,
  };
}
