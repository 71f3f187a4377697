import type { MaybePromise } from '../../domain/maybe-promise.js';
import { acquireBlock, ownedBuffer, ownedValue } from '../protocol/owned-value.js';

/**
 * Receives the data block an extension command asked for with
 * `AsciiSession.expectData` (meta set, streaming upload chunks).
 */
export interface DataBlockConsumer {
  /** The block without its trailing CRLF. The Buffer is the consumer's to keep. */
  data(block: Buffer): MaybePromise<void>;
  /** The block did not end in CRLF (memcached's "bad data chunk"). */
  badChunk(): MaybePromise<void>;
}

/**
 * The data block (value plus CRLF) of a storage command, read from socket
 * reads that may split it anywhere. A block that arrives whole is read in
 * place from the read buffer; one that spans reads is copied as it arrives,
 * since the read buffer is reused by the next read: into a pooled block for a
 * storage command (returned once stored), into a buffer of its own for an
 * extension's consumer (which keeps it).
 */
export class DataBlockReader {
  /** Bytes of the block with its CRLF. */
  need = 0;
  private got = 0;
  private copy: Buffer | undefined;
  /** Set while an extension's block arrives instead of a classic storage command's. */
  consumer: DataBlockConsumer | undefined;
  /** Whether the block taken last was copied (and is then the taker's). */
  owned = false;

  /** Expects a block of `length` bytes (CRLF included); `consumer` for an extension's. */
  start(length: number, consumer: DataBlockConsumer | undefined): void {
    this.need = length;
    this.got = 0;
    this.copy = undefined;
    this.consumer = consumer;
  }

  /**
   * Gathers what `buf` holds of the block from `pos`. Returns the bytes
   * consumed and whether the block is complete; a block that is all there
   * and not begun is left in `buf` (0 consumed) for `take` to read in place.
   */
  gather(buf: Buffer, pos: number): number {
    const avail = buf.length - pos;
    const want = this.need - this.got;
    if (this.got === 0 && avail >= want) return 0;
    const take = avail < want ? avail : want;
    this.copy ??= this.consumer === undefined ? acquireBlock(this.need) : ownedBuffer(this.need);
    buf.copy(this.copy, this.got, pos, pos + take);
    this.got += take;
    return take;
  }

  /** Whether `gather` has everything, given `avail` unread bytes in the buffer. */
  complete(avail: number): boolean {
    return this.got === 0 ? avail >= this.need : this.got === this.need;
  }

  /** The complete block (CRLF included): the copy, or `buf[pos, pos + need)` when it came whole (see `owned`). */
  take(buf: Buffer, pos: number): Buffer {
    if (this.got === 0) {
      this.owned = false;
      return buf.subarray(pos, pos + this.need);
    }
    this.owned = true;
    const block = this.copy!;
    this.copy = undefined;
    return block;
  }

  /** Skips what `buf` holds of a refused block from `pos`; returns the bytes skipped. */
  skip(buf: Buffer, pos: number): number {
    const avail = buf.length - pos;
    const want = this.need - this.got;
    const take = avail < want ? avail : want;
    this.got += take;
    return take;
  }

  /** Whether a refused block has been skipped entirely. */
  get skipped(): boolean {
    return this.got === this.need;
  }

  /** Drops a block in progress (connection closed). */
  clear(): void {
    this.copy = undefined;
    this.consumer = undefined;
  }
}

/**
 * The value of a data block: a block copied in across reads is already the
 * cache's to keep (its CRLF rides along unseen); one still in the read buffer is copied out.
 */
export function keepValue(block: Buffer, owned: boolean, length: number): Buffer {
  return owned ? block.subarray(0, length) : ownedValue([block], length);
}
