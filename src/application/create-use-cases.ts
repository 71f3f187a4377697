import type { RuntimeInfo } from '../domain/ports/runtime-info.js';
import type { Scheduler } from '../domain/ports/scheduler.js';
import { AdminUseCase, type MemoryLimitControl } from './admin.js';
import { ArithmeticUseCase } from './arithmetic.js';
import type { CacheContext } from './cache-context.js';
import { DeletionUseCase } from './deletion.js';
import { ExpiryUseCase } from './expiry.js';
import { FlushUseCase } from './flush.js';
import { KeyDumpUseCase } from './key-dump.js';
import { KeyspaceUseCase } from './keyspace.js';
import { MetaUseCase } from './meta.js';
import { RetrievalUseCase } from './retrieval.js';
import { StatsUseCase, type StatsSources } from './stats.js';
import { StorageUseCase } from './storage.js';
import { TouchUseCase } from './touch.js';
import type { UseCases } from './use-cases.js';
import { ValueEditUseCase } from './value-edit.js';

/** What the use-cases are built from, besides the cache context. */
export interface UseCaseDeps {
  /** Settings, connection limit and other tiers' stats for `stats`. */
  statsSources: StatsSources;
  /** cache_memlimit's target. */
  memory: MemoryLimitControl;
  /** pid, event library and CPU time for `stats`. */
  runtime: RuntimeInfo;
  /** Timers for delayed flush_all. */
  scheduler: Scheduler;
}

/** Builds every use-case over one context: the single place that lists them (the container and the test fixtures both call it). */
export function createUseCases(context: CacheContext, deps: UseCaseDeps): UseCases {
  const deletion = new DeletionUseCase(context);
  return {
    counters: context.stats,
    retrieval: new RetrievalUseCase(context),
    storage: new StorageUseCase(context),
    deletion,
    arithmetic: new ArithmeticUseCase(context),
    touch: new TouchUseCase(context),
    flush: new FlushUseCase(context, deps.scheduler),
    stats: new StatsUseCase(context, deps.statsSources, deps.runtime),
    admin: new AdminUseCase(context, deps.memory),
    meta: new MetaUseCase(context, deletion),
    keyspace: new KeyspaceUseCase(context),
    expiry: new ExpiryUseCase(context),
    valueEdit: new ValueEditUseCase(context),
    keyDump: new KeyDumpUseCase(context),
  };
}
