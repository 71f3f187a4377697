/** Bytes of one arena chunk: many small records share one. */
export const CHUNK_BYTES = 64 * 1024;
/** A record above this is kept as it is, as a chunk of its own: copying it would cost more than its Buffer. */
const OWN_CHUNK_ABOVE = 4 * 1024;
/** Spare chunks kept for the next batches (1 MiB). */
const MAX_SPARE = 16;

/**
 * Chunks that held the records of applied batches, handed to the next ones:
 * a busy server then allocates no record memory at all. A chunk is returned
 * only once nothing can read it any more (see WriteBatch.release).
 */
export class ChunkPool {
  private readonly spare: Buffer[] = [];
  /** The chunks this pool made: only those come back to it. */
  private readonly made = new WeakSet<Buffer>();

  take(): Buffer {
    const spare = this.spare.pop();
    if (spare !== undefined) return spare;
    const chunk = Buffer.allocUnsafeSlow(CHUNK_BYTES);
    this.made.add(chunk);
    return chunk;
  }

  give(chunk: Buffer): void {
    if (this.spare.length < MAX_SPARE && this.made.has(chunk)) this.spare.push(chunk);
  }
}

/**
 * The records of one batch, copied back to back into chunks. A record is
 * known by its location (chunk index * CHUNK_BYTES + offset, a small
 * integer) and length: no Buffer object per record lives until the batch is
 * applied, which young-generation GC would copy (ADR 0015, session 6).
 */
export class RecordArena {
  readonly chunks: Buffer[] = [];
  /** Next free byte of the last chunk. */
  private top = CHUNK_BYTES;

  constructor(private readonly pool: ChunkPool) {}

  /** Takes `record` (which the caller hands over) in; returns its location. */
  append(record: Buffer): number {
    const n = record.length;
    if (n > OWN_CHUNK_ABOVE) {
      // Kept as its own chunk (never pooled); the next small record starts a new chunk.
      this.chunks.push(record);
      this.top = CHUNK_BYTES;
      return (this.chunks.length - 1) * CHUNK_BYTES;
    }
    if (this.top + n > CHUNK_BYTES) {
      this.chunks.push(this.pool.take());
      this.top = 0;
    }
    const off = this.top;
    record.copy(this.chunks[this.chunks.length - 1]!, off);
    this.top += n;
    return (this.chunks.length - 1) * CHUNK_BYTES + off;
  }

  /** A view of the record at `loc` (valid until the arena is released). */
  view(loc: number, length: number): Buffer {
    const chunk = this.chunks[Math.floor(loc / CHUNK_BYTES)]!;
    const off = loc % CHUNK_BYTES;
    return chunk.subarray(off, off + length);
  }

  /** The record at `loc` for a reader to keep: a copy, unless it is a chunk of its own (never reused). */
  read(loc: number, length: number): Buffer {
    const view = this.view(loc, length);
    return length > OWN_CHUNK_ABOVE ? view : Buffer.from(view);
  }

  /** Gives the chunks back to the pool; nothing may read them afterwards. */
  release(): void {
    for (const c of this.chunks) this.pool.give(c);
    this.chunks.length = 0;
    this.top = CHUNK_BYTES;
  }
}
