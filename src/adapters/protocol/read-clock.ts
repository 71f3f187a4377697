/**
 * The clocks the sessions read per socket read, made cheap. On Node 20
 * `performance.now()` costs ~75 ns and boxes a number; the three reads per
 * socket read that latency recording and `stats conns` took cost +25 % JS
 * CPU on an unpipelined get (in-process A/B against the session-2 build,
 * which read no clock).
 *
 * - `seconds` is memcached's `current_time`: whole seconds ticked by a timer,
 *   enough for `stats conns` idle times and free to read.
 * - `start()`/`end()` time a batch for the latency histograms at one clock
 *   read per socket read instead of two. The reads of one event-loop
 *   iteration run back to back in libuv's poll phase, so the moment one
 *   batch's replies are written is when the next readable socket's data
 *   starts waiting for us: a batch starts at the previous batch's end. The
 *   first read of an iteration reads the clock itself (the loop may have
 *   slept before it); an immediate, armed once per iteration, forgets the
 *   stamp before the loop can sleep again.
 */
export class ReadClock {
  /** Whole seconds since the clock started ticking (see tickSeconds). */
  seconds = 0;
  private ticker: ReturnType<typeof setInterval> | undefined;
  /** performance.now() of the latest stamp in this iteration, or -1. A field, so storing the double does not box it. */
  private stamp = -1;
  private armed = false;
  private readonly forget = (): void => {
    this.stamp = -1;
    this.armed = false;
  };

  /** Starts `seconds` ticking (once per process; the timer does not keep the process alive). */
  tickSeconds(): void {
    this.ticker ??= setInterval(() => {
      this.seconds++;
    }, 1000).unref();
  }

  /** When the current read's data started waiting for this process (performance.now() scale). */
  start(): number {
    if (this.stamp >= 0) return this.stamp;
    return this.mark();
  }

  /** Now; also the start of the next read in this iteration. */
  end(): number {
    return this.mark();
  }

  private mark(): number {
    const t = performance.now();
    this.stamp = t;
    if (!this.armed) {
      this.armed = true;
      setImmediate(this.forget);
    }
    return t;
  }
}

/** The one clock every session of the process shares (reads of all connections interleave on one loop). */
export const readClock = new ReadClock();
