/** CPU time this process has used, in microseconds. */
export interface CpuUsage {
  user: number;
  system: number;
}

/**
 * Facts about the running process that `stats` reports (pid, event library,
 * CPU time), behind a port so the application layer never reads Node's
 * `process` and tests can pin them.
 */
export interface RuntimeInfo {
  readonly pid: number;
  /** What memcached's `libevent` stat shows: our event library and its version. */
  readonly eventLibrary: string;
  cpuUsage(): CpuUsage;
}
export const RuntimeInfo = Symbol('RuntimeInfo');
