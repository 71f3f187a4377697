// Starts the fleet of examples/fleet/nutcracker.yml on this host: one rat-memcached per server
// line (disk tier on, data under --dir), then nutcracker in front. Ctrl+C stops it all.
//   npm run build && node dist/examples/fleet/start-fleet.js [--config FILE] [--dir DIR] [--instances N]
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Fleet, FLEET_CONFIG } from './fleet.js';

const { values } = parseArgs({
  options: {
    config: { type: 'string', default: FLEET_CONFIG },
    dir: { type: 'string', default: 'fleet-data' },
    instances: { type: 'string' },
  },
});

const fleet = await Fleet.start({
  config: readFileSync(values.config, 'utf8'),
  workDir: path.resolve(values.dir),
  instances: values.instances === undefined ? undefined : Number(values.instances),
});
for (const i of fleet.instances) console.log(`${i.name}: rat-memcached on ${i.host}:${i.port}, pid ${i.pid}, data in ${i.dataDir}`);
console.log(`nutcracker: ${fleet.proxy.host}:${fleet.proxy.port} (log ${fleet.logFile}); Ctrl+C stops everything`);

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM', 'SIGBREAK'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    void fleet.stop().then(() => process.exit(0));
  });
}
