/**
 * The management page's script (runs in the browser, inlined by
 * admin-page.ts). Plain ES2017 without template literals, so it can live in
 * this string. It polls /api/stats every second, derives rates from the
 * difference between two polls and draws them with uPlot when it is there.
 */
export const PAGE_SCRIPT = String.raw`
(function () {
  'use strict';
  var POLL_MS = 1000, WINDOW = 120;
  var FAMILIES = [
    ['get', function (g) { return n(g.cmd_get); }],
    ['set', function (g) { return n(g.cmd_set); }],
    ['delete', function (g) { return n(g.delete_hits) + n(g.delete_misses); }],
    ['incr/decr', function (g) { return n(g.incr_hits) + n(g.incr_misses) + n(g.decr_hits) + n(g.decr_misses); }],
    ['touch', function (g) { return n(g.cmd_touch); }],
    ['flush', function (g) { return n(g.cmd_flush); }]
  ];
  var COLORS = ['#3b6fd8', '#1f8a4c', '#b3261e', '#8e44ad', '#d98a00', '#555'];
  var $ = function (id) { return document.getElementById(id); };
  var prev = null, polls = 0;
  var series = { t: [], ops: FAMILIES.map(function () { return []; }), l1: [], l2: [], all: [] };
  var charts = {};
  var token = sessionStorage.getItem('rat-admin-token') || '';
  var tokenRequired = false;

  function n(v) { var x = Number(v); return isFinite(x) ? x : 0; }
  function has(v) { return v !== undefined && v !== null && v !== ''; }
  function set(id, text) { var e = $(id); if (e) e.textContent = text; }
  function fmtInt(x) { return Math.round(x).toLocaleString('en-US'); }
  function fmtBytes(b) {
    var u = ['B', 'KiB', 'MiB', 'GiB', 'TiB'], i = 0;
    while (b >= 1024 && i < u.length - 1) { b /= 1024; i++; }
    return (i === 0 ? String(Math.round(b)) : b.toFixed(1)) + ' ' + u[i];
  }
  function pct(h, m) { return h + m > 0 ? h / (h + m) : NaN; }
  function fmtPct(r) { return isNaN(r) ? '–' : (r * 100).toFixed(1) + ' %'; }
  function fmtDuration(s) {
    s = Math.floor(s);
    var d = Math.floor(s / 86400), h = Math.floor(s % 86400 / 3600), m = Math.floor(s % 3600 / 60);
    return (d ? d + 'd ' : '') + (d || h ? h + 'h ' : '') + m + 'm ' + (s % 60) + 's';
  }
  function headers(extra) {
    var h = extra || {};
    if (token) h['Authorization'] = 'Bearer ' + token;
    return h;
  }

  function makeChart(id, labels, colors, yRange) {
    if (typeof uPlot === 'undefined') { $(id).textContent = 'charts unavailable (uPlot missing)'; return null; }
    var el = $(id);
    var opts = {
      width: Math.max(300, el.clientWidth - 10), height: 220,
      scales: { x: { time: true }, y: yRange ? { range: yRange } : {} },
      series: [{}].concat(labels.map(function (l, i) { return { label: l, stroke: colors[i], width: 2, spanGaps: false }; })),
      axes: [{}, {}]
    };
    return new uPlot(opts, [[]].concat(labels.map(function () { return []; })), el);
  }

  function push(arr, v) { arr.push(v); if (arr.length > WINDOW) arr.shift(); }

  function update(s) {
    var g = s.general, st = s.settings;
    tokenRequired = s.admin.tokenRequired;
    $('login').hidden = !tokenRequired;
    $('warn-open').hidden = s.admin.tokenRequired || s.admin.loopback;
    set('version', 'v' + g.version + ' · pid ' + g.pid);
    set('uptime', fmtDuration(n(g.uptime)));
    set('policy', s.evictionPolicy);
    var ready = $('ready');
    ready.textContent = s.readiness.ready ? 'ready' : 'not ready: ' + (s.readiness.reason || '');
    ready.className = 'pill ' + (s.readiness.ready ? 'ok' : 'bad');

    var hitsAll = pct(n(g.get_hits), n(g.get_misses));
    var l1 = has(g.l1_hits) ? pct(n(g.l1_hits), n(g.l1_misses)) : hitsAll;
    var l2 = has(g.l2_hits) ? pct(n(g.l2_hits), n(g.l2_misses)) : NaN;
    set('hit-overall', fmtPct(hitsAll)); set('hit-l1', fmtPct(l1)); set('hit-l2', has(g.l2_hits) ? fmtPct(l2) : 'off');

    var used = n(g.bytes), limit = n(g.limit_maxbytes);
    set('mem-used', fmtBytes(used)); set('mem-limit', limit ? fmtBytes(limit) : 'unbounded');
    $('mem-bar').style.width = (limit ? Math.min(100, used / limit * 100) : 0) + '%';
    set('items', fmtInt(n(g.curr_items))); set('evictions', fmtInt(n(g.evictions)));
    set('conns', fmtInt(n(g.curr_connections)));
    set('conns-proto', Object.keys(s.connections).map(function (p) { return p + ' ' + s.connections[p]; }).join(' · ') || 'none open');
    if (has(g.l2_bytes)) {
      set('l2-bytes', fmtBytes(n(g.l2_bytes)) + (n(g.l2_limit_bytes) ? ' / ' + fmtBytes(n(g.l2_limit_bytes)) : ''));
      set('l2-items', fmtInt(n(g.l2_items))); set('l2-ratio', n(g.l2_compression_ratio).toFixed(2));
    } else { set('l2-bytes', 'off'); set('l2-items', '–'); set('l2-ratio', '–'); }
    set('wq-depth', has(g.l2_pending_writes) ? fmtInt(n(g.l2_pending_writes)) : '–');
    set('wq-bytes', has(g.l2_write_queue_bytes) ? fmtBytes(n(g.l2_write_queue_bytes)) + (n(g.l2_write_queue_limit) ? ' of ' + fmtBytes(n(g.l2_write_queue_limit)) : '') : '');
    if (has(g.l2_warm_loaded)) {
      set('warm', (n(g.l2_warm_running) ? 'running' : 'done'));
      var wd = fmtInt(n(g.l2_warm_loaded)) + ' items';
      if (has(g.l2_warm_bytes)) wd += ' · ' + fmtBytes(n(g.l2_warm_bytes));
      if (n(g.l2_warm_running) && n(g.l2_warm_eta_seconds)) wd += ' · ETA ' + fmtDuration(n(g.l2_warm_eta_seconds));
      set('warm-detail', wd);
    } else { set('warm', '–'); set('warm-detail', 'no disk tier'); }

    if (prev) {
      var dt = (s.now - prev.now) / 1000;
      if (dt > 0) {
        var total = 0;
        push(series.t, s.now / 1000);
        FAMILIES.forEach(function (f, i) {
          var r = Math.max(0, f[1](g) - f[1](prev.general)) / dt;
          total += r; push(series.ops[i], r);
        });
        set('ops-total', fmtInt(total));
        var dh = n(g.get_hits) - n(prev.general.get_hits), dm = n(g.get_misses) - n(prev.general.get_misses);
        push(series.all, pct(dh, dm) * 100);
        push(series.l1, has(g.l1_hits) ? pct(n(g.l1_hits) - n(prev.general.l1_hits), n(g.l1_misses) - n(prev.general.l1_misses)) * 100 : pct(dh, dm) * 100);
        push(series.l2, has(g.l2_hits) ? pct(n(g.l2_hits) - n(prev.general.l2_hits), n(g.l2_misses) - n(prev.general.l2_misses)) * 100 : null);
        drawCharts();
      }
    }
    prev = s;
    polls++;

    var tb = $('latency').tBodies[0];
    tb.innerHTML = '';
    s.latency.families.forEach(function (h) {
      var tr = tb.insertRow();
      [h.family, fmtInt(h.count), h.count ? (h.sumMs / h.count).toFixed(3) + ' ms' : '–',
        quantile(h, s.latency.bucketsMs, 0.5), quantile(h, s.latency.bucketsMs, 0.99)].forEach(function (c) { tr.insertCell().textContent = c; });
    });

    set('detail-toggle', s.detail.enabled ? 'turn off' : 'turn on');
    $('detail-toggle').dataset.enabled = String(s.detail.enabled);
    set('detail-state', s.detail.enabled ? 'stats detail is on (a prefix scan per command).' : 'stats detail is off: per-prefix counters are not recorded.');
    var pb = $('prefixes').tBodies[0];
    pb.innerHTML = '';
    s.detail.prefixes.forEach(function (p) {
      var tr = pb.insertRow();
      [p.prefix, p.get, p.hit, p.set, p.del].forEach(function (c) { tr.insertCell().textContent = String(c); });
    });

    var sb = $('settings').tBodies[0];
    if (sb.rows.length === 0 || polls % 10 === 1) {
      sb.innerHTML = '';
      Object.keys(st).forEach(function (k) { var tr = sb.insertRow(); tr.insertCell().textContent = k; tr.insertCell().textContent = st[k]; });
    }
    set('updated', new Date(s.now).toLocaleTimeString());
  }

  function quantile(h, bounds, q) {
    if (!h.count) return '–';
    var want = h.count * q, acc = 0;
    for (var i = 0; i < h.buckets.length; i++) {
      acc += h.buckets[i];
      if (acc >= want) return i < bounds.length ? bounds[i] + ' ms' : '> ' + bounds[bounds.length - 1] + ' ms';
    }
    return '–';
  }

  function drawCharts() {
    if (!charts.ops) charts.ops = makeChart('chart-ops', FAMILIES.map(function (f) { return f[0]; }), COLORS, null);
    if (!charts.hits) charts.hits = makeChart('chart-hits', ['overall', 'L1', 'L2'], COLORS, [0, 100]);
    if (charts.ops) charts.ops.setData([series.t.slice()].concat(series.ops.map(function (a) { return a.slice(); })));
    if (charts.hits) charts.hits.setData([series.t.slice(), series.all.slice(), series.l1.slice(), series.l2.slice()]);
    $('chart-ops').dataset.points = String(series.t.length);
    $('chart-hits').dataset.points = String(series.t.length);
  }

  function poll() {
    fetch('api/stats', { cache: 'no-store' }).then(function (r) {
      if (!r.ok) throw new Error('HTTP ' + r.status);
      return r.json();
    }).then(function (s) {
      $('poll-error').hidden = true;
      update(s);
    }).catch(function (e) {
      var el = $('poll-error'); el.hidden = false; el.textContent = 'cannot read stats: ' + e.message;
    }).then(function () { setTimeout(poll, POLL_MS); });
  }

  function refusal(r, body) {
    if (r.status === 401) return 'refused: admin token required (enter it above)';
    return 'refused: ' + (body && body.error ? body.error : 'HTTP ' + r.status);
  }

  function call(method, url, body) {
    var init = { method: method, headers: headers(body ? { 'Content-Type': 'application/json' } : {}) };
    if (body) init.body = JSON.stringify(body);
    return fetch(url, init).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (b) { return { r: r, body: b }; });
    });
  }

  $('login-form').addEventListener('submit', function (e) {
    e.preventDefault();
    token = $('token').value;
    sessionStorage.setItem('rat-admin-token', token);
    set('login-state', token ? 'token set for this tab' : 'token cleared');
  });

  $('inspect-form').addEventListener('submit', function (e) {
    e.preventDefault();
    var key = $('inspect-key').value, out = $('inspect-result');
    out.textContent = 'looking up…';
    call('GET', 'api/key?key=' + encodeURIComponent(key)).then(function (x) {
      out.textContent = '';
      if (x.r.status === 404) { out.textContent = 'not found: ' + key; out.dataset.state = 'missing'; return; }
      if (!x.r.ok) { out.textContent = refusal(x.r, x.body); out.dataset.state = 'refused'; return; }
      var b = x.body;
      out.dataset.state = 'found';
      var dl = document.createElement('table');
      [['key', b.key, 'key'], ['size', b.size + ' bytes', 'size'], ['flags', b.flags, 'flags'], ['TTL', b.ttlSeconds < 0 ? 'never expires' : b.ttlSeconds + ' s', 'ttl'],
        ['cas', b.cas, 'cas'], ['tier', b.tiers.join(' + '), 'tier'], ['value', b.preview.kind + (b.preview.truncated ? ', first bytes' : ''), 'kind']]
        .forEach(function (row) { var tr = dl.insertRow(); tr.insertCell().textContent = row[0]; var td = tr.insertCell(); td.textContent = String(row[1]); td.id = 'inspect-' + row[2]; });
      var pre = document.createElement('pre');
      pre.id = 'inspect-preview';
      pre.textContent = b.preview.data;
      out.appendChild(dl); out.appendChild(pre);
    }).catch(function (err) { out.textContent = 'error: ' + err.message; });
  });

  $('flush').addEventListener('click', function () { $('flush-confirm').hidden = false; });
  $('flush-no').addEventListener('click', function () { $('flush-confirm').hidden = true; });
  $('flush-yes').addEventListener('click', function () {
    $('flush-confirm').hidden = true;
    var out = $('flush-result');
    call('POST', 'api/flush', {}).then(function (x) {
      out.dataset.state = x.r.ok ? 'flushed' : 'refused';
      out.textContent = x.r.ok ? 'flushed at ' + new Date().toLocaleTimeString() : refusal(x.r, x.body);
    }).catch(function (err) { out.textContent = 'error: ' + err.message; });
  });

  $('detail-toggle').addEventListener('click', function () {
    var on = $('detail-toggle').dataset.enabled !== 'true';
    call('POST', 'api/detail', { enabled: on }).then(function (x) {
      if (!x.r.ok) set('detail-state', refusal(x.r, x.body));
    });
  });

  poll();
})();
`;
