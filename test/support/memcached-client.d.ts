// The slice of the npm `memcached` client (callback API) the e2e tests use; it ships no types.
declare module 'memcached' {
  type Callback<T> = (err: Error | undefined, result: T) => void;
  interface MemcachedOptions {
    retries?: number;
    timeout?: number;
    idle?: number;
    poolSize?: number;
    /** Failed attempts before the client marks a server dead, and the wait before retrying it (ms). */
    failures?: number;
    retry?: number;
    /** Key placement over several servers: md5 on a ketama-compatible ring by default. */
    algorithm?: string;
    compatibility?: string;
    remove?: boolean;
  }
  class Memcached {
    constructor(location: string | string[] | Record<string, number>, options?: MemcachedOptions);
    /** The ring that places keys on servers (from the hashring package). */
    HashRing: { get(key: string): string };
    stats(cb: Callback<Array<Record<string, string | number> & { server: string }>>): void;
    set(key: string, value: string | Buffer | number, lifetime: number, cb: Callback<boolean>): void;
    get(key: string, cb: Callback<unknown>): void;
    getMulti(keys: string[], cb: Callback<Record<string, unknown>>): void;
    gets(key: string, cb: Callback<Record<string, unknown> & { cas: string }>): void;
    cas(key: string, value: string | Buffer | number, cas: string, lifetime: number, cb: Callback<boolean>): void;
    add(key: string, value: string | Buffer | number, lifetime: number, cb: Callback<boolean>): void;
    replace(key: string, value: string | Buffer | number, lifetime: number, cb: Callback<boolean>): void;
    append(key: string, value: string | Buffer, cb: Callback<boolean>): void;
    prepend(key: string, value: string | Buffer, cb: Callback<boolean>): void;
    incr(key: string, amount: number, cb: Callback<number | false>): void;
    decr(key: string, amount: number, cb: Callback<number | false>): void;
    touch(key: string, lifetime: number, cb: Callback<boolean>): void;
    del(key: string, cb: Callback<boolean>): void;
    end(): void;
  }
  export = Memcached;
}
