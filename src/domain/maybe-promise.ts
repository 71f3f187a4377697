/**
 * A value that is available now or later. Ports return this so that a memory
 * hit stays synchronous and only work that really waits (disk) allocates a
 * Promise.
 */
export type MaybePromise<T> = T | Promise<T>;

/** Narrowing test that avoids `instanceof` across realms. */
export function isPromise<T>(v: MaybePromise<T>): v is Promise<T> {
  return typeof v === 'object' && v !== null && typeof (v as { then?: unknown }).then === 'function';
}

/** Applies `f` now when `v` is ready, or after it resolves. */
export function then<T, R>(v: MaybePromise<T>, f: (t: T) => MaybePromise<R>): MaybePromise<R> {
  return isPromise(v) ? v.then(f) : f(v);
}
