/**
 * The signal a store with a bounded queue of writes (accepted, acknowledged,
 * not yet applied) gives to the inbound adapters. While it is `full`, an
 * adapter stops reading from the connections that write, until `drained()`
 * resolves; connections that only read are never held back. Nothing accepted
 * is dropped: the signal only slows writers down to the disk's pace.
 */
export interface WriteBackpressure {
  /**
   * Writes accepted so far (only grows). An adapter compares it before and
   * after a command to learn whether that command wrote.
   */
  readonly writesAccepted: number;
  /** True while the queued writes exceed the budget. */
  readonly full: boolean;
  /** Resolves once the queue is back within its budget (at once when it is). */
  drained(): Promise<void>;
  /** Counts one connection held back (reported as a stat). */
  notePause(): void;
}
export const WriteBackpressure = Symbol('WriteBackpressure');
