import { expect } from 'chai';
import { isExpired } from '../../../src/domain/item.js';
import {
  KEY_MAX_LENGTH,
  MAX_U64,
  REALTIME_MAXDELTA,
  CAS_MAX,
  applyDelta,
  casFromWire,
  counterBytes,
  expiryFromExptime,
  isValidKey,
  itemTotalSize,
  parseI32,
  parseU64,
  parseU64Token,
  remainingTtlSeconds,
} from '../../../src/domain/rules.js';

const NOW = 1_700_000_000_000;

describe('domain rules', () => {
  describe('expiryFromExptime', () => {
    it('0 never expires', () => {
      expect(expiryFromExptime(0, NOW)).to.equal(0);
    });
    it('small values are relative seconds', () => {
      expect(expiryFromExptime(1, NOW)).to.equal(NOW + 1000);
      expect(expiryFromExptime(REALTIME_MAXDELTA, NOW)).to.equal(NOW + REALTIME_MAXDELTA * 1000);
    });
    it('more than 30 days is an absolute Unix time', () => {
      const abs = Math.floor(NOW / 1000) + 100;
      expect(expiryFromExptime(abs, NOW)).to.equal(abs * 1000);
      expect(expiryFromExptime(REALTIME_MAXDELTA + 1, NOW)).to.equal((REALTIME_MAXDELTA + 1) * 1000);
    });
    it('an absolute time at or before the process start is already expired', () => {
      const start = NOW - 10_000;
      const e = expiryFromExptime(Math.floor(start / 1000), NOW, start);
      expect(e).to.be.greaterThan(0);
      expect(isExpired(e, NOW)).to.equal(true);
    });
    it('negative means already expired', () => {
      const e = expiryFromExptime(-1, NOW);
      expect(e).to.not.equal(0);
      expect(isExpired(e, NOW)).to.equal(true);
    });
  });

  describe('isExpired / remainingTtlSeconds', () => {
    it('expires exactly at the deadline', () => {
      expect(isExpired(0, NOW)).to.equal(false);
      expect(isExpired(NOW + 1, NOW)).to.equal(false);
      expect(isExpired(NOW, NOW)).to.equal(true);
    });
    it('reports -1 for never and rounds up otherwise', () => {
      expect(remainingTtlSeconds(0, NOW)).to.equal(-1);
      expect(remainingTtlSeconds(NOW + 1500, NOW)).to.equal(2);
      expect(remainingTtlSeconds(NOW - 5000, NOW)).to.equal(0);
    });
  });

  describe('parseU64 (mirrors strtoull as safe_strtoull uses it)', () => {
    const p = (s: string) => parseU64Token(s);
    it('reads plain decimals up to 2^64-1', () => {
      expect(p('0')).to.equal(0n);
      expect(p('42')).to.equal(42n);
      expect(p('999999999999999')).to.equal(999999999999999n);
      expect(p('1234567890123456')).to.equal(1234567890123456n);
      expect(p('18446744073709551615')).to.equal(MAX_U64);
      expect(p('00000000000000000000000000001')).to.equal(1n);
    });
    it('refuses overflow (ERANGE)', () => {
      expect(p('18446744073709551616')).to.equal(undefined);
      expect(p('99999999999999999999999')).to.equal(undefined);
    });
    it('accepts a leading + and whitespace', () => {
      expect(p('+5')).to.equal(5n);
      expect(p('  7')).to.equal(7n);
      expect(p('\t7')).to.equal(7n);
    });
    it('stops at trailing whitespace, NUL or end, refuses other junk', () => {
      expect(p('12 ')).to.equal(12n);
      expect(p('12\r\n')).to.equal(12n);
      expect(parseU64(Buffer.from([0x31, 0x32, 0x00, 0x41]))).to.equal(12n);
      expect(p('12a')).to.equal(undefined);
      expect(p('1.5')).to.equal(undefined);
      expect(p('0x10')).to.equal(undefined);
    });
    it('needs at least one digit', () => {
      expect(p('')).to.equal(undefined);
      expect(p(' ')).to.equal(undefined);
      expect(p('+')).to.equal(undefined);
      expect(p('-')).to.equal(undefined);
      expect(p('abc')).to.equal(undefined);
    });
    it('refuses a negative number whose wrapped value looks negative', () => {
      expect(p('-1')).to.equal(undefined);
      expect(p('-9223372036854775808')).to.equal(undefined);
      // strtoull wraps: -(2^64 - 1) is 1, which safe_strtoull lets through.
      expect(p('-18446744073709551615')).to.equal(1n);
      expect(p('-0')).to.equal(0n);
    });
    it('reads a sub-range of a buffer', () => {
      const b = Buffer.from('xx123yy');
      expect(parseU64(b, 2, 5)).to.equal(123n);
    });
  });

  describe('parseI32 (safe_strtol: strtol in 64 bits, stored as int32)', () => {
    /** The definition: strtol's accepted prefix by regex, its range in BigInt, then the int32 store. */
    const reference = (text: string): number | undefined => {
      const m = /^[\t\n\v\f\r ]*([+-]?[0-9]+)(?:[\t\n\v\f\r ]|$)/.exec(text);
      if (!m) return undefined;
      const b = BigInt(m[1]!.replace(/^\+/, ''));
      if (b > 0x7fff_ffff_ffff_ffffn || b < -0x8000_0000_0000_0000n) return undefined;
      return Number(BigInt.asIntN(32, b));
    };
    const parse = (text: string) => parseI32(Buffer.from(text, 'latin1'));

    it('reads what strtol reads and refuses what memcached refuses', () => {
      expect(parse('0')).to.equal(0);
      expect(parse('-1')).to.equal(-1);
      expect(parse('+17')).to.equal(17);
      expect(parse('\t5')).to.equal(5);
      expect(parse('5\r')).to.equal(5);
      expect(parse('2147483648')).to.equal(-2147483648);
      expect(parse('4294967301')).to.equal(5);
      expect(parse('9223372036854775807')).to.equal(-1);
      expect(parse('9223372036854775808')).to.equal(undefined);
      expect(parse('-9223372036854775808')).to.equal(0);
      expect(parse('-9223372036854775809')).to.equal(undefined);
      for (const bad of ['', '-', '+', ' ', '1x', 'x1', '1.5', '--1', '1\0']) expect(parse(bad), JSON.stringify(bad)).to.equal(undefined);
    });

    it('agrees with the definition on edge and random inputs, and on a slice of a larger buffer', () => {
      const alphabet = ['0', '1', '9', '-', '+', ' ', '\t', '\r', 'a', '7', '5', '3'];
      let seed = 7;
      const next = (n: number) => ((seed = (seed * 1103515245 + 12345) >>> 0), seed % n);
      const inputs: string[] = [];
      for (let i = 0; i < 3000; i++) {
        const len = next(24);
        let t = '';
        for (let j = 0; j < len; j++) t += alphabet[next(alphabet.length)];
        inputs.push(t);
      }
      for (const d of [15, 16, 19, 20]) inputs.push('9'.repeat(d), '-' + '9'.repeat(d), '1' + '0'.repeat(d - 1));
      for (const text of inputs) {
        expect(parse(text), JSON.stringify(text)).to.equal(reference(text));
        const framed = Buffer.from(`x${text}y`, 'latin1');
        expect(parseI32(framed, 1, framed.length - 1), JSON.stringify(text)).to.equal(reference(text));
      }
    });
  });

  describe('casFromWire', () => {
    it('is exact up to CAS_MAX and -1 above it (such a cas can only mismatch)', () => {
      const split = (v: bigint) => casFromWire(Number(v >> 32n), Number(v & 0xffff_ffffn));
      expect(split(0n)).to.equal(0);
      expect(split(0x1_0000_0001n)).to.equal(0x1_0000_0001);
      expect(split(BigInt(CAS_MAX))).to.equal(CAS_MAX);
      expect(split(BigInt(CAS_MAX) + 1n)).to.equal(-1);
      expect(split(0xffff_ffff_ffff_ffffn)).to.equal(-1);
    });
  });

  describe('counters', () => {
    it('incr wraps at 2^64, decr floors at 0', () => {
      expect(applyDelta(MAX_U64, 1n, true)).to.equal(0n);
      expect(applyDelta(MAX_U64, 5n, true)).to.equal(4n);
      expect(applyDelta(3n, 5n, false)).to.equal(0n);
      expect(applyDelta(10n, 1n, false)).to.equal(9n);
    });
    it('pads a shorter result with spaces to the old length', () => {
      expect(counterBytes(9n, 2).toString('latin1')).to.equal('9 ');
      expect(counterBytes(100n, 2).toString('latin1')).to.equal('100');
      expect(counterBytes(5n, 1).toString('latin1')).to.equal('5');
    });
  });

  describe('keys and sizes', () => {
    it('validates keys like memcached', () => {
      expect(isValidKey('a')).to.equal(true);
      expect(isValidKey('k'.repeat(KEY_MAX_LENGTH))).to.equal(true);
      expect(isValidKey('k'.repeat(KEY_MAX_LENGTH + 1))).to.equal(false);
      expect(isValidKey('')).to.equal(false);
      expect(isValidKey('a b')).to.equal(false);
      expect(isValidKey('a\nb')).to.equal(false);
      expect(isValidKey('a\x7fb')).to.equal(false);
      expect(isValidKey('\xe9t\xe9')).to.equal(true);
    });
    it('charges items as memcached 1.6.18 does (1,048,516-byte value fits -I 1m)', () => {
      expect(itemTotalSize(1, 1_048_516, 0)).to.equal(1024 * 1024);
      expect(itemTotalSize(1, 1_048_512, 1)).to.equal(1024 * 1024);
      expect(itemTotalSize(1, 1_048_517, 0)).to.be.greaterThan(1024 * 1024);
    });
  });
});
