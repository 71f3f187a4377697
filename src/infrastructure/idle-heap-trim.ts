import v8 from 'node:v8';
import vm from 'node:vm';
import { performance, type EventLoopUtilization } from 'node:perf_hooks';

/** How often the process looks at its heap (an unref'd timer: it never keeps the process alive). */
const CHECK_MS = 5_000;
/** Below this share of the event loop busy, an interval counts as idle. */
const IDLE_UTILIZATION = 0.01;
/** Idle intervals in a row before a collection: V8 judges the allocation rate over its last 5 s. */
const IDLE_CHECKS = 2;
/** The young generation's resident size from which it counts as grown (V8 starts it at 1 MiB). */
const GROWN_BYTES = 4 * 2 ** 20;

/**
 * Gives memory back once the server goes idle after a burst. A burst of
 * work (10,000 connections accepted, a flood of sets) grows V8's young
 * generation from 1 MiB to up to 32 MiB; V8's memory reducer shrinks it
 * again only after a full collection, and judges the allocation rate from
 * collections alone, so a server that goes quiet right after a burst keeps
 * the grown heap for good (~2.5 KB per connection of the 10,000-connection
 * figure, docs/memory.md). After two idle checks in a row with the young
 * generation grown, one full collection runs (tens of ms, while nothing else
 * does); V8's reducer then shrinks the heap ~8 s later on its own. At most
 * once per growth: it runs again only after the young generation has been
 * back under GROWN_BYTES.
 */
export class IdleHeapTrim {
  private timer: NodeJS.Timeout | undefined;
  private gc: (() => void) | undefined;
  private last: EventLoopUtilization | undefined;
  private idleChecks = 0;
  private armed = true;
  /** Collections run so far (for tests and logs). */
  collections = 0;

  start(): void {
    this.last = performance.eventLoopUtilization();
    this.timer = setInterval(() => this.check(), CHECK_MS);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private check(): void {
    const now = performance.eventLoopUtilization();
    const busy = performance.eventLoopUtilization(now, this.last).utilization;
    this.last = now;
    this.idleChecks = busy < IDLE_UTILIZATION ? this.idleChecks + 1 : 0;
    const young = youngGenerationBytes();
    if (young < GROWN_BYTES) {
      this.armed = true;
      return;
    }
    if (!this.armed || this.idleChecks < IDLE_CHECKS) return;
    this.armed = false;
    this.collect();
  }

  private collect(): void {
    // Node offers no call for a collection without --expose-gc, and a bin entry cannot pass flags
    // portably: the flag only decides whether a new context gets gc(), so one is made for it.
    // A Node whose V8 no longer honours the flag at run time must not take the server down from a
    // timer: trimming is then off for good, and the server only keeps its grown heap.
    try {
      if (this.gc === undefined) {
        v8.setFlagsFromString('--expose-gc');
        this.gc = vm.runInNewContext('gc') as () => void;
      }
      this.gc();
      this.collections++;
    } catch {
      this.stop();
    }
  }
}

function youngGenerationBytes(): number {
  for (const s of v8.getHeapSpaceStatistics()) if (s.space_name === 'new_space') return s.physical_space_size;
  return 0;
}
