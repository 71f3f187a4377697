import { AdminUseCase, type MemoryLimitControl } from './admin.js';
import { ArithmeticUseCase } from './arithmetic.js';
import type { CacheContext } from './cache-context.js';
import { DeletionUseCase } from './deletion.js';
import { ExpiryUseCase } from './expiry.js';
import { FlushUseCase } from './flush.js';
import { KeyspaceUseCase } from './keyspace.js';
import { RetrievalUseCase } from './retrieval.js';
import { StatsUseCase, type RuntimeInfo } from './stats.js';
import { StorageUseCase } from './storage.js';
import { TouchUseCase } from './touch.js';
import type { UseCases } from './use-cases.js';
import { ValueEditUseCase } from './value-edit.js';

/** Builds every use-case over one context: the single place that lists them. */
export function createUseCases(context: CacheContext, runtime: RuntimeInfo, memory: MemoryLimitControl): UseCases {
  return {
    context,
    retrieval: new RetrievalUseCase(context),
    storage: new StorageUseCase(context),
    deletion: new DeletionUseCase(context),
    arithmetic: new ArithmeticUseCase(context),
    touch: new TouchUseCase(context),
    flush: new FlushUseCase(context),
    stats: new StatsUseCase(context, runtime),
    admin: new AdminUseCase(context, memory),
    keyspace: new KeyspaceUseCase(context),
    expiry: new ExpiryUseCase(context),
    valueEdit: new ValueEditUseCase(context),
  };
}
