import type { CacheItem } from '../../domain/item.js';
import { isPromise, type MaybePromise } from '../../domain/maybe-promise.js';
import { KEY_MAX_LENGTH } from '../../domain/rules.js';
import type { RetrievalUseCase } from '../../application/retrieval.js';
import type { ReplyWriter } from '../protocol/reply-writer.js';
import type { Tokens } from '../protocol/tokenizer.js';
import { tokenI32 } from '../protocol/tokenizer.js';
import { Reply } from './ascii-replies.js';

/** What get/gets/gat/gats need from the connection: the request line and the reply buffer. */
export interface RetrievalSession {
  readonly tokens: Tokens;
  readonly writer: ReplyWriter;
  reply(text: string): void;
}

/**
 * get, gets, gat and gats (and bget): one VALUE per hit, misses skipped,
 * then END. A key that goes to disk makes the rest of the line wait for it,
 * so the values stay in request order.
 */
export function getCommand(s: RetrievalSession, retrieval: RetrievalUseCase, withCas: boolean, touch: boolean): MaybePromise<void> {
  const t = s.tokens;
  if (t.count < 2) return s.reply(Reply.ERROR);
  let first = 1;
  let exptime = 0;
  if (touch) {
    const e = tokenI32(t, 1);
    if (e === undefined) return s.reply(Reply.BAD_EXPTIME);
    exptime = e;
    first = 2;
  }
  for (let i = first; i < t.count; i++) {
    if (t.length(i) > KEY_MAX_LENGTH) {
      // memcached drops every reply not yet sent and answers only this.
      s.writer.discard();
      return s.reply(Reply.BAD_FORMAT);
    }
    const key = t.str(i);
    const r = touch ? retrieval.getAndTouch(key, exptime) : retrieval.get(key);
    if (isPromise(r)) {
      // Snapshot the rest of the keys: the tokenizer is reused by later lines.
      const rest: string[] = [];
      for (let k = i + 1; k < t.count; k++) rest.push(t.str(k));
      return r.then((item) => getRest(s, retrieval, item, key, rest, withCas, touch, exptime));
    }
    if (r !== undefined) value(s.writer, key, r, withCas);
  }
  s.writer.text(Reply.END);
  s.writer.mark();
}

async function getRest(
  s: RetrievalSession,
  retrieval: RetrievalUseCase,
  first: CacheItem | undefined,
  firstKey: string,
  rest: string[],
  withCas: boolean,
  touch: boolean,
  exptime: number,
): Promise<void> {
  if (first !== undefined) value(s.writer, firstKey, first, withCas);
  for (const key of rest) {
    if (key.length > KEY_MAX_LENGTH) {
      s.writer.discard();
      return s.reply(Reply.BAD_FORMAT);
    }
    const item = await (touch ? retrieval.getAndTouch(key, exptime) : retrieval.get(key));
    if (item !== undefined) value(s.writer, key, item, withCas);
  }
  s.writer.text(Reply.END);
  s.writer.mark();
}

function value(w: ReplyWriter, key: string, item: CacheItem, withCas: boolean): void {
  const v = item.value;
  w.text(withCas ? 'VALUE ' + key + ' ' + item.flags + ' ' + v.length + ' ' + item.cas + '\r\n' : 'VALUE ' + key + ' ' + item.flags + ' ' + v.length + '\r\n');
  w.data(v);
  w.text('\r\n');
}
