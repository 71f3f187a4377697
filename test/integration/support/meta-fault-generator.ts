import { RECACHE_TOKENS, type MetaDraw } from './meta-generator.js';
import { casOf, type Chunk } from './script.js';

/**
 * Every byte a flag token may start with: all letters (known or not to any
 * command), digits and a little punctuation.
 */
const LETTERS = [...'ABCDFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+-_@'];
/** The flags memcached 1.6.18 knows (every meta command takes every one of them). */
const KNOWN = new Set('bNTRlOPLkstcfvhuqFCMJDI');
/** memcached's MFLAG_MAX_OPT_LENGTH: a line of this many tokens or more (with the terminal one) is refused. */
const MAX_TOKENS = 20;
/** Opaque lengths around memcached's limit (31 bytes after the O). */
const OPAQUE_LENGTHS = [0, 1, 8, 30, 31, 31, 32, 32, 33, 40, 200];
/** TTL arguments: the relative ones of the classic stream (no past TTLs, see meta-generator.ts) and refused ones. */
const GOOD_TTLS = ['0', '100', '3600', '2592000', '+5'];
const BAD_NUMBERS = ['', 'abc', '1x', '-', '99999999999999999999', ' '];
const MODES = ['S', 'E', 'A', 'P', 'R', 'I', 'D', '+', '-', 's', 'i', 'd', 'X', 'Z', '0', '', 'SS', 'Ix'];

/**
 * One meta line built to find where we and 1.6.18 disagree on faults: for
 * mg, ms, md and ma, flags drawn from every letter (valid for the command
 * or not), arguments of random and boundary lengths (opaques up to and past
 * the limit, modes valid and invalid, bad numbers), repeated flags, token
 * counts around the limit, bad base64 keys and over-long keys, often several
 * faults in one line.
 *
 * Left out, as deliberate differences (docs/compatibility.md): E anywhere and
 * x on md (accepted here, unknown to 1.6.18). In lines 1.6.18 parses without
 * a hard fault (no unknown or repeated flag, not too many tokens, key not too
 * long) the flags whose effect the classic-meta stream already avoids are
 * dropped: mg h and l, ma T, ms b, ms N with MA/MP (see meta-generator.ts).
 */
export function metaFaultCommand(d: MetaDraw): Chunk[] {
  const { random } = d;
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const chance = (p: number): boolean => random() < p;
  const int = (below: number): number => Math.floor(random() * below);

  const roll = random();
  if (roll < 0.03) return [`mn${chance(0.5) ? ' ' + pick(['x', 'k', 'Oa', 'mn']) : ''}\r\n`];
  // me only on a key nothing writes: its hits differ on purpose (exp=, cls=).
  if (roll < 0.06) return [`me ${chance(0.3) ? 'bm9wZQ==' : 'nope'}${chance(0.5) ? ' b' : ''}${chance(0.3) ? ' v' : ''}\r\n`];
  const verb = roll < 0.35 ? 'mg' : roll < 0.6 ? 'ms' : roll < 0.8 ? 'md' : 'ma';

  /** One flag token starting with `letter`, its argument good or bad. */
  const argument = (letter: string): Chunk[] => {
    const bad = chance(0.25);
    switch (letter) {
      case 'O':
        return [`O${'o'.repeat(pick(OPAQUE_LENGTHS))}`];
      case 'T':
      case 'N':
        return [letter + (bad ? pick(BAD_NUMBERS) : pick(GOOD_TTLS))];
      case 'R':
        return [letter + (bad ? pick(BAD_NUMBERS) : String(pick(RECACHE_TOKENS)))];
      case 'F':
        return [letter + (bad ? pick([...BAD_NUMBERS, '-1']) : String(pick(d.flags)))];
      case 'C':
        return bad ? [letter + pick(BAD_NUMBERS)] : chance(0.5) ? ['C', casOf('last')] : [`C${int(40)}`];
      case 'J':
        return [letter + (bad ? pick([...BAD_NUMBERS, '-1']) : String(int(1000)))];
      case 'D':
        return [letter + (bad ? pick([...BAD_NUMBERS, '-1']) : pick(d.deltas))];
      case 'M':
        return ['M' + pick(MODES)];
      default:
        // Most flags are a bare letter; memcached looks only at the first byte.
        return [letter + (chance(0.05) ? pick(['1', 'x', letter]) : '')];
    }
  };

  const count = chance(0.1) ? MAX_TOKENS - 4 + int(4) : int(6);
  const tokens: Chunk[][] = [];
  for (let i = 0; i < count; i += 1) {
    if (tokens.length > 0 && chance(0.08)) {
      tokens.push(argument(String(pick(tokens)[0]).charAt(0) || 'v')); // a repeated flag
      continue;
    }
    let letter = pick(LETTERS);
    if (letter === 'E' || (letter === 'x' && verb === 'md')) letter = 'k';
    tokens.push(argument(letter));
  }

  const first = (t: Chunk[]): string => String(t[0]).charAt(0);
  const keyRoll = random();
  const b64 = keyRoll < 0.15;
  const longKey = keyRoll > 0.97;
  const mode = tokens
    .find((t) => first(t) === 'M')
    ?.map(String)
    .join('')
    .charAt(1);
  const appends = verb === 'ms' && (mode === 'A' || mode === 'P');
  const key = verb === 'ma' ? pick(d.numberKeys) : appends ? pick(d.textKeys) : pick(d.keys);
  let keyToken = longKey ? 'k'.repeat(251) : key;
  if (b64) {
    keyToken = pick([Buffer.from(key, 'latin1').toString('base64'), '@@@', 'Zm9', 'YQ', 'YQ=x', '====', 'Y.Q=.=', '%YWJj']);
    tokens.unshift(['b']);
  }

  const headTokens = verb === 'ms' ? 3 : 2;
  const tooMany = headTokens + tokens.length + 1 > MAX_TOKENS;
  const seen = new Set<string>();
  let hardFault = tooMany || longKey;
  for (const t of tokens) {
    const c = first(t);
    if (seen.has(c) || !KNOWN.has(c)) hardFault = true;
    seen.add(c);
  }
  let flags = tokens;
  if (!hardFault) {
    const risky = (c: string): boolean =>
      (verb === 'mg' && (c === 'h' || c === 'l')) || (verb === 'ma' && c === 'T') || (verb === 'ms' && (c === 'b' || (appends && c === 'N')));
    flags = tokens.filter((t) => !risky(first(t)));
    // Without b the key goes as it is.
    if (verb === 'ms' && b64) keyToken = longKey ? keyToken : key;
  }

  const out: Chunk[] = [`${verb} ${keyToken}`];
  let value: Buffer | undefined;
  if (verb === 'ms') {
    value = d.numberKeys.includes(key) && chance(0.7) ? Buffer.from(String(int(100)), 'latin1') : d.value();
    const badLength = chance(0.05);
    out.push(' ' + (badLength ? pick(['abc', '-1', '1x', '2147483646x']) : String(value.length)));
    // memcached skips the data block only once it has read the length, the key and the token count.
    if (badLength || tooMany || longKey) value = undefined;
  }
  for (const t of flags) out.push(' ', ...t);
  out.push('\r\n');
  if (value !== undefined) out.push(value, '\r\n');
  return out;
}
