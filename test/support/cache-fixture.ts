import { createUseCases } from '../../src/application/create-use-cases.js';
import { CacheContext, type CacheSettings } from '../../src/application/cache-context.js';
import { CasSequence } from '../../src/application/cas-sequence.js';
import { PrefixStats } from '../../src/application/prefix-stats.js';
import { ServerStats } from '../../src/application/server-stats.js';
import type { UseCases } from '../../src/application/use-cases.js';
import type { CacheStore } from '../../src/domain/ports/cache-store.js';
import { AsciiSession, type AsciiOptions } from '../../src/adapters/ascii/ascii-session.js';
import { evictionPolicies } from '../../src/adapters/eviction/policy-registry.js';
import { MemoryCacheStore } from '../../src/adapters/memory/memory-cache-store.js';
import { FakeSocket } from './fake-socket.js';
import { FixedRuntimeInfo } from './fixed-runtime-info.js';
import { ManualClock } from './manual-clock.js';
import { ManualScheduler } from './manual-scheduler.js';

/**
 * A memory store, a manual clock and scheduler, and every use-case built by
 * createUseCases, the factory the container uses.
 */
export interface CacheFixture {
  clock: ManualClock;
  scheduler: ManualScheduler;
  /** The memory store (under `useCases` it may be wrapped, see FixtureOptions.wrap). */
  store: MemoryCacheStore;
  context: CacheContext;
  useCases: UseCases;
  /** Memory limits requested through cache_memlimit. */
  memoryLimits: number[];
}

/** Settings of the context, plus the memory budget and an optional store decorator. */
export interface FixtureOptions extends Partial<CacheSettings> {
  /** The memory store's byte budget (default 64 MiB). */
  maxMemory?: number;
  /** Puts a decorator around the store the use-cases see (e.g. asyncStore, answering with Promises as the disk tier does). */
  wrap?: (store: CacheStore) => CacheStore;
}

export function makeCacheFixture(options: FixtureOptions = {}): CacheFixture {
  const { maxMemory = 64 * 1024 * 1024, wrap, ...settings } = options;
  const clock = new ManualClock();
  const scheduler = new ManualScheduler(clock);
  const store = new MemoryCacheStore({ maxMemory, maxEntries: 0, cleanupIntervalMs: 0 }, clock, evictionPolicies.lru!);
  const context = new CacheContext(wrap ? wrap(store) : store, clock, new CasSequence(), new ServerStats(), new PrefixStats(':'), {
    itemSizeMax: 1024 * 1024,
    processStartMs: clock.now() - 1000,
    version: '1.6.18',
    ...settings,
  });
  const memoryLimits: number[] = [];
  const useCases: UseCases = createUseCases(context, {
    statsSources: {
      settings: () => [
        ['maxbytes', maxMemory],
        ['auth_enabled_sasl', 'no'],
      ],
      maxConnections: () => 1024,
      extraStats: () => [],
    },
    memory: {
      setMemoryLimit: (bytes) => {
        memoryLimits.push(bytes);
        store.resize(bytes);
        return true;
      },
    },
    runtime: new FixedRuntimeInfo(),
    scheduler,
  });
  return { clock, scheduler, store, context, useCases, memoryLimits };
}

/** An AsciiSession over a FakeSocket on a fresh cache. */
export interface SessionHarness extends CacheFixture {
  socket: FakeSocket;
  session: AsciiSession;
  shutdownRequests: number;
}

export function makeSession(options: Partial<AsciiOptions> = {}, fixture: CacheFixture = makeCacheFixture()): SessionHarness {
  const socket = new FakeSocket();
  const h: SessionHarness = { ...fixture, socket, session: undefined as unknown as AsciiSession, shutdownRequests: 0 };
  h.session = new AsciiSession(socket.asSocket(), fixture.useCases, {
    maxLineLength: 1024 * 1024,
    shutdownEnabled: false,
    requestShutdown: () => {
      h.shutdownRequests++;
    },
    ...options,
  });
  return h;
}

/** How a request stream is cut into reads. */
export type FeedMode = 'whole' | 'bytewise' | { splitAt: number[] };

/** Feeds `input` to a fresh session in the given way; returns what it wrote and whether it closed. */
export function drive(
  input: Buffer | string,
  mode: FeedMode,
  options: Partial<AsciiOptions> = {},
  settings: Partial<CacheSettings> = {},
): { output: string; closed: boolean; harness: SessionHarness } {
  const h = makeSession(options, makeCacheFixture(settings));
  const bytes = typeof input === 'string' ? Buffer.from(input, 'latin1') : input;
  for (const chunk of cut(bytes, mode)) h.session.onData(chunk);
  return { output: h.socket.output, closed: h.socket.ended, harness: h };
}

/** Splits bytes into fresh Buffers (as the network delivers them) per the feed mode. */
export function cut(bytes: Buffer, mode: FeedMode): Buffer[] {
  if (mode === 'whole') return [Buffer.from(bytes)];
  if (mode === 'bytewise') {
    const out: Buffer[] = [];
    for (let i = 0; i < bytes.length; i++) out.push(Buffer.from([bytes[i]!]));
    return out;
  }
  const out: Buffer[] = [];
  let prev = 0;
  for (const at of [...mode.splitAt, bytes.length]) {
    if (at > prev) out.push(Buffer.from(bytes.subarray(prev, at)));
    prev = Math.max(prev, at);
  }
  return out;
}
