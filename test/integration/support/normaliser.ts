import { readReplyUnit } from './reply-framing.js';
import { UNISSUED_CAS, type CasRef } from './script.js';

/**
 * Rewrites one side's replies so that two correct servers produce identical
 * bytes. It normalises exactly three things and nothing else:
 *
 * - cas uniques become `cas#N`, N counting distinct values in the order this
 *   side first returned them: in `VALUE <key> <flags> <bytes> <cas>` lines, in
 *   the `c<cas>` flag of meta replies (`HD`, `VA`, `EN`, `NS`, `EX`, `NF`;
 *   `c0`, which no item has, stays) and in `ME` lines' `cas=<cas>`;
 * - `VERSION <anything>` becomes `VERSION <version>`;
 * - `STAT <name> <value>` keeps the name and replaces the value with `<v>`,
 *   so stats compare structurally: same names, same order, same count.
 *
 * Data blocks are copied untouched, except with `foldDecrPadding` (below).
 */
/** A meta command's reply line: a return code, then flags. */
const META_REPLY = /^(?:HD|VA|EN|NS|EX|NF)(?: |$)/;

export class ReplyNormaliser {
  /**
   * @param foldDecrPadding rewrite a value that is digits followed by spaces
   *   (what `decr` leaves when it shortens a number in place) to the bare
   *   digits, with the header's length to match. memcached only rewrites in
   *   place when nothing else holds a reference to the item; after a fetch an
   *   asynchronous LRU bump may still hold one, and then it stores a fresh,
   *   unpadded item instead. Two memcacheds fed the same bytes were seen to
   *   disagree on this, so random streams (which fetch and decr freely) fold
   *   it; the hand-written corpus stays strict.
   */
  constructor(private readonly foldDecrPadding = false) {}

  private readonly indexByCas = new Map<string, number>();
  private readonly casByIndex: string[] = [];
  private lastCas: string | undefined;

  normalise(reply: Buffer): Buffer {
    const out: Buffer[] = [];
    let at = 0;
    while (at < reply.length) {
      const unit = readReplyUnit(reply, at);
      if (unit === undefined) {
        out.push(reply.subarray(at));
        break;
      }
      const header = this.normaliseLine(unit.line);
      const data = reply.subarray(unit.lineEnd, unit.end);
      const padded = this.foldDecrPadding && unit.end > unit.lineEnd ? /^(\d+) +\r\n$/.exec(data.toString('latin1')) : null;
      if (padded !== null && padded[1] !== undefined) {
        const tokens = header.split(' ');
        tokens[header.startsWith('VA ') ? 1 : 3] = String(padded[1].length);
        out.push(Buffer.from(`${tokens.join(' ')}\r\n${padded[1]}\r\n`, 'latin1'));
      } else {
        out.push(Buffer.from(`${header}\r\n`, 'latin1'), data);
      }
      at = unit.end;
    }
    return Buffer.concat(out);
  }

  /** The literal cas unique this side should receive for a placeholder. */
  resolveCas(ref: CasRef): string {
    const value = ref.cas === 'last' ? this.lastCas : this.casByIndex[ref.cas];
    return value ?? UNISSUED_CAS;
  }

  private normaliseLine(line: string): string {
    if (line.startsWith('VALUE ')) {
      const tokens = line.split(' ');
      const cas = tokens[4];
      if (tokens.length === 5 && cas !== undefined && /^\d+$/.test(cas)) {
        tokens[4] = `cas#${this.indexOf(cas)}`;
        return tokens.join(' ');
      }
      return line;
    }
    if (META_REPLY.test(line)) {
      return line
        .split(' ')
        .map((token, i) => (i > 0 && /^c[1-9]\d*$/.test(token) ? `c<cas#${this.indexOf(token.slice(1))}>` : token))
        .join(' ');
    }
    if (line.startsWith('ME ')) return line.replace(/ cas=(\d+)/, (_, cas: string) => ` cas=<cas#${this.indexOf(cas)}>`);
    if (line.startsWith('VERSION ')) return 'VERSION <version>';
    if (line.startsWith('STAT ')) {
      const tokens = line.split(' ');
      return tokens.length >= 3 ? `STAT ${tokens[1]} <v>` : line;
    }
    return line;
  }

  private indexOf(cas: string): number {
    this.lastCas = cas;
    let index = this.indexByCas.get(cas);
    if (index === undefined) {
      index = this.casByIndex.length;
      this.indexByCas.set(cas, index);
      this.casByIndex.push(cas);
    }
    return index;
  }
}
