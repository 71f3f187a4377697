/** Failures in a row after which compression is only sampled. */
const FAILURES_BEFORE_SAMPLING = 8;
/** While sampling, one value in this many is tried. */
const SAMPLE_PERIOD = 64;

/**
 * Decides whether a value is worth handing to the compressor. LZ4 in
 * JavaScript runs on the event loop; on data that does not compress (already
 * compressed media, encrypted blobs) every attempt is pure cost. After 8
 * values in a row that did not shrink by at least 1/8, only one value in 64
 * is tried, until one compresses again.
 */
export class CompressionGate {
  private failures = 0;
  private skipLeft = 0;
  /** Values stored raw without trying. */
  skips = 0;

  /** True when the next value should be compressed. */
  shouldTry(): boolean {
    if (this.skipLeft === 0) return true;
    this.skipLeft--;
    this.skips++;
    return false;
  }

  /** Reports an attempt: `packed` bytes for `raw` bytes. */
  record(raw: number, packed: number): void {
    if (packed <= raw - (raw >>> 3)) {
      this.failures = 0;
    } else if (++this.failures >= FAILURES_BEFORE_SAMPLING) {
      this.skipLeft = SAMPLE_PERIOD - 1;
    }
  }
}
