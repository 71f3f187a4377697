import type { Clock } from '../../src/domain/ports/clock.js';

/** A clock tests move by hand, so expiry is checked without sleeping. */
export class ManualClock implements Clock {
  private readonly listeners: (() => void)[] = [];

  constructor(private ms = 1_700_000_000_000) {}

  now(): number {
    return this.ms;
  }

  advance(ms: number): void {
    this.ms += ms;
    for (const l of this.listeners) l();
  }

  /** Calls `listener` after every advance (the manual scheduler fires what is due). */
  onAdvance(listener: () => void): void {
    this.listeners.push(listener);
  }
}
