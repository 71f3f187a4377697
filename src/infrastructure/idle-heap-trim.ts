/** How often the process looks at its heap (an unref'd timer: it never keeps the process alive). */
const CHECK_MS = 2_500;
/** Below this share of one CPU used by the process, an interval counts as idle. */
const IDLE_CPU_SHARE = 0.01;
/** Idle intervals in a row before a collection: V8 judges the allocation rate over its last 5 s (2 x CHECK_MS). */
const IDLE_CHECKS = 2;
/** Heap committed beyond what it uses from which it counts as grown (~1.3 MiB in an idle server). */
const GROWN_SLACK_BYTES = 4 * 2 ** 20;

/** What the trim reads at each check (injectable for tests). */
export interface HeapTrimProbe {
  /** CPU time the process has used so far, in microseconds (user + system). */
  cpuMicros(): number;
  /** Bytes the V8 heap has committed beyond what its objects use. */
  heapSlackBytes(): number;
  /** Runs one full collection; rejects when the runtime cannot. */
  collect(): Promise<void>;
}

/** Options of IdleHeapTrim (the defaults are the server's). */
export interface IdleHeapTrimOptions {
  checkMs?: number;
  probe?: HeapTrimProbe;
}

/**
 * Gives memory back once the server goes idle after a burst. A burst of
 * work (10,000 connections accepted, a flood of sets) grows V8's young
 * generation from 1 MiB to up to 32 MiB; V8's memory reducer shrinks it
 * again only after a full collection, and judges the allocation rate from
 * collections alone, so a server that goes quiet right after a burst keeps
 * the grown heap for good (~2.5 KB per connection of the 10,000-connection
 * figure, docs/memory.md). After two idle checks in a row with the heap
 * grown (committed well beyond what it uses), one full collection runs (tens
 * of ms, while nothing else does); V8 shrinks the young generation then and
 * its reducer the rest ~8 s later. At most once per growth: it runs again
 * only after the slack has been back under GROWN_SLACK_BYTES.
 *
 * It reads only `process.cpuUsage()` and `process.memoryUsage()`: `node:v8`,
 * `node:vm` and `node:perf_hooks` would cost an idle server ~1 MiB of RSS
 * (docs/memory.md), so the first two are loaded for the first collection.
 */
export class IdleHeapTrim {
  private timer: NodeJS.Timeout | undefined;
  private lastCpu = 0;
  private lastAt = 0;
  private idleChecks = 0;
  private armed = true;
  private collecting = false;
  private readonly checkMs: number;
  private readonly probe: HeapTrimProbe;
  /** Collections run so far (for tests and logs). */
  collections = 0;

  constructor(options: IdleHeapTrimOptions = {}) {
    this.checkMs = options.checkMs ?? CHECK_MS;
    this.probe = options.probe ?? processProbe();
  }

  start(): void {
    this.lastCpu = this.probe.cpuMicros();
    this.lastAt = nowMicros();
    this.timer = setInterval(() => this.check(), this.checkMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** @internal one check (the timer's callback; tests call it directly). */
  check(): void {
    const cpu = this.probe.cpuMicros();
    const at = nowMicros();
    const share = (cpu - this.lastCpu) / Math.max(1, at - this.lastAt);
    [this.lastCpu, this.lastAt] = [cpu, at];
    this.idleChecks = share < IDLE_CPU_SHARE ? this.idleChecks + 1 : 0;
    if (this.probe.heapSlackBytes() < GROWN_SLACK_BYTES) {
      this.armed = true;
      return;
    }
    if (!this.armed || this.collecting || this.idleChecks < IDLE_CHECKS) return;
    this.armed = false;
    this.collecting = true;
    this.probe.collect().then(
      () => {
        this.collecting = false;
        this.collections++;
      },
      // A Node whose V8 no longer honours --expose-gc at run time must not take the server down
      // from a timer: trimming is then off for good, and the server only keeps its grown heap.
      () => this.stop(),
    );
  }
}

function nowMicros(): number {
  return Number(process.hrtime.bigint() / 1000n);
}

/** The running process, collecting through V8's gc() made available at run time. */
function processProbe(): HeapTrimProbe {
  let gc: (() => void) | undefined;
  return {
    cpuMicros() {
      const { user, system } = process.cpuUsage();
      return user + system;
    },
    heapSlackBytes() {
      const { heapTotal, heapUsed } = process.memoryUsage();
      return heapTotal - heapUsed;
    },
    async collect() {
      if (gc === undefined) {
        // Node offers no call for a collection without --expose-gc, and a bin entry cannot pass
        // flags portably: the flag only decides whether a new context gets gc(), so one is made for it.
        const [v8, vm] = await Promise.all([import('node:v8'), import('node:vm')]);
        v8.setFlagsFromString('--expose-gc');
        gc = vm.runInNewContext('gc') as () => void;
      }
      gc();
    },
  };
}
