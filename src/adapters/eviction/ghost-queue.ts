/** Initial ring slots and index slots (powers of two). */
const INITIAL_RING = 64;
const INITIAL_INDEX = 128;

/**
 * FIFO of recently evicted key hashes with O(1) membership, for S3-FIFO,
 * in typed arrays only (no object or boxed number per ghost, and no
 * allocation per call except when a table doubles).
 *
 * A ring buffer keeps insertion order (and the charged size, so the ghost can
 * be bounded in bytes). An open-addressing index (linear probing, deletion by
 * backward shift) maps each hash to the sequence number of its latest
 * insertion, which answers `has` and lets `take` forget a hash without
 * searching the ring: a ring slot whose sequence number no longer matches the
 * index is stale and is skipped when it falls out. Sequence numbers are kept
 * mod 2^32, which is unambiguous because the ring never holds 2^32 slots.
 * About 8 bytes per ring slot + 9 bytes per index slot (load <= 1/2).
 */
export class GhostQueue {
  private ringHashes = new Uint32Array(INITIAL_RING);
  private ringSizes = new Uint32Array(INITIAL_RING);
  /** Sequence number of the oldest slot in the ring. */
  private firstSeq = 0;
  private count = 0;
  private keys = new Uint32Array(INITIAL_INDEX);
  private seqs = new Uint32Array(INITIAL_INDEX);
  private used = new Uint8Array(INITIAL_INDEX);
  private live = 0;
  /** Sum of sizes of all ring slots, stale ones included. */
  bytes = 0;

  /** Ring slots, stale ones included. */
  get length(): number {
    return this.count;
  }

  has(hash: number): boolean {
    return this.find(hash >>> 0) >= 0;
  }

  /** Removes `hash` if present; true when it was. */
  take(hash: number): boolean {
    const at = this.find(hash >>> 0);
    if (at < 0) return false;
    this.deleteAt(at);
    return true;
  }

  push(hash: number, size: number): void {
    hash >>>= 0;
    if (this.count === this.ringHashes.length) this.growRing();
    const seq = this.firstSeq + this.count;
    const slot = seq & (this.ringHashes.length - 1);
    this.ringHashes[slot] = hash;
    this.ringSizes[slot] = size;
    this.count++;
    this.bytes += size;
    const at = this.find(hash);
    if (at >= 0) {
      this.seqs[at] = seq;
      return;
    }
    if (2 * (this.live + 1) > this.keys.length) this.growIndex();
    const mask = this.keys.length - 1;
    let i = hash & mask;
    while (this.used[i] !== 0) i = (i + 1) & mask;
    this.keys[i] = hash;
    this.seqs[i] = seq;
    this.used[i] = 1;
    this.live++;
  }

  /** Drops the oldest entries until both limits hold. */
  trim(maxBytes: number, maxEntries: number): void {
    while (this.count > 0 && (this.bytes > maxBytes || this.count > maxEntries)) {
      const slot = this.firstSeq & (this.ringHashes.length - 1);
      const at = this.find(this.ringHashes[slot]!);
      if (at >= 0 && this.seqs[at] === this.firstSeq >>> 0) this.deleteAt(at);
      this.bytes -= this.ringSizes[slot]!;
      this.firstSeq++;
      this.count--;
    }
  }

  clear(): void {
    this.used.fill(0);
    this.live = 0;
    this.firstSeq = this.count = this.bytes = 0;
  }

  /** Index slot holding `hash`, or -1. */
  private find(hash: number): number {
    const mask = this.keys.length - 1;
    for (let i = hash & mask; this.used[i] !== 0; i = (i + 1) & mask) {
      if (this.keys[i] === hash) return i;
    }
    return -1;
  }

  /** Empties index slot `hole`, moving later members of its probe run back so that lookups still find them. */
  private deleteAt(hole: number): void {
    const { keys, seqs, used } = this;
    const mask = keys.length - 1;
    used[hole] = 0;
    this.live--;
    for (let j = (hole + 1) & mask; used[j] !== 0; j = (j + 1) & mask) {
      const home = keys[j]! & mask;
      // Movable unless its home lies cyclically in (hole, j].
      if (((j - home) & mask) < ((j - hole) & mask)) continue;
      keys[hole] = keys[j]!;
      seqs[hole] = seqs[j]!;
      used[hole] = 1;
      used[j] = 0;
      hole = j;
    }
  }

  private growRing(): void {
    const cap = this.ringHashes.length;
    const hashes = new Uint32Array(cap * 2);
    const sizes = new Uint32Array(cap * 2);
    for (let i = 0; i < this.count; i++) {
      const from = (this.firstSeq + i) & (cap - 1);
      const to = (this.firstSeq + i) & (cap * 2 - 1);
      hashes[to] = this.ringHashes[from]!;
      sizes[to] = this.ringSizes[from]!;
    }
    this.ringHashes = hashes;
    this.ringSizes = sizes;
  }

  private growIndex(): void {
    const { keys, seqs, used } = this;
    const cap = keys.length * 2;
    const mask = cap - 1;
    this.keys = new Uint32Array(cap);
    this.seqs = new Uint32Array(cap);
    this.used = new Uint8Array(cap);
    for (let j = 0; j < keys.length; j++) {
      if (used[j] === 0) continue;
      let i = keys[j]! & mask;
      while (this.used[i] !== 0) i = (i + 1) & mask;
      this.keys[i] = keys[j]!;
      this.seqs[i] = seqs[j]!;
      this.used[i] = 1;
    }
  }
}
