/** What `stats conns` shows of one text-protocol connection. */
export interface ConnectionEntry {
  /** Connection number (memcached shows its file descriptor). */
  readonly id: number;
  /** `tcp:<address>:<port>` of the peer. */
  readonly addr: string;
  /** `tcp:<address>:<port>` of the listener it came in on. */
  readonly listenAddr: string;
  /** memcached's state name (conn_read, conn_nread, conn_swallow, conn_parse_cmd). */
  state(): string;
  /** Milliseconds since the last socket read. */
  idleMs(): number;
}

/** The open text-protocol connections of one server, for `stats conns`. */
export class ConnectionTable {
  private readonly entries = new Set<ConnectionEntry>();
  /** memcached's first client fd on a fresh server comes after its listeners and internal pipes. */
  private next = 24;

  nextId(): number {
    return this.next++;
  }

  add(entry: ConnectionEntry): void {
    this.entries.add(entry);
  }

  remove(entry: ConnectionEntry): void {
    this.entries.delete(entry);
  }

  /** Open connections, oldest first. */
  list(): Iterable<ConnectionEntry> {
    return this.entries;
  }
}

/** memcached's address form: `tcp:<ip>:<port>` (IPv6 in brackets). */
export function tcpAddress(address: string | undefined, port: number | undefined): string {
  const a = address ?? 'unknown';
  return 'tcp:' + (a.includes(':') ? '[' + a + ']' : a) + ':' + (port ?? 0);
}
