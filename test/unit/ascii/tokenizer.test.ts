import { expect } from 'chai';
import { Tokens, tokenI32, tokenU32, tokenU64 } from '../../../src/adapters/protocol/tokenizer.js';

function tok(line: string): Tokens {
  const t = new Tokens();
  const b = Buffer.from(line, 'latin1');
  t.tokenize(b, 0, b.length);
  return t;
}

describe('Tokens', () => {
  it('splits on spaces only; tabs belong to tokens', () => {
    const t = tok('  set a\tb  0 ');
    expect(t.count).to.equal(3);
    expect([t.str(0), t.str(1), t.str(2)]).to.deep.equal(['set', 'a\tb', '0']);
    expect(t.is(0, 'set')).to.equal(true);
    expect(t.is(0, 'se')).to.equal(false);
    expect(t.byte(0)).to.equal(0x73);
  });

  it('stops at a NUL like strlen()', () => {
    const t = tok('get a\0 b c');
    expect(t.count).to.equal(2);
  });

  it('tokenizes a sub-range and reports offsets', () => {
    const b = Buffer.from('xxget keyyy');
    const t = new Tokens();
    expect(t.tokenize(b, 2, 9)).to.equal(2);
    expect(t.start(1)).to.equal(6);
    expect(t.end(1)).to.equal(9);
    expect(t.length(1)).to.equal(3);
  });

  // Each expectation was checked with memcached 1.6.18 through a command using the field.
  it('tokenI32 reads exptime/length as strtol does, truncated to int32', () => {
    const v = (s: string) => tokenI32(tok(s), 0);
    expect(v('0')).to.equal(0);
    expect(v('-1')).to.equal(-1);
    expect(v('+5')).to.equal(5);
    expect(v('4294967297')).to.equal(1);
    expect(v('2147483648')).to.equal(-2147483648);
    expect(v('\t10')).to.equal(10);
    expect(v('10\t')).to.equal(10);
    expect(v('10\tjunk')).to.equal(10);
    expect(v('\v2')).to.equal(2);
    expect(v('abc')).to.equal(undefined);
    expect(v('1a')).to.equal(undefined);
    expect(v('\t')).to.equal(undefined);
    expect(v('9223372036854775808')).to.equal(undefined);
  });

  it('tokenU32 reads flags as safe_strtoul does', () => {
    const v = (s: string) => tokenU32(tok(s), 0);
    expect(v('5')).to.equal(5);
    expect(v('4294967295')).to.equal(4294967295);
    expect(v('4294967296')).to.equal(0);
    expect(v('\t5')).to.equal(5);
    expect(v('-1')).to.equal(-1);
    expect(v('abc')).to.equal(-1);
  });

  it('tokenU64 reads delta/cas as safe_strtoull does', () => {
    const v = (s: string) => tokenU64(tok(s), 0);
    expect(v('18446744073709551615')).to.equal(0xffff_ffff_ffff_ffffn);
    expect(v('18446744073709551616')).to.equal(undefined);
    expect(v('-1')).to.equal(undefined);
    expect(v('-18446744073709551615')).to.equal(1n);
    expect(v('\t7')).to.equal(7n);
    expect(v('7\tjunk')).to.equal(7n);
    expect(v('7junk')).to.equal(undefined);
  });
});
