import type { TimerHandle } from '../../domain/ports/scheduler.js';

/**
 * Runs `fn` every `ms` milliseconds on an unref'd timer (a store's
 * background expiry sweep: it must never keep the process alive) until the
 * handle is cancelled.
 */
export function every(ms: number, fn: () => void): TimerHandle {
  const timer = setInterval(fn, ms);
  timer.unref();
  return { cancel: () => clearInterval(timer) };
}
