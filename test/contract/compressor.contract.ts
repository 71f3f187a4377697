import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import type { Compressor } from '../../src/domain/ports/compressor.js';

/** Compressible text of `n` bytes (words and line ends). */
export function compressibleText(n: number): Buffer {
  const words = ['alpha', 'beta', 'gamma', 'delta', 'cache', 'memcached', 'level', '\r\n'];
  const parts: string[] = [];
  let len = 0;
  for (let i = 0; len < n; i++) {
    const w = words[(i * 7 + (i >> 3)) % words.length]!;
    parts.push(w, ' ');
    len += w.length + 1;
  }
  return Buffer.from(parts.join('').slice(0, n), 'latin1');
}

/**
 * Behaviour every Compressor must have: the disk tier stores `id` in each
 * record and decompresses with whichever compressor wrote it, so ids are
 * one byte and unique, and every input comes back byte for byte.
 */
export function compressorContract(name: string, make: () => Compressor, otherIds: readonly number[]): void {
  describe(`Compressor contract: ${name}`, () => {
    const c = make();

    it('has a one-byte id no other compressor uses, and a name', () => {
      expect(Number.isInteger(c.id) && c.id >= 0 && c.id <= 255).to.equal(true);
      expect(otherIds).to.not.include(c.id);
      expect(c.name.length).to.be.greaterThan(0);
    });

    it('round-trips empty, tiny, random, compressible and large inputs exactly', () => {
      const inputs = [Buffer.alloc(0), Buffer.from([0]), randomBytes(15), randomBytes(4096), compressibleText(100 * 1024), randomBytes(1024 * 1024)];
      for (const input of inputs) {
        const out = c.decompress(c.compress(input), input.length);
        expect(out.length, `size ${input.length}`).to.equal(input.length);
        expect(Buffer.compare(out, input), `size ${input.length}`).to.equal(0);
      }
    });

    it('keeps no state between calls, and leaves its input unchanged', () => {
      const a = compressibleText(70_000);
      const b = Buffer.concat([randomBytes(1000), compressibleText(5000), randomBytes(1000)]);
      const aCopy = Buffer.from(a);
      for (let i = 0; i < 3; i++) {
        for (const input of [a, b, a.subarray(100, 9000)]) {
          expect(Buffer.compare(c.decompress(c.compress(input), input.length), input)).to.equal(0);
        }
      }
      expect(Buffer.compare(a, aCopy)).to.equal(0);
    });

    it('refuses a block whose decoded length is not the recorded one', () => {
      const input = compressibleText(10_000);
      expect(() => c.decompress(c.compress(input), input.length + 1)).to.throw();
    });
  });
}
