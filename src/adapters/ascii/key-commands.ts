import { isPromise, type MaybePromise } from '../../domain/maybe-promise.js';
import { KEY_MAX_LENGTH } from '../../domain/rules.js';
import type { ArithmeticUseCase } from '../../application/arithmetic.js';
import type { DeletionUseCase } from '../../application/deletion.js';
import type { TouchUseCase } from '../../application/touch.js';
import { tokenI32, tokenU64, type Tokens } from '../protocol/tokenizer.js';
import { Reply, arithmeticReply } from './ascii-replies.js';

/** What delete, incr, decr and touch need from the connection. */
export interface KeyCommandSession {
  readonly tokens: Tokens;
  reply(text: string): void;
  /** memcached's set_noreply_maybe. */
  noreplyMaybe(nt: number): boolean;
}

/** `delete <key> [0] [noreply]`; `nt` counts memcached's terminal token. */
export function deleteCommand(s: KeyCommandSession, deletion: DeletionUseCase, nt: number): MaybePromise<void> {
  const t = s.tokens;
  if (nt < 3 || nt > 5) return s.reply(Reply.ERROR);
  if (nt > 3) {
    const holdIsZero = t.is(2, '0');
    const noreply = s.noreplyMaybe(nt);
    const valid = (nt === 4 && (holdIsZero || noreply)) || (nt === 5 && holdIsZero && noreply);
    if (!valid) return s.reply(Reply.DELETE_USAGE);
  }
  if (t.length(1) > KEY_MAX_LENGTH) return s.reply(Reply.BAD_FORMAT);
  return replyWith(s, deletion.delete(t.str(1)), deletedReply);
}

/** `incr|decr <key> <delta> [noreply]`. */
export function arithmeticCommand(s: KeyCommandSession, arithmetic: ArithmeticUseCase, incr: boolean, nt: number): MaybePromise<void> {
  if (!keyAndNumber(s, nt)) return;
  const delta = tokenU64(s.tokens, 2);
  if (delta === undefined) return s.reply(Reply.BAD_DELTA);
  return replyWith(s, arithmetic.apply(s.tokens.str(1), delta, incr), arithmeticReply);
}

/** `touch <key> <exptime> [noreply]`. */
export function touchCommand(s: KeyCommandSession, touch: TouchUseCase, nt: number): MaybePromise<void> {
  if (!keyAndNumber(s, nt)) return;
  const exptime = tokenI32(s.tokens, 2);
  if (exptime === undefined) return s.reply(Reply.BAD_EXPTIME);
  return replyWith(s, touch.touch(s.tokens.str(1), exptime), touchedReply);
}

/** The checks of `<command> <key> <number> [noreply]` before the number's; false once a reply is sent. */
function keyAndNumber(s: KeyCommandSession, nt: number): boolean {
  if (nt !== 4 && nt !== 5) {
    s.reply(Reply.ERROR);
    return false;
  }
  s.noreplyMaybe(nt);
  if (s.tokens.length(1) <= KEY_MAX_LENGTH) return true;
  s.reply(Reply.BAD_FORMAT);
  return false;
}

/** Replies `text(result)` now, or once the store has answered. */
function replyWith<T>(s: KeyCommandSession, result: MaybePromise<T>, text: (result: T) => string): MaybePromise<void> {
  if (isPromise(result)) return result.then((r) => s.reply(text(r)));
  s.reply(text(result));
}

function deletedReply(hit: boolean): string {
  return hit ? Reply.DELETED : Reply.NOT_FOUND;
}

function touchedReply(hit: boolean): string {
  return hit ? Reply.TOUCHED : Reply.NOT_FOUND;
}
