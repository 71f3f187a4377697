import type { Lifecycle } from '../domain/ports/lifecycle.js';
import type { Logger } from '../domain/ports/logger.js';

/** What the tiered store reports about its warm-up. */
export interface WarmUpSource {
  warmProgress(): { loaded: number; bytes: number; running: boolean };
}

/** Warm-up figures for `stats` (and so /metrics and the admin page). */
export interface WarmUpFigures {
  /** Bytes (keys + values) copied into memory so far. */
  bytes: number;
  /** What the warm-up aims at: the smaller of the memory budget and the data on disk. */
  targetBytes: number;
  /** Bytes per second since the warm-up started (0 before). */
  bytesPerSecond: number;
  /** Seconds left at the current rate; 0 when done or unknown. */
  etaSeconds: number;
}

/** How often progress is checked, and how many checks between two progress log lines (5 s). */
const TIMING = { tickMs: 250, logEveryTicks: 20 };

/**
 * Reports the start-up warm-up of memory from disk (ADR 0007): a log line
 * when it starts, one every 5 s with items, bytes, rate and ETA while it
 * runs, one when it ends; and the same figures for `stats`. It only reads
 * the tiered store's counters, on a timer, so serving pays nothing for it.
 */
export class WarmUpProgress implements Lifecycle {
  readonly name = 'warm-up-progress';
  private startedAt = 0;
  private endedAt = 0;
  private targetBytes = 0;
  private timer: NodeJS.Timeout | undefined;
  private ticks = 0;

  constructor(
    private readonly source: WarmUpSource,
    /** Bytes the warm-up may load (the memory budget; 0 = no warm-up) and bytes on disk. */
    private readonly budget: () => { memoryBytes: number; diskBytes: number },
    private readonly logger: Logger,
    private readonly timing: { tickMs: number; logEveryTicks: number } = TIMING,
  ) {}

  async start(): Promise<void> {
    const { memoryBytes, diskBytes } = this.budget();
    if (memoryBytes <= 0 || !this.source.warmProgress().running) return;
    this.startedAt = Date.now();
    this.targetBytes = Math.min(memoryBytes, diskBytes);
    this.logger.info({ targetBytes: this.targetBytes }, 'L1 warm-up from L2 started');
    this.timer = setInterval(() => this.tick(), this.timing.tickMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  figures(): WarmUpFigures {
    const { bytes, running } = this.source.warmProgress();
    const end = running || this.endedAt === 0 ? Date.now() : this.endedAt;
    const seconds = this.startedAt === 0 ? 0 : (end - this.startedAt) / 1000;
    const bytesPerSecond = seconds > 0 ? bytes / seconds : 0;
    const left = Math.max(0, this.targetBytes - bytes);
    const etaSeconds = running && bytesPerSecond > 0 ? Math.ceil(left / bytesPerSecond) : 0;
    return { bytes, targetBytes: this.targetBytes, bytesPerSecond, etaSeconds };
  }

  private tick(): void {
    const p = this.source.warmProgress();
    if (!p.running) {
      this.endedAt = Date.now();
      void this.stop();
      const f = this.figures();
      this.logger.info({ items: p.loaded, bytes: p.bytes, seconds: (this.endedAt - this.startedAt) / 1000, bytesPerSecond: Math.round(f.bytesPerSecond) }, 'L1 warm-up from L2 done');
      return;
    }
    if (++this.ticks % this.timing.logEveryTicks !== 0) return;
    const f = this.figures();
    const seconds = (Date.now() - this.startedAt) / 1000;
    this.logger.info(
      { items: p.loaded, bytes: p.bytes, targetBytes: f.targetBytes, itemsPerSecond: Math.round(p.loaded / seconds), bytesPerSecond: Math.round(f.bytesPerSecond), etaSeconds: f.etaSeconds },
      'L1 warm-up from L2 progress',
    );
  }
}
