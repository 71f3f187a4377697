import type { CpuUsage, RuntimeInfo } from '../../src/domain/ports/runtime-info.js';

/** Process facts pinned for tests: `stats` then prints the same pid and CPU time every run. */
export class FixedRuntimeInfo implements RuntimeInfo {
  readonly pid = 4242;
  readonly eventLibrary = 'libuv-test';
  constructor(private readonly cpu: CpuUsage = { user: 1_500_000, system: 250_000 }) {}
  cpuUsage(): CpuUsage {
    return this.cpu;
  }
}
