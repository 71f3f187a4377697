import { IdentityCompressor } from '../../src/adapters/compression/identity-compressor.js';
import { Lz4jsCompressor } from '../../src/adapters/compression/lz4js-compressor.js';
import type { Compressor } from '../../src/domain/ports/compressor.js';
import { compressorContract } from './compressor.contract.js';

/** Every compressor in src/adapters/compression: a new one is one line here. */
const compressors: Record<string, () => Compressor> = {
  IdentityCompressor: () => new IdentityCompressor(),
  Lz4jsCompressor: () => new Lz4jsCompressor(),
};

for (const [name, make] of Object.entries(compressors)) {
  const otherIds = Object.entries(compressors)
    .filter(([other]) => other !== name)
    .map(([, m]) => m().id);
  compressorContract(name, make, otherIds);
}
