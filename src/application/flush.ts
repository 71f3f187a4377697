import type { MaybePromise } from '../domain/maybe-promise.js';
import type { Scheduler, TimerHandle } from '../domain/ports/scheduler.js';
import type { CacheContext } from './cache-context.js';

/**
 * flush_all [delay]. A delay of 2 s or more schedules the flush; a later
 * flush_all replaces a pending one (memcached keeps a single "oldest live"
 * time the same way).
 */
export class FlushUseCase {
  private pending: TimerHandle | undefined;

  constructor(
    private readonly ctx: CacheContext,
    private readonly scheduler: Scheduler,
  ) {}

  flushAll(delaySeconds: number): MaybePromise<void> {
    this.ctx.stats.cmd_flush++;
    const { logging } = this.ctx;
    if (logging.audit) logging.logger.info({ audit: 'flush_all', delaySeconds }, 'flush_all');
    this.cancel();
    const now = this.ctx.clock.now();
    // The delay is an exptime: relative seconds, or an absolute Unix time past 30 days. memcached
    // keeps oldest_live = realtime(delay) - 1 and flushes once its clock has reached it: a 1 s
    // delay acts at once, N s after N - 1.
    const deadline = delaySeconds > 0 ? this.ctx.expiry(delaySeconds, now) - 1000 : 0;
    if (deadline > now) {
      this.schedule(deadline);
      return;
    }
    // memcached takes a cas unique for an immediate flush (its oldest_cas): the next item's cas skips one.
    this.ctx.cas.next();
    return this.ctx.store.clear();
  }

  /** A flush_all whose arguments were refused still counts (memcached does). */
  countRejected(): void {
    this.ctx.stats.cmd_flush++;
  }

  private schedule(deadline: number): void {
    // The timer and the clock may disagree (the clock is wall time): re-arm until the clock says so.
    this.pending = this.scheduler.after(Math.max(deadline - this.ctx.clock.now(), 0), () => {
      if (this.ctx.clock.now() < deadline) return this.schedule(deadline);
      this.pending = undefined;
      void this.ctx.store.clear();
    });
  }

  /** Drops a scheduled flush (shutdown). */
  cancel(): void {
    this.pending?.cancel();
    this.pending = undefined;
  }
}
