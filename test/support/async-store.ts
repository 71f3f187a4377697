import type { CacheStore } from '../../src/domain/ports/cache-store.js';
import type { CacheItem } from '../../src/domain/item.js';
import { then } from '../../src/domain/maybe-promise.js';

/**
 * A store decorator whose every answer arrives as a Promise, a turn of the
 * event loop later (as a disk tier's would). Values are copied at the call,
 * as the port's "valid until the next write" rule allows the inner store to
 * reuse them before the Promise settles.
 */
export function asyncStore(inner: CacheStore): CacheStore {
  const later = <T>(v: T | Promise<T>): Promise<T> => new Promise((resolve, reject) => setImmediate(() => Promise.resolve(v).then(resolve, reject)));
  const own = (item: CacheItem | undefined): CacheItem | undefined => (item === undefined ? item : { ...item, value: Buffer.from(item.value) });
  const wrapped: CacheStore = {
    name: 'async-' + inner.name,
    get: (key) => later(then(inner.get(key), own)),
    set: (item) => later(inner.set(item)),
    delete: (key) => later(inner.delete(key)),
    touch: (key, exptime) => later(then(inner.touch(key, exptime), own)),
    clear: () => later(inner.clear()),
    keys: () => inner.keys(),
    stats: () => inner.stats(),
  };
  if (inner.fits) wrapped.fits = (key, valueLength) => inner.fits!(key, valueLength);
  return wrapped;
}
