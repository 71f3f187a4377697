/** Every scenario of `npm run bench`, in report order. A new one is a module in this folder and one line here. */
import type { Scenario } from '../lib/scenario.js';
import { admin } from './admin.js';
import { connections } from './connections.js';
import { flood } from './flood.js';
import { memory } from './memory.js';
import { redis } from './redis.js';
import { throughput } from './throughput.js';
import { tls } from './tls.js';

export const scenarios: readonly Scenario[] = [throughput, flood, memory, connections, redis, tls, admin];
