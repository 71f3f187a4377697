import { expect } from 'chai';
import { isExpired } from '../../../src/domain/item.js';
import {
  KEY_MAX_LENGTH,
  MAX_U64,
  REALTIME_MAXDELTA,
  applyDelta,
  counterBytes,
  expiryFromExptime,
  isValidKey,
  itemTotalSize,
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
