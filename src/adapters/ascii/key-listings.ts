import type { DumpedItem } from '../../application/key-dump.js';
import type { UseCases } from '../../application/use-cases.js';
import type { Tokens } from '../protocol/tokenizer.js';
import { tokenU32 } from '../protocol/tokenizer.js';
import { Reply } from './ascii-replies.js';

/** What a streamed listing needs from its session: replies and the socket's flow control. */
export interface ListingSink {
  reply(text: string): void;
  /** False when the peer is not keeping up: wait for `writable()`. */
  flushReplies(): boolean;
  writable(): Promise<void>;
}

/** memcached's MAX_NUMBER_OF_SLAB_CLASSES: class ids from 1 to 63. */
const MAX_CLASSES = 64;

/**
 * Class ids accepted as arguments: memcached's 1..63, and beyond them our
 * own classes (the memory tier has ~71).
 */
function classLimit(uc: UseCases): number {
  return Math.max(MAX_CLASSES, uc.keyDump.maxSizeClass() + 1);
}

/**
 * Whether a listing of class `id` shows an item of class `cls`. Tools walk
 * memcached's classes 1..63 and no further (memcdump does), so class 63 also
 * lists the items of every class above it: each key is seen once.
 */
function listedIn(cls: number, id: number): boolean {
  return cls === id || (id === MAX_CLASSES - 1 && cls > id);
}
/** item_cachedump's reply limit (2 MiB, END included). */
const CACHEDUMP_LIMIT = 2 * 1024 * 1024;
/** Lines gathered before the socket's backpressure is consulted. */
const LINES_PER_FLUSH = 256;

/** memcached's uriencode: alphanumerics and -._~ stay, every other byte is %XX. */
export function uriEncode(key: string): string {
  let out = '';
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i) & 0xff;
    const plain = (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x2d || c === 0x2e || c === 0x5f || c === 0x7e;
    out += plain ? key[i] : '%' + (c < 16 ? '0' : '') + c.toString(16).toUpperCase();
  }
  return out;
}

/** One `lru_crawler metadump` line (memcached ends these with a bare LF). */
export function metadumpLine(it: DumpedItem): string {
  return `key=${uriEncode(it.key)} exp=${it.expiresAt === 0 ? -1 : it.expiresAt} la=${it.lastAccess} cas=${it.cas} fetch=${it.fetched ? 'yes' : 'no'} cls=${it.sizeClass} size=${it.size}\n`;
}

/** Which size classes a metadump argument selects (`all` for every item), or a refusal. */
function selection(arg: string, limit: number): 'all' | Set<number> | 'bad-class' {
  if (arg === 'all' || arg === 'hash') return 'all';
  const ids = new Set<number>();
  for (const part of arg.split(',')) {
    if (part === '') continue;
    if (!/^\s*\+?\d+$/.test(part)) return 'bad-class';
    const id = Number(part);
    if (id < 1 || id >= limit) return 'bad-class';
    ids.add(id);
  }
  return ids;
}

/**
 * `lru_crawler metadump all|hash|<class>[,<class>...]`: every live item (of
 * those size classes), one line each, then END, streamed with the socket's
 * backpressure. `cls=` is the memory tier's class, as `stats slabs` numbers it.
 */
export async function metadump(s: ListingSink, uc: UseCases, arg: string): Promise<void> {
  const which = selection(arg, classLimit(uc));
  if (which === 'bad-class') return s.reply(Reply.BADCLASS_CRAWL);
  if (which === 'all' || which.size > 0) {
    let n = 0;
    for await (const it of uc.keyDump.items()) {
      if (which !== 'all' && !which.has(it.sizeClass) && !(which.has(MAX_CLASSES - 1) && listedIn(it.sizeClass, MAX_CLASSES - 1))) continue;
      s.reply(metadumpLine(it));
      if (++n % LINES_PER_FLUSH === 0 && !s.flushReplies()) await s.writable();
    }
  }
  s.reply(Reply.END);
}

/**
 * `stats cachedump <class> <limit>`: `ITEM <key> [<bytes> b; <expiry> s]`
 * per item of that size class (binary keys left out, as memcached does), at most `limit`
 * (0 = all) and 2 MiB, then END.
 */
export async function cachedump(s: ListingSink, uc: UseCases, t: Tokens, nt: number): Promise<void> {
  if (nt < 5) return s.reply(Reply.CACHEDUMP_USAGE);
  const id = tokenU32(t, 2);
  const limit = tokenU32(t, 3);
  if (id < 0 || limit < 0) return s.reply(Reply.BAD_FORMAT);
  if (id >= classLimit(uc)) return s.reply(Reply.ILLEGAL_SLAB);
  let out = '';
  if (id > 0) {
    let shown = 0;
    for await (const it of uc.keyDump.items()) {
      if (limit !== 0 && shown >= limit) break;
      if (it.binaryKey || !listedIn(it.sizeClass, id)) continue;
      const line = `ITEM ${it.key} [${it.valueLength} b; ${it.expiresAt} s]\r\n`;
      if (out.length + line.length + 6 > CACHEDUMP_LIMIT) break;
      out += line;
      shown++;
    }
  }
  s.reply(out + Reply.END);
}
