/** One address a listener binds. */
export interface ListenAddress {
  host: string;
  port: number;
}

/**
 * memcached's -l syntax: a comma list of `host`, `host:port`, `[v6]` or
 * `[v6]:port`; an entry without a port takes `port` (-p). A bare IPv6
 * address (two colons or more) is a host.
 */
export function parseListen(list: string, port: number): ListenAddress[] {
  return list.split(',').map((raw) => {
    const entry = raw.trim();
    if (entry === '') throw new Error(`empty address in "${list}"`);
    const bracketed = /^\[([^\]]+)\](?::(.*))?$/.exec(entry);
    let host = entry;
    let portText: string | undefined;
    if (bracketed) {
      host = bracketed[1]!;
      portText = bracketed[2];
    } else if (entry.indexOf(':') === entry.lastIndexOf(':') && entry.includes(':')) {
      host = entry.slice(0, entry.indexOf(':'));
      portText = entry.slice(entry.indexOf(':') + 1);
    }
    if (host === '') throw new Error(`no host in "${entry}"`);
    if (portText === undefined) return { host, port };
    if (!/^\d+$/.test(portText) || Number(portText) > 65535) throw new Error(`bad port in "${entry}"`);
    return { host, port: Number(portText) };
  });
}
