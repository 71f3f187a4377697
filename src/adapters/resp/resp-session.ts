import type { Socket } from 'node:net';
import { isPromise, then, type MaybePromise } from '../../domain/maybe-promise.js';
import type { UseCases } from '../../application/use-cases.js';
import { PipelinedSession } from '../protocol/pipelined-session.js';
import { ArgList } from './arg-list.js';
import { CommandFlag, type ClientState, type RespCommand, type RespContext, type RespSettings, type Transaction } from './commands/command.js';
import { endTransaction } from './commands/transaction-commands.js';
import { unknownCommand } from './commands/unknown-command.js';
import { RespError } from './resp-errors.js';
import { NEED_MORE, PROTOCOL_ERROR, parseError, parseRequest, type ParseLimits } from './resp-parser.js';
import { RespReply } from './resp-reply.js';
import type { WatchRegistry } from './watch-registry.js';

/** Limits and settings of the RESP front end. */
export interface RespOptions extends RespSettings {
  /** Longest bulk argument accepted (Redis's proto-max-bulk-len); longer is a protocol error. */
  maxBulk: number;
  /** Unparsed input held for one connection before it is closed (Redis's client-query-buffer-limit). */
  maxQueryBuffer: number;
}

/** ASCII-only upper case, as C's toupper in the C locale. */
function upperAscii(s: string): string {
  return s.replace(/[a-z]+/g, (m) => m.toUpperCase());
}

/**
 * The Redis protocol on one connection: requests parsed in place from the
 * input Buffer, checked in Redis 7.0's order (existence, arity,
 * authentication, MULTI queueing), run against the use-cases, and the
 * replies of one socket read written at once (PipelinedSession). RESP2
 * until HELLO 3.
 */
export class RespSession extends PipelinedSession implements RespContext {
  readonly reply: RespReply;
  readonly client: ClientState;
  readonly transaction: Transaction = { active: false, dirty: false, queue: [], watched: new Map(), watchBroken: false };
  readonly peer: { readonly addr: string; readonly laddr: string };
  private readonly args = new ArgList();
  private readonly limits: ParseLimits;
  private readonly getCommand: RespCommand;
  private readonly setCommand: RespCommand;

  constructor(
    socket: Socket,
    readonly uc: UseCases,
    readonly settings: RespOptions,
    readonly commands: ReadonlyMap<string, RespCommand>,
    readonly watches: WatchRegistry,
    id: number,
  ) {
    super(socket, uc.counters);
    this.reply = new RespReply(this.writer);
    this.client = { id, name: undefined, libName: undefined, libVersion: undefined, authenticated: settings.requirepass === '', createdAt: Date.now() };
    this.limits = { maxBulk: settings.maxBulk, authenticated: this.client.authenticated };
    this.peer = { addr: `${socket.remoteAddress}:${socket.remotePort}`, laddr: `${socket.localAddress}:${socket.localPort}` };
    this.getCommand = commands.get('get')!;
    this.setCommand = commands.get('set')!;
  }

  protected step(): MaybePromise<void> | false {
    if (this.available === 0) return false;
    this.limits.authenticated = this.client.authenticated;
    const next = parseRequest(this.buf!, this.pos, this.args, this.limits);
    if (next === NEED_MORE) {
      if (this.available > this.settings.maxQueryBuffer) this.close();
      return false;
    }
    if (next === PROTOCOL_ERROR) {
      this.reply.error(RespError.protocol(parseError.message));
      this.close();
      return;
    }
    this.pos = next;
    if (this.args.count === 0) return;
    return this.execute(this.args);
  }

  protected failed(): void {
    this.reply.error(RespError.internal);
  }

  override onClose(): void {
    super.onClose();
    this.watches.removeAll(this.transaction);
  }

  closeAfterReply(): void {
    this.close();
  }

  resetState(): void {
    endTransaction(this);
    this.reply.resp = 2;
    this.client.name = undefined;
    this.client.authenticated = this.settings.requirepass === '';
  }

  /** Looks the command up and runs, queues or refuses it, in Redis's processCommand order. */
  private execute(a: ArgList): MaybePromise<void> {
    let cmd: RespCommand | undefined;
    if (a.length(0) === 3) cmd = a.is(0, 'get') ? this.getCommand : a.is(0, 'set') ? this.setCommand : undefined;
    if (cmd === undefined) {
      const name = a.lower(0);
      // Redis 7.0 answers QUIT before any other check, even inside MULTI or unauthenticated.
      if (name === 'quit') {
        this.reply.ok();
        return this.close();
      }
      cmd = this.commands.get(name);
      if (cmd === undefined) return this.reject(a, undefined);
      if (cmd.subcommands !== undefined && a.count >= 2) {
        const sub = cmd.subcommands.get(a.lower(1));
        if (sub === undefined) return this.reject(a, RespError.unknownSubcommand(a.cString(1, 128), upperAscii(a.cString(0, Infinity))));
        cmd = sub;
      }
    }
    if ((cmd.arity > 0 && a.count !== cmd.arity) || a.count < -cmd.arity) return this.reject(a, RespError.arity(cmd.fullName));
    if (!this.client.authenticated && !(cmd.flags & CommandFlag.NoAuth)) return this.reject(a, RespError.noAuth);
    const t = this.transaction;
    if (t.active && !(cmd.flags & CommandFlag.Immediate)) {
      t.queue.push({ command: cmd, args: a.clone() });
      return this.reply.status('QUEUED');
    }
    return this.runCommand(cmd, a);
  }

  runCommand(cmd: RespCommand, a: ArgList): MaybePromise<void> {
    if (!(cmd.flags & CommandFlag.Write) || this.watches.empty) return cmd.run(this, a);
    // Someone watches keys: note the keys now (the ArgList is reused), report those left present after.
    const keys = this.watchedKeysOf(cmd, a);
    const r = cmd.run(this, a);
    if (keys.length === 0) return r;
    return then(r, () => this.reportPresent(keys, 0));
  }

  private watchedKeysOf(cmd: RespCommand, a: ArgList): string[] {
    const [first, last, step] = cmd.keys;
    const out: string[] = [];
    if (first === 0) return out;
    const end = last < 0 ? a.count + last : last;
    for (let i = first; i <= end && i < a.count; i += step) {
      const key = a.str(i);
      if (this.watches.isWatched(key)) out.push(key);
    }
    return out;
  }

  private reportPresent(keys: string[], from: number): MaybePromise<void> {
    for (let i = from; i < keys.length; i++) {
      const r = this.uc.keyspace.peek(keys[i]!);
      if (isPromise(r)) return r.then((item) => (item ? this.watches.present(keys[i]!) : undefined, this.reportPresent(keys, i + 1)));
      if (r) this.watches.present(keys[i]!);
    }
  }

  /** A refused command; inside MULTI it also dooms the transaction. `error` undefined = unknown command. */
  private reject(a: ArgList, error: string | undefined): void {
    if (this.transaction.active) this.transaction.dirty = true;
    if (error === undefined) unknownCommand(this, a);
    else this.reply.error(error);
  }
}
