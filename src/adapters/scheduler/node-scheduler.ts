import type { Scheduler, TimerHandle } from '../../domain/ports/scheduler.js';

/** setTimeout's ceiling (2^31 - 1 ms); longer delays re-arm. */
const MAX_DELAY_MS = 0x7fffffff;

/** Node's timers: unref'd so a pending timer never keeps the process alive. */
export class NodeScheduler implements Scheduler {
  after(ms: number, fn: () => void): TimerHandle {
    let timer: NodeJS.Timeout | undefined;
    let cancelled = false;
    const arm = (left: number): void => {
      const step = Math.min(left, MAX_DELAY_MS);
      timer = setTimeout(() => {
        if (cancelled) return;
        if (left > step) arm(left - step);
        else fn();
      }, step);
      timer.unref();
    };
    arm(Math.max(0, ms));
    return {
      cancel: () => {
        cancelled = true;
        if (timer) clearTimeout(timer);
      },
    };
  }

  soon(): Promise<void> {
    return new Promise((resolve) => setImmediate(resolve));
  }
}
