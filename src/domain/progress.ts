import type { Clock } from './ports/clock.js';

/**
 * How far a long pass over many items has come (the L2 open scan, the L1
 * warm-up): items and bytes done, the rate so far, the time left to a
 * target, and when the next progress line is due.
 */
export class Progress {
  items = 0;
  bytes = 0;
  private startMs = 0;
  private logMs = 0;

  constructor(
    private readonly clock: Clock,
    private readonly logEveryMs: number,
  ) {}

  /** The pass begins now; the first progress line is due `logEveryMs` later. */
  start(): void {
    this.startMs = this.logMs = this.clock.now();
  }

  /** One more item of `bytes` bytes done. */
  add(bytes: number): void {
    this.items++;
    this.bytes += bytes;
  }

  /** Seconds since start. */
  seconds(): number {
    return (this.clock.now() - this.startMs) / 1000;
  }

  /** Items per second so far (0 before any time has passed). */
  itemsPerSecond(): number {
    const seconds = this.seconds();
    return seconds > 0 ? this.items / seconds : 0;
  }

  /** Seconds left to reach `targetBytes` at the byte rate so far; 0 when reached or when there is no rate yet. */
  etaSeconds(targetBytes: number): number {
    const seconds = this.seconds();
    if (this.bytes <= 0 || seconds <= 0 || targetBytes <= this.bytes) return 0;
    return (targetBytes - this.bytes) / (this.bytes / seconds);
  }

  /** True at most once every `logEveryMs`: time for a progress line. */
  logDue(): boolean {
    const now = this.clock.now();
    if (now - this.logMs < this.logEveryMs) return false;
    this.logMs = now;
    return true;
  }
}
