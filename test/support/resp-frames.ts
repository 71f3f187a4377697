/**
 * RESP reply framing for tests: where one complete reply (RESP2 or RESP3,
 * nested aggregates included) ends in `b` from `pos`, or -1 when more bytes
 * are needed.
 */
export function replyEnd(b: Buffer, pos = 0): number {
  if (pos >= b.length) return -1;
  const cr = b.indexOf('\r\n', pos, 'latin1');
  if (cr === -1) return -1;
  const type = String.fromCharCode(b[pos]!);
  const header = b.toString('latin1', pos + 1, cr);
  const after = cr + 2;
  switch (type) {
    case '+':
    case '-':
    case ':':
    case '_':
    case ',':
    case '#':
    case '(':
      return after;
    case '$':
    case '=':
    case '!': {
      const n = Number(header);
      if (n < 0) return after;
      return b.length >= after + n + 2 ? after + n + 2 : -1;
    }
    case '*':
    case '~':
    case '>':
    case '%':
    case '|': {
      let n = Number(header);
      if (n < 0) return after;
      if (type === '%' || type === '|') n *= 2;
      let p = after;
      for (let i = 0; i < n; i++) {
        p = replyEnd(b, p);
        if (p === -1) return -1;
      }
      return p;
    }
    default:
      throw new Error(`not a RESP reply at ${pos}: ${JSON.stringify(b.toString('latin1', pos, Math.min(b.length, pos + 40)))}`);
  }
}

/** A command as a RESP multibulk request. */
export function encodeCommand(args: ReadonlyArray<string | Buffer>): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`, 'latin1')];
  for (const a of args) {
    const b = typeof a === 'string' ? Buffer.from(a, 'latin1') : a;
    parts.push(Buffer.from(`$${b.length}\r\n`, 'latin1'), b, Buffer.from('\r\n', 'latin1'));
  }
  return Buffer.concat(parts);
}
