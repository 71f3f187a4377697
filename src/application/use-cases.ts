import type { AdminUseCase } from './admin.js';
import type { ArithmeticUseCase } from './arithmetic.js';
import type { DeletionUseCase } from './deletion.js';
import type { ExpiryUseCase } from './expiry.js';
import type { FlushUseCase } from './flush.js';
import type { KeyDumpUseCase } from './key-dump.js';
import type { KeyspaceUseCase } from './keyspace.js';
import type { MetaUseCase } from './meta.js';
import type { RetrievalUseCase } from './retrieval.js';
import type { ServerStats } from './server-stats.js';
import type { StatsUseCase } from './stats.js';
import type { StorageUseCase } from './storage.js';
import type { TouchUseCase } from './touch.js';
import type { ValueEditUseCase } from './value-edit.js';

/**
 * Every command family's use-case, resolved once at start-up and handed to
 * each inbound adapter (text, meta, binary, and any later listener), so no
 * front end looks anything up per request, none has its own copy of the
 * cache logic, and none reaches the store or the cas sequence directly.
 */
export interface UseCases {
  /** The shared counters: front ends count connections, bytes read/written and protocol errors here. */
  readonly counters: ServerStats;
  readonly retrieval: RetrievalUseCase;
  readonly storage: StorageUseCase;
  readonly deletion: DeletionUseCase;
  readonly arithmetic: ArithmeticUseCase;
  readonly touch: TouchUseCase;
  readonly flush: FlushUseCase;
  readonly stats: StatsUseCase;
  readonly admin: AdminUseCase;
  readonly keyspace: KeyspaceUseCase;
  readonly expiry: ExpiryUseCase;
  readonly valueEdit: ValueEditUseCase;
  readonly meta: MetaUseCase;
  /** Key listings for operators (lru_crawler metadump, stats cachedump). */
  readonly keyDump: KeyDumpUseCase;
}
export const UseCases = Symbol('UseCases');
