import type { Clock } from '../../src/domain/ports/clock.js';

/** A clock tests move by hand, so expiry is checked without sleeping. */
export class ManualClock implements Clock {
  constructor(private ms = 1_700_000_000_000) {}
  now(): number {
    return this.ms;
  }
  advance(ms: number): void {
    this.ms += ms;
  }
}
