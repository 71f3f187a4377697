/**
 * Just enough of memcached's ASCII reply grammar to walk a reply stream line
 * by line without being fooled by binary data: a `VALUE <key> <flags> <bytes>
 * [<cas>]` line, and a meta `VA <bytes> <flags>*` line, is followed by exactly
 * <bytes> bytes of data and "\r\n", which may themselves contain "\r\n" or
 * anything else.
 */
export interface ReplyUnit {
  /** Offset of the unit's first byte. */
  readonly start: number;
  /** The text line without its "\r\n" (latin1: one char per byte). */
  readonly line: string;
  /** Offset just past the line's "\r\n". */
  readonly lineEnd: number;
  /** Offset just past the unit: after the data block for VALUE lines, else lineEnd. */
  readonly end: number;
}

/**
 * Reads the unit starting at `from`, or returns undefined if `buf` does not
 * hold all of it yet.
 */
export function readReplyUnit(buf: Buffer, from: number): ReplyUnit | undefined {
  const cr = buf.indexOf('\r\n', from, 'latin1');
  if (cr < 0) return undefined;
  const line = buf.toString('latin1', from, cr);
  const lineEnd = cr + 2;
  const dataLength = valueDataLength(line);
  if (dataLength === undefined) return { start: from, line, lineEnd, end: lineEnd };
  const end = lineEnd + dataLength + 2;
  if (buf.length < end) return undefined;
  return { start: from, line, lineEnd, end };
}

/** Byte count announced by a VALUE or VA line, or undefined for any other line. */
export function valueDataLength(line: string): number | undefined {
  let bytes: string;
  if (line.startsWith('VALUE ')) {
    const tokens = line.split(' ');
    if (tokens.length < 4) return undefined;
    bytes = tokens[3] ?? '';
  } else if (line.startsWith('VA ')) {
    bytes = line.split(' ')[1] ?? '';
  } else {
    return undefined;
  }
  return /^\d{1,10}$/.test(bytes) ? Number(bytes) : undefined;
}
