import type { CpuUsage, RuntimeInfo } from '../../domain/ports/runtime-info.js';

/** The running Node process: its pid, libuv's version and its resource usage. */
export class NodeRuntimeInfo implements RuntimeInfo {
  readonly pid = process.pid;
  readonly eventLibrary = 'libuv-' + process.versions.uv;

  cpuUsage(): CpuUsage {
    const usage = process.resourceUsage();
    return { user: usage.userCPUTime, system: usage.systemCPUTime };
  }
}
