/**
 * FIFO of recently evicted key hashes with O(1) membership, for S3-FIFO.
 * A ring buffer keeps insertion order (and the charged size, so the ghost
 * can be bounded in bytes); a Map from hash to the sequence number of its
 * latest insertion answers `has` and lets `take` forget an entry without
 * searching the ring: a ring slot whose sequence number no longer matches
 * the Map is stale and is skipped when it falls out.
 */
export class GhostQueue {
  private hashes = new Uint32Array(64);
  private sizes = new Float64Array(64);
  /** Sequence number of the oldest slot in the ring. */
  private firstSeq = 0;
  private count = 0;
  private readonly latest = new Map<number, number>();
  /** Sum of sizes of all ring slots, stale ones included. */
  bytes = 0;

  get length(): number {
    return this.count;
  }

  has(hash: number): boolean {
    return this.latest.has(hash);
  }

  /** Removes `hash` if present; true when it was. */
  take(hash: number): boolean {
    return this.latest.delete(hash);
  }

  push(hash: number, size: number): void {
    if (this.count === this.hashes.length) this.grow();
    const seq = this.firstSeq + this.count;
    const slot = seq & (this.hashes.length - 1);
    this.hashes[slot] = hash;
    this.sizes[slot] = size;
    this.count++;
    this.bytes += size;
    this.latest.set(hash, seq);
  }

  /** Drops the oldest entries until both limits hold. */
  trim(maxBytes: number, maxEntries: number): void {
    while (this.count > 0 && (this.bytes > maxBytes || this.count > maxEntries)) {
      const slot = this.firstSeq & (this.hashes.length - 1);
      const hash = this.hashes[slot]!;
      if (this.latest.get(hash) === this.firstSeq) this.latest.delete(hash);
      this.bytes -= this.sizes[slot]!;
      this.firstSeq++;
      this.count--;
    }
  }

  clear(): void {
    this.latest.clear();
    this.firstSeq = this.count = this.bytes = 0;
  }

  private grow(): void {
    const cap = this.hashes.length;
    const hashes = new Uint32Array(cap * 2);
    const sizes = new Float64Array(cap * 2);
    for (let i = 0; i < this.count; i++) {
      const from = (this.firstSeq + i) & (cap - 1);
      const to = (this.firstSeq + i) & (cap * 2 - 1);
      hashes[to] = this.hashes[from]!;
      sizes[to] = this.sizes[from]!;
    }
    this.hashes = hashes;
    this.sizes = sizes;
  }
}
