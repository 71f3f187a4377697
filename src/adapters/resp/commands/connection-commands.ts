import type { ArgList } from '../arg-list.js';
import { RespError } from '../resp-errors.js';
import { CommandFlag, command, type RespCommand, type RespContext } from './command.js';

function ping(cx: RespContext, a: ArgList): void {
  if (a.count > 2) return cx.reply.error(RespError.arity('ping'));
  if (a.count === 2) cx.reply.bulk(a.bytes(1));
  else cx.reply.status('PONG');
}

function echo(cx: RespContext, a: ArgList): void {
  cx.reply.bulk(a.bytes(1));
}

/** The default user's password check: without requirepass the default user takes any password. */
function credentialsValid(cx: RespContext, user: string, password: string): boolean {
  if (user !== 'default') return false;
  const required = cx.settings.requirepass;
  return required === '' || password === required;
}

function authenticate(cx: RespContext, user: string, password: string): boolean {
  if (!credentialsValid(cx, user, password)) return false;
  cx.client.authenticated = true;
  return true;
}

function auth(cx: RespContext, a: ArgList): void {
  if (a.count > 3) return cx.reply.error(RespError.syntax);
  if (a.count === 2 && cx.settings.requirepass === '') return cx.reply.error(RespError.authWithoutPassword);
  const ok = a.count === 2 ? authenticate(cx, 'default', a.str(1)) : authenticate(cx, a.str(1), a.str(2));
  if (ok) cx.reply.ok();
  else cx.reply.error(RespError.wrongPass);
}

/** Redis's validateClientName: printable ASCII without spaces. */
function validName(name: string): boolean {
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c < 0x21 || c > 0x7e) return false;
  }
  return true;
}

function hello(cx: RespContext, a: ArgList): void {
  let version = 0;
  if (a.count >= 2) {
    const v = a.int(1);
    if (v === undefined) return cx.reply.error(RespError.protocolVersion);
    if (v < 2n || v > 3n) return cx.reply.error(RespError.noProto);
    version = Number(v);
  }
  let user: string | undefined;
  let password: string | undefined;
  let name: string | undefined;
  for (let j = 2; j < a.count; j++) {
    const more = a.count - 1 - j;
    if (a.is(j, 'auth') && more >= 2) {
      user = a.str(j + 1);
      password = a.str(j + 2);
      j += 2;
    } else if (a.is(j, 'setname') && more >= 1) {
      name = a.str(j + 1);
      if (!validName(name)) return cx.reply.error(RespError.clientName);
      j++;
    } else {
      return cx.reply.error(RespError.helloOption(a.cString(j, Infinity)));
    }
  }
  if (user !== undefined && password !== undefined && !authenticate(cx, user, password)) return cx.reply.error(RespError.wrongPass);
  if (!cx.client.authenticated) return cx.reply.error(RespError.helloNoAuth);
  if (name !== undefined) cx.client.name = name === '' ? undefined : name;
  if (version) cx.reply.resp = version;
  const r = cx.reply;
  r.map(7);
  r.bulkText('server');
  r.bulkText('redis');
  r.bulkText('version');
  r.bulkText(cx.settings.redisVersion);
  r.bulkText('proto');
  r.integer(r.resp);
  r.bulkText('id');
  r.integer(cx.client.id);
  r.bulkText('mode');
  r.bulkText('standalone');
  r.bulkText('role');
  r.bulkText('master');
  r.bulkText('modules');
  r.array(0);
}

function select(cx: RespContext, a: ArgList): void {
  const db = a.int(1);
  if (db === undefined) return cx.reply.error(RespError.notInteger);
  if (db > 0x7fff_ffffn || db < -0x8000_0000n) return cx.reply.error(RespError.notInt32);
  if (db !== 0n) return cx.reply.error(RespError.dbRange);
  cx.reply.ok();
}

function reset(cx: RespContext): void {
  cx.resetState();
  cx.reply.status('RESET');
}

function setname(cx: RespContext, a: ArgList): void {
  const name = a.str(2);
  if (!validName(name)) return cx.reply.error(RespError.clientName);
  cx.client.name = name === '' ? undefined : name;
  cx.reply.ok();
}

function getname(cx: RespContext): void {
  if (cx.client.name === undefined) cx.reply.nil();
  else cx.reply.bulkText(cx.client.name);
}

/** One CLIENT INFO / CLIENT LIST line, with Redis's field names; counters we do not keep are 0. */
export function clientInfoLine(cx: RespContext, commandName: string): string {
  const c = cx.client;
  const age = Math.floor((Date.now() - c.createdAt) / 1000);
  const multi = cx.transaction.active ? cx.transaction.queue.length : -1;
  return (
    `id=${c.id} addr=${cx.peer.addr} laddr=${cx.peer.laddr} fd=0 name=${c.name ?? ''} age=${age} idle=0 flags=${cx.transaction.active ? 'x' : 'N'} ` +
    `db=0 sub=0 psub=0 ssub=0 multi=${multi} qbuf=0 qbuf-free=0 argv-mem=0 multi-mem=0 rbs=0 rbp=0 obl=0 oll=0 omem=0 tot-mem=0 ` +
    `events=r cmd=${commandName} user=default redir=-1 resp=${cx.reply.resp} lib-name=${c.libName ?? ''} lib-ver=${c.libVersion ?? ''}\n`
  );
}

/** CLIENT SETINFO LIB-NAME|LIB-VER value (a Redis 7.2 addition that current clients send at connect). */
function setinfo(cx: RespContext, a: ArgList): void {
  const value = a.str(3);
  if (!validName(value)) return cx.reply.error(`ERR ${a.str(2)} cannot contain spaces, newlines or special characters.`);
  if (a.is(2, 'lib-name')) cx.client.libName = value;
  else if (a.is(2, 'lib-ver')) cx.client.libVersion = value;
  else return cx.reply.error(`ERR Unrecognized option '${a.cString(2, Infinity)}'`);
  cx.reply.ok();
}

const client = 'client';

/** Connection-level commands: PING, ECHO, HELLO, AUTH, SELECT, RESET and CLIENT's subcommands. */
export const connectionCommands: RespCommand[] = [
  command('ping', -1, 'connection', ping),
  command('echo', 2, 'connection', echo),
  command('hello', -1, 'connection', hello, { flags: CommandFlag.NoAuth }),
  command('auth', -2, 'connection', auth, { flags: CommandFlag.NoAuth }),
  command('select', 2, 'connection', select),
  command('reset', 1, 'connection', reset, { flags: CommandFlag.NoAuth | CommandFlag.Immediate }),
  command('client', -2, 'connection', () => undefined, {
    subcommands: [
      command('setname', 3, 'connection', setname, { container: client }),
      command('getname', 2, 'connection', getname, { container: client }),
      command('id', 2, 'connection', (cx) => cx.reply.integer(cx.client.id), { container: client }),
      command('info', 2, 'connection', (cx) => cx.reply.verbatim(clientInfoLine(cx, 'client|info')), { container: client }),
      command('list', -2, 'connection', (cx) => cx.reply.verbatim(clientInfoLine(cx, 'client|list')), { container: client }),
      command('setinfo', 4, 'connection', setinfo, { container: client }),
    ],
  }),
];
