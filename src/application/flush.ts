import type { MaybePromise } from '../domain/maybe-promise.js';
import { expiryFromExptime } from '../domain/rules.js';
import type { CacheContext } from './cache-context.js';

/** setTimeout's ceiling; longer delays re-arm. */
const MAX_TIMER_MS = 0x7fff_ffff;

/**
 * flush_all [delay]. A delay schedules the flush; a later flush_all replaces
 * a pending one (memcached keeps a single "oldest live" time the same way).
 */
export class FlushUseCase {
  private pending: NodeJS.Timeout | undefined;

  constructor(private readonly ctx: CacheContext) {}

  flushAll(delaySeconds: number): MaybePromise<void> {
    this.ctx.stats.cmd_flush++;
    const { logging } = this.ctx;
    if (logging.audit) logging.logger.info({ audit: 'flush_all', delaySeconds }, 'flush_all');
    this.cancel();
    const now = this.ctx.clock.now();
    // The delay is an exptime: relative seconds, or an absolute Unix time past 30 days.
    const deadline = delaySeconds > 0 ? expiryFromExptime(delaySeconds, now, this.ctx.settings.processStartMs) : 0;
    if (deadline > now) {
      this.schedule(deadline);
      return;
    }
    return this.ctx.store.clear();
  }

  private schedule(deadline: number): void {
    const wait = Math.min(deadline - this.ctx.clock.now(), MAX_TIMER_MS);
    this.pending = setTimeout(() => {
      if (this.ctx.clock.now() < deadline) return this.schedule(deadline);
      this.pending = undefined;
      void this.ctx.store.clear();
    }, Math.max(wait, 0));
    this.pending.unref();
  }

  /** Drops a scheduled flush (shutdown). */
  cancel(): void {
    if (this.pending) clearTimeout(this.pending);
    this.pending = undefined;
  }
}
