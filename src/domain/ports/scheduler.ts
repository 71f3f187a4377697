/**
 * Deferred work, behind a port so the application layer never touches Node's timers
 * and tests can drive time with a manual scheduler instead of real sleeps.
 */
export interface Scheduler {
  /** Runs `fn` once after `ms` milliseconds; the handle cancels it. */
  after(ms: number, fn: () => void): TimerHandle;
  /** Runs `fn` after pending I/O callbacks (a yield point for long loops). */
  soon(): Promise<void>;
}

/** A pending `after()`; `cancel()` is idempotent. */
export interface TimerHandle {
  cancel(): void;
}

export const Scheduler = Symbol('Scheduler');
