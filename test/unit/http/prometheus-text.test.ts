import { expect } from 'chai';
import { Exposition } from '../../../src/adapters/http/exposition.js';
import { writeMemcachedMetrics } from '../../../src/adapters/http/memcached-metrics.js';

const map = (o: Record<string, string | number>) => new Map(Object.entries(o).map(([k, v]) => [k, String(v)]));

describe('Prometheus text exposition', () => {
  it('writes HELP and TYPE once per family, escapes label values, and spells special values', () => {
    const out = new Exposition();
    out.family('x_total', 'counter', 'Line one\nback\\slash');
    out.sample('x_total', 1, { a: 'quote " and \\ and\nnewline' });
    out.family('x_total', 'counter', 'ignored');
    out.sample('x_total', Infinity, { a: 'b' });
    out.metric('y', 'gauge', 'y', NaN);
    expect(out.text()).to.equal(
      '# HELP x_total Line one\\nback\\\\slash\n# TYPE x_total counter\n' +
        'x_total{a="quote \\" and \\\\ and\\nnewline"} 1\nx_total{a="b"} +Inf\n# HELP y y\n# TYPE y gauge\ny NaN\n',
    );
  });

  it('maps stats like memcached_exporter: commands, set minus cas, absent fields absent, slab classes grouped', () => {
    const out = new Exposition();
    writeMemcachedMetrics(out, {
      general: map({ version: '1.6.18', cmd_set: 10, cas_hits: 2, cas_misses: 1, cas_badval: 3, get_hits: 5, get_misses: 4, cmd_flush: 1, curr_items: 7 }),
      settings: map({ maxconns: 99, lru_crawler: 'no' }),
      items: map({ 'items:1:number': 3, 'items:2:number': 4, 'items:1:mem_requested': 100 }),
      slabs: map({ '1:chunk_size': 96, '2:chunk_size': 120, '1:get_hits': 1, '1:cmd_set': 5, '1:cas_hits': 1, '1:cas_badval': 1, total_malloced: 4096 }),
    });
    const text = out.text();
    expect(text).to.include('memcached_commands_total{command="set",status="hit"} 4\n');
    expect(text).to.include('memcached_commands_total{command="get",status="miss"} 4\n');
    expect(text).to.include('memcached_commands_total{command="cas",status="badval"} 3\n');
    expect(text).to.include('memcached_commands_total{command="flush",status="hit"} 1\n');
    expect(text).to.include('memcached_version{version="1.6.18"} 1\n');
    expect(text).to.include('memcached_max_connections 99\n');
    expect(text).to.include('memcached_malloced_bytes 4096\n');
    expect(text).to.include('memcached_slab_commands_total{slab="1",command="set",status="hit"} 3\n');
    expect(text).not.to.include('memcached_commands_total{command="delete"');
    expect(text).not.to.include('memcached_lru_crawler_enabled');
    // Both classes' samples follow their family's one header.
    expect(text).to.include('# TYPE memcached_slab_current_items gauge\nmemcached_slab_current_items{slab="1"} 3\nmemcached_slab_current_items{slab="2"} 4\n');
    expect(text).to.include(
      '# TYPE memcached_slab_chunk_size_bytes gauge\nmemcached_slab_chunk_size_bytes{slab="1"} 96\nmemcached_slab_chunk_size_bytes{slab="2"} 120\n',
    );
    expect(text.match(/# TYPE memcached_slab_mem_requested_bytes/g)).to.have.length(1);
  });
});
