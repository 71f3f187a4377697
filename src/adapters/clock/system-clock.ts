import type { Clock } from '../../domain/ports/clock.js';

/** Wall-clock time from Date.now(). */
export class SystemClock implements Clock {
  now(): number {
    return Date.now();
  }
}
