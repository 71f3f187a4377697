/**
 * Milliseconds on a monotonic clock, as `performance.now()` but without it:
 * the first use of the `performance` global loads `perf_hooks` and eight more
 * of Node's modules (~0.3 MiB of RSS), and the write queue runs once at start,
 * before any request (docs/memory.md, "Idle RSS").
 */
export function monotonicMs(): number {
  return process.uptime() * 1000;
}
