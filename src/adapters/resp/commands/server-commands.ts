import type { StatPair } from '../../../application/stats.js';
import type { ArgList } from '../arg-list.js';
import { globMatch } from '../glob.js';
import { CommandFlag, command, type RespCommand, type RespContext } from './command.js';

/** One COMMAND entry: name, arity, flags, first key, last key, step, ACL categories, tips, key specs, subcommands. */
function describe(cx: RespContext, c: RespCommand): void {
  const r = cx.reply;
  r.array(10);
  r.bulkText(c.fullName);
  r.integer(c.arity);
  r.set(0);
  r.integer(c.keys[0]);
  r.integer(c.keys[1]);
  r.integer(c.keys[2]);
  r.set(1);
  r.status('@' + c.group);
  r.array(0);
  r.array(0);
  const subs = c.subcommands ? [...c.subcommands.values()] : [];
  r.array(subs.length);
  for (const s of subs) describe(cx, s);
}

function commandList(cx: RespContext): void {
  cx.reply.array(cx.commands.size);
  for (const c of cx.commands.values()) describe(cx, c);
}

function commandInfo(cx: RespContext, a: ArgList): void {
  const names = a.count > 2 ? a.keys(2) : [...cx.commands.keys()];
  cx.reply.array(names.length);
  for (const name of names) {
    const c = cx.commands.get(name.toLowerCase());
    if (c) describe(cx, c);
    else cx.reply.nil();
  }
}

/** COMMAND DOCS: an empty document per known command asked for (clients only probe it). */
function commandDocs(cx: RespContext, a: ArgList): void {
  const names = a.count > 2 ? a.keys(2).filter((n) => cx.commands.has(n.toLowerCase())) : [...cx.commands.keys()];
  cx.reply.map(names.length);
  for (const name of names) {
    cx.reply.bulkText(name.toLowerCase());
    cx.reply.map(0);
  }
}

function configGet(cx: RespContext, a: ArgList): void {
  const found = new Map<string, string>();
  for (let i = 2; i < a.count; i++) {
    const pattern = a.lower(i);
    for (const [name, value] of cx.settings.config) if (globMatch(pattern, name)) found.set(name, value);
  }
  cx.reply.map(found.size);
  for (const [name, value] of found) {
    cx.reply.bulkText(name);
    cx.reply.bulkText(value);
  }
}

/** The INFO sections we keep, in Redis's order, built from the shared stats. */
function infoSections(cx: RespContext): Map<string, [string, string | number][]> {
  const stats = new Map<string, string | number>(cx.uc.stats.general() as StatPair[]);
  const n = (k: string): number => Number(stats.get(k) ?? 0);
  const uptime = n('uptime');
  const items = n('curr_items');
  return new Map<string, [string, string | number][]>([
    [
      'server',
      [
        ['redis_version', cx.settings.redisVersion],
        ['redis_mode', 'standalone'],
        ['server_name', 'rat-memcache'],
        ['arch_bits', 64],
        ['multiplexing_api', 'libuv'],
        ['process_id', n('pid')],
        ['tcp_port', cx.settings.port],
        ['uptime_in_seconds', uptime],
        ['uptime_in_days', Math.floor(uptime / 86400)],
      ],
    ],
    [
      'clients',
      [
        ['connected_clients', n('curr_connections')],
        ['maxclients', n('max_connections')],
        ['blocked_clients', 0],
      ],
    ],
    [
      'memory',
      [
        ['used_memory', n('bytes')],
        ['maxmemory', n('limit_maxbytes')],
        ['maxmemory_policy', 'allkeys-lru'],
      ],
    ],
    [
      'stats',
      [
        ['total_connections_received', n('total_connections')],
        ['rejected_connections', n('rejected_connections')],
        ['total_net_input_bytes', n('bytes_read')],
        ['total_net_output_bytes', n('bytes_written')],
        ['expired_keys', n('reclaimed')],
        ['evicted_keys', n('evictions')],
        ['keyspace_hits', n('get_hits')],
        ['keyspace_misses', n('get_misses')],
      ],
    ],
    ['keyspace', items > 0 ? [['db0', `keys=${items},expires=0,avg_ttl=0`]] : []],
  ]);
}

function info(cx: RespContext, a: ArgList): void {
  const sections = infoSections(cx);
  let wanted: string[];
  if (a.count === 1) wanted = [...sections.keys()];
  else {
    const asked = new Set(a.keys(1).map((s) => s.toLowerCase()));
    wanted = asked.has('all') || asked.has('everything') || asked.has('default') ? [...sections.keys()] : [...sections.keys()].filter((s) => asked.has(s));
  }
  const parts = wanted.map((name) => {
    const title = name[0]!.toUpperCase() + name.slice(1);
    return (
      `# ${title}\r\n` +
      sections
        .get(name)!
        .map(([k, v]) => `${k}:${v}\r\n`)
        .join('')
    );
  });
  cx.reply.verbatim(parts.join('\r\n'));
}

const cmd = 'command';
const config = 'config';

/** Introspection: COMMAND, CONFIG GET, INFO. */
export const serverCommands: RespCommand[] = [
  command('command', -1, 'server', (cx, a) => (a.count === 1 ? commandList(cx) : undefined), {
    subcommands: [
      command('count', 2, 'server', (cx) => cx.reply.integer(cx.commands.size), { container: cmd }),
      command('info', -2, 'server', commandInfo, { container: cmd }),
      command('docs', -2, 'server', commandDocs, { container: cmd }),
      command('list', -2, 'server', (cx) => cx.reply.bulkTexts([...cx.commands.keys()]), { container: cmd }),
    ],
  }),
  command('config', -2, 'server', () => undefined, {
    subcommands: [
      command('get', -3, 'server', configGet, { container: config }),
      command('resetstat', 2, 'server', (cx) => cx.reply.ok(), { container: config }),
    ],
  }),
  command('info', -1, 'server', info, { flags: CommandFlag.None }),
];
