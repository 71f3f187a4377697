import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { IdentityCompressor } from '../../../src/adapters/compression/identity-compressor.js';
import { Lz4jsCompressor } from '../../../src/adapters/compression/lz4js-compressor.js';
import { compressibleText as text } from '../../contract/compressor.contract.js';

describe('Lz4jsCompressor', () => {
  const lz4 = new Lz4jsCompressor();

  it('has id 1', () => {
    expect(lz4.id).to.equal(1);
  });

  it('shrinks compressible data and restores it exactly', () => {
    const input = text(100 * 1024);
    const packed = lz4.compress(input);
    expect(packed.length).to.be.lessThan(input.length / 4);
    const out = lz4.decompress(packed, input.length);
    expect(out.length).to.equal(input.length);
    expect(Buffer.compare(out, input)).to.equal(0);
  });

  it('keeps each result intact across later calls (the scratch buffer is reused)', () => {
    const a = text(64 * 1024);
    const b = randomBytes(64 * 1024);
    const c = Buffer.alloc(2 * 1024 * 1024, 'xyz');
    const packedA = lz4.compress(a);
    const copyA = Buffer.from(packedA);
    const packedB = lz4.compress(b);
    const packedC = lz4.compress(c);
    lz4.compress(text(70 * 1024));
    expect(Buffer.compare(packedA, copyA)).to.equal(0);
    expect(Buffer.compare(lz4.decompress(packedA, a.length), a)).to.equal(0);
    expect(Buffer.compare(lz4.decompress(packedB, b.length), b)).to.equal(0);
    expect(Buffer.compare(lz4.decompress(packedC, c.length), c)).to.equal(0);
  });

  it('leaves no stale match-table slot behind: a reused compressor packs exactly like a fresh one', () => {
    const reused = new Lz4jsCompressor();
    const sizes = [0, 5, 13, 14, 100, 1024, 1500, 4096, 9999, 16 * 1024, 16 * 1024 + 1, 40_000, 3000, 200];
    for (let round = 0; round < 3; round++) {
      for (const n of sizes) {
        for (const input of [text(n), randomBytes(n), Buffer.alloc(n, round), Buffer.concat([text(n >> 1), randomBytes(n - (n >> 1))])]) {
          const packed = reused.compress(input);
          const fresh = new Lz4jsCompressor().compress(input);
          expect(Buffer.compare(packed, fresh), `size ${n}, round ${round}`).to.equal(0);
          expect(Buffer.compare(reused.decompress(packed, n), input)).to.equal(0);
        }
      }
    }
  });

  it('round-trips incompressible, tiny and empty inputs (literal-only blocks)', () => {
    for (const n of [0, 1, 12, 13, 14, 15, 16, 269, 270, 271, 4096, 65_536 + 7]) {
      const input = randomBytes(n);
      const packed = lz4.compress(input);
      const out = lz4.decompress(packed, n);
      expect(Buffer.compare(out, input), `size ${n}`).to.equal(0);
    }
  });

  it('round-trips after many calls with different inputs (no stale hash state)', () => {
    const a = text(70_000);
    const b = Buffer.concat([randomBytes(1000), text(5000), randomBytes(1000)]);
    for (let i = 0; i < 3; i++) {
      for (const input of [a, b, a.subarray(100, 9000)]) {
        const out = lz4.decompress(lz4.compress(input), input.length);
        expect(Buffer.compare(out, input)).to.equal(0);
      }
    }
  });

  it('rejects a block whose decoded length does not match', () => {
    const input = text(10_000);
    const packed = lz4.compress(input);
    expect(() => lz4.decompress(packed, input.length + 1)).to.throw(/corrupt/);
    expect(() => lz4.decompress(packed.subarray(0, packed.length >> 1), input.length)).to.throw(/corrupt/);
  });
});

describe('IdentityCompressor', () => {
  const id = new IdentityCompressor();

  it('has id 0 and returns its input', () => {
    const input = Buffer.from('abc');
    expect(id.id).to.equal(0);
    expect(id.compress(input)).to.equal(input);
    expect(id.decompress(input, 3)).to.equal(input);
  });

  it('rejects a length mismatch', () => {
    expect(() => id.decompress(Buffer.from('abc'), 4)).to.throw();
  });
});
