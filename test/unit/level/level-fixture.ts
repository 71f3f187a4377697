import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Level } from 'level';
import { Lz4jsCompressor } from '../../../src/adapters/compression/lz4js-compressor.js';
import type { LevelStoreOptions } from '../../../src/adapters/level/level-cache-store.js';
import { LEVEL_STORE_DEFAULTS, LevelCacheStore } from '../../../src/adapters/level/level-cache-store.js';
import type { Logger } from '../../../src/domain/ports/logger.js';
import { ManualClock } from '../../support/manual-clock.js';

/** A logger that remembers what was logged, per level. */
export class RecordingLogger implements Logger {
  readonly lines: Array<{ level: string; obj: object; msg: string | undefined }> = [];
  error(obj: object, msg?: string): void {
    this.lines.push({ level: 'error', obj, msg });
  }
  warn(obj: object, msg?: string): void {
    this.lines.push({ level: 'warn', obj, msg });
  }
  info(obj: object, msg?: string): void {
    this.lines.push({ level: 'info', obj, msg });
  }
  debug(obj: object, msg?: string): void {
    this.lines.push({ level: 'debug', obj, msg });
  }
  isLevelEnabled(): boolean {
    return true;
  }
  at(level: string): Array<{ obj: object; msg: string | undefined }> {
    return this.lines.filter((l) => l.level === level);
  }
}

/** A temp data dir plus a way to open stores on it (reopen = same dir, new store). */
export class LevelFixture {
  readonly clock = new ManualClock();
  readonly logger = new RecordingLogger();
  private readonly open: LevelCacheStore[] = [];

  private constructor(readonly dataDir: string) {}

  static async create(): Promise<LevelFixture> {
    return new LevelFixture(await mkdtemp(join(tmpdir(), 'rat-l2-unit-')));
  }

  /** Opens a store on the data dir; unless `background` is set, waits until its open scan has indexed every key. */
  async store(options: Partial<LevelStoreOptions> = {}, background = false): Promise<LevelCacheStore> {
    const s = new LevelCacheStore(
      { ...LEVEL_STORE_DEFAULTS, sweepIntervalMs: 0, ...options, dataDir: options.dataDir ?? this.dataDir },
      this.clock,
      new Lz4jsCompressor(),
      this.logger,
    );
    await s.start();
    this.open.push(s);
    if (!background) await s.indexed();
    return s;
  }

  /** A raw LevelDB handle on the data dir (the store must be stopped). */
  async raw(): Promise<Level<Buffer, Buffer>> {
    const db = new Level<Buffer, Buffer>(this.dataDir, { keyEncoding: 'buffer', valueEncoding: 'buffer' });
    await db.open();
    return db;
  }

  async cleanup(): Promise<void> {
    for (const s of this.open) await s.stop();
    await rm(this.dataDir, { recursive: true, force: true });
  }
}

/** Total size of the files under `dir`. */
export async function dirSize(dir: string): Promise<number> {
  let total = 0;
  for (const name of await readdir(dir)) total += (await stat(join(dir, name))).size;
  return total;
}

/** Deterministic text that LZ4 compresses well. */
export function compressible(n: number): Buffer {
  const words = ['alpha', 'beta', 'gamma', 'delta', 'cache', 'memcached', 'level', 'disk', 'tier'];
  let s = '';
  for (let i = 0; s.length < n; i++) s += words[(i * 5 + (i >> 2)) % words.length] + (i % 11 === 0 ? '\r\n' : ' ');
  return Buffer.from(s.slice(0, n), 'latin1');
}
