import type { Tokens } from '../protocol/tokenizer.js';

/**
 * Commands by name, as memcached's text_cmd_entries, filed under the first
 * byte of the name: finding the command of a line costs one array index and
 * a byte compare or two, and makes no string of the name. Within a byte,
 * names are tried in the order given (put the frequent ones first).
 */
export class CommandTable<V> {
  private readonly byFirstByte: (readonly (readonly [string, V])[])[] = Array.from({ length: 256 }, () => []);

  constructor(entries: Iterable<readonly [string, V]>) {
    for (const entry of entries) {
      const code = entry[0].charCodeAt(0);
      this.byFirstByte[code] = [...this.byFirstByte[code]!, entry];
    }
  }

  /** What is filed under the name in token 0, or undefined. */
  find(t: Tokens): V | undefined {
    const named = this.byFirstByte[t.byte(0)]!;
    for (let k = 0; k < named.length; k++) {
      const entry = named[k]!;
      if (t.is(0, entry[0])) return entry[1];
    }
    return undefined;
  }
}
