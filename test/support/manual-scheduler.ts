import type { Scheduler, TimerHandle } from '../../src/domain/ports/scheduler.js';
import type { ManualClock } from './manual-clock.js';

interface Pending {
  at: number;
  fn: () => void;
  cancelled: boolean;
}

/**
 * The Scheduler port on a manual clock: `after(ms)` runs when the clock has
 * been advanced `ms` past the call, in due order, so use-case tests never
 * sleep. `soon()` resolves on the next microtask.
 */
export class ManualScheduler implements Scheduler {
  private pending: Pending[] = [];

  constructor(private readonly clock: ManualClock) {
    clock.onAdvance(() => this.runDue());
  }

  after(ms: number, fn: () => void): TimerHandle {
    const p: Pending = { at: this.clock.now() + Math.max(0, ms), fn, cancelled: false };
    this.pending.push(p);
    return {
      cancel: () => {
        p.cancelled = true;
      },
    };
  }

  soon(): Promise<void> {
    return Promise.resolve();
  }

  /** Timers armed and neither run nor cancelled. */
  get armed(): number {
    return this.pending.filter((p) => !p.cancelled).length;
  }

  private runDue(): void {
    for (;;) {
      const now = this.clock.now();
      const due = this.pending.filter((p) => !p.cancelled && p.at <= now).sort((a, b) => a.at - b.at)[0];
      if (due === undefined) break;
      due.cancelled = true;
      due.fn();
    }
    this.pending = this.pending.filter((p) => !p.cancelled);
  }
}
