import { Tokens } from '../protocol/tokenizer.js';

/**
 * The tokenizer of the line being handled, shared by every text session: a
 * line is tokenized and dispatched synchronously, so one instance serves
 * them all and a connection holds none of its own (docs/memory.md). A
 * command that goes asynchronous may still read its line's tokens when it
 * resumes: it keeps the instance it was parsed with (`keep`) until then
 * (`release`), and the lines parsed meanwhile get a spare.
 */
let current = new Tokens();
/** Instances given back by commands that completed: at most as many as ever waited at once. */
const spares: Tokens[] = [];
/** Who keeps each instance handed to a waiting command (only those). */
const keptBy = new Map<Tokens, object>();

/** The instance for the next line. */
export function lineTokens(): Tokens {
  return current;
}

/** `holder`'s command went asynchronous with the current instance: it keeps it, later lines get another. */
export function keepLineTokens(holder: object): void {
  keptBy.set(current, holder);
  current = spares.pop() ?? new Tokens();
}

/** `holder`'s command is over: whatever it kept (if anything) is reused. */
export function releaseLineTokens(holder: object, t: Tokens): void {
  if (keptBy.get(t) !== holder) return;
  keptBy.delete(t);
  // The waiting command's line may have been copied (inputMoved): hold no buffer while spare.
  t.buf = EMPTY;
  spares.push(t);
}

const EMPTY = Buffer.alloc(0);
