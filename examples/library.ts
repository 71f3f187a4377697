// Runnable example of the embedded cache: `npm run build && node dist/examples/library.js`.
// In your own project: import { RatMemCacheBuilder } from 'rat-memcache';
import { RatMemCacheBuilder } from '../src/index.js';

const cache = await new RatMemCacheBuilder()
  .l1Config({ maxMemory: 64 * 1024 * 1024, evictionStrategy: 's3fifo' })
  .ttlConfig({ defaultTtl: 3600 })
  .build();

await cache.set('my_key', 'my_value');
console.log('get:', (await cache.get('my_key'))?.toString());
await cache.setWithTtl('temp_key', 'temp_value', 60);
console.log('exists:', await cache.containsKey('temp_key'));
console.log('keys:', await cache.keys());
console.log('deleted:', await cache.delete('temp_key'));
await cache.setMany([
  ['a', '1'],
  ['b', '2'],
]);
console.log('getMany:', [...(await cache.getMany(['a', 'b', 'c'])).keys()]);
console.log('hit rate:', cache.getHitRate().toFixed(2), 'items:', cache.getCacheStats().items);
await cache.shutdown();
