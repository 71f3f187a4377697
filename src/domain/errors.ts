/**
 * Typed failures of cache semantics. Protocol adapters map each kind to their
 * own wire reply in exactly one place (ASCII: ascii-errors.ts).
 */
export type CacheErrorKind = 'bad-key' | 'bad-format' | 'bad-data-chunk' | 'too-large' | 'non-numeric' | 'invalid-delta' | 'out-of-memory';

export class CacheError extends Error {
  constructor(
    readonly kind: CacheErrorKind,
    message?: string,
  ) {
    super(message ?? kind);
    this.name = 'CacheError';
  }
}
