import type { CacheContext } from './cache-context.js';

/** Adjusts the memory tier's byte budget at run time. */
export interface MemoryLimitControl {
  /** Returns false when the store cannot take the new limit. */
  setMemoryLimit(bytes: number): boolean;
}

/** version, verbosity, cache_memlimit. */
export class AdminUseCase {
  private verbosityLevel = 0;

  constructor(
    private readonly ctx: CacheContext,
    private readonly memory: MemoryLimitControl,
    private readonly onVerbosity: (level: number) => void = () => {},
  ) {}

  version(): string {
    return this.ctx.settings.version;
  }

  get verbosity(): number {
    return this.verbosityLevel;
  }

  /** memcached clamps to its MAX_VERBOSITY_LEVEL (2). */
  setVerbosity(level: number): void {
    this.verbosityLevel = Math.min(level, 2);
    this.onVerbosity(this.verbosityLevel);
  }

  /** cache_memlimit in megabytes; memcached's limits and outcomes. */
  setMemoryLimitMb(mb: number): 'ok' | 'too-small' | 'not-megabytes' | 'failed' {
    if (mb < 8) return 'too-small';
    if (mb > 1_000_000_000) return 'not-megabytes';
    return this.memory.setMemoryLimit(mb * 1024 * 1024) ? 'ok' : 'failed';
  }
}
