import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { PAGE_SCRIPT } from './admin-page-script.js';

/**
 * The management page: one HTML document with everything inline (uPlot from
 * node_modules included at start, no CDN, no second request), so it works
 * on an air-gapped host and under a CSP that allows nothing else.
 */
export function renderAdminPage(): string {
  const { js, css } = vendoredUplot();
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>rat-memcached admin</title>
<style>${css}</style>
<style>${PAGE_CSS}</style>
</head>
<body>
<header>
  <h1>rat-memcached</h1>
  <span id="version" class="muted"></span>
  <span id="ready" class="pill">…</span>
  <span class="muted">up <span id="uptime">–</span></span>
  <span class="muted">policy <span id="policy">–</span></span>
  <span class="muted">updated <span id="updated">never</span></span>
</header>
<div id="warn-open" class="banner warn" hidden>No admin token is configured and this listener is not on loopback: anyone who can reach it can flush the cache. Set <code>[admin] token</code>.</div>
<div id="poll-error" class="banner err" hidden></div>
<section id="login" class="panel" hidden>
  <h2>Admin token</h2>
  <p class="muted">This listener requires a token for the key inspector, flush and stats detail.</p>
  <form id="login-form"><input id="token" type="password" autocomplete="current-password" placeholder="token" aria-label="admin token"> <button type="submit">Use token</button> <span id="login-state" class="muted"></span></form>
</section>
<section class="cards">
  <div class="card"><h3>ops/s</h3><div class="big" id="ops-total">–</div></div>
  <div class="card"><h3>hit ratio</h3><div class="big" id="hit-overall">–</div><div class="muted">L1 <span id="hit-l1">–</span> · L2 <span id="hit-l2">–</span></div></div>
  <div class="card"><h3>memory</h3><div class="big" id="mem-used">–</div><div class="bar"><div id="mem-bar"></div></div><div class="muted">of <span id="mem-limit">–</span></div></div>
  <div class="card"><h3>items</h3><div class="big" id="items">–</div><div class="muted">evictions <span id="evictions">–</span></div></div>
  <div class="card"><h3>connections</h3><div class="big" id="conns">–</div><div class="muted" id="conns-proto"></div></div>
  <div class="card" id="l2-card"><h3>disk (L2)</h3><div class="big" id="l2-bytes">off</div><div class="muted"><span id="l2-items">–</span> items · ratio <span id="l2-ratio">–</span></div></div>
  <div class="card"><h3>write queue</h3><div class="big" id="wq-depth">–</div><div class="muted" id="wq-bytes"></div></div>
  <div class="card"><h3>warm-up</h3><div class="big" id="warm">–</div><div class="muted" id="warm-detail"></div></div>
</section>
<section class="charts">
  <div class="panel"><h2>ops/s per command</h2><div id="chart-ops" class="chart" data-points="0"></div></div>
  <div class="panel"><h2>hit ratio</h2><div id="chart-hits" class="chart" data-points="0"></div></div>
</section>
<section class="grid2">
  <div class="panel">
    <h2>Key inspector</h2>
    <form id="inspect-form"><input id="inspect-key" placeholder="key" aria-label="key" maxlength="250"> <button type="submit">Look up</button></form>
    <div id="inspect-result" class="result"></div>
  </div>
  <div class="panel">
    <h2>Flush</h2>
    <p class="muted">Removes every item from memory and disk (flush_all).</p>
    <button id="flush" class="danger">Flush all…</button>
    <div id="flush-confirm" hidden><p><strong>Really remove every item?</strong></p><button id="flush-yes" class="danger">Yes, flush everything</button> <button id="flush-no">Cancel</button></div>
    <div id="flush-result" class="result"></div>
  </div>
</section>
<section class="grid2">
  <div class="panel"><h2>Latency</h2><table id="latency"><thead><tr><th>command</th><th>requests</th><th>mean</th><th>p50 ≤</th><th>p99 ≤</th></tr></thead><tbody></tbody></table></div>
  <div class="panel">
    <h2>Per-prefix counters <button id="detail-toggle">…</button></h2>
    <p class="muted" id="detail-state"></p>
    <table id="prefixes"><thead><tr><th>prefix</th><th>get</th><th>hit</th><th>set</th><th>del</th></tr></thead><tbody></tbody></table>
  </div>
</section>
<section class="panel"><details><summary>stats settings</summary><table id="settings"><tbody></tbody></table></details></section>
<script>${js}</script>
<script>${PAGE_SCRIPT}</script>
</body>
</html>
`;
}

/** uPlot's browser build and stylesheet, or nothing (the page then shows numbers only). */
function vendoredUplot(): { js: string; css: string } {
  try {
    const require = createRequire(import.meta.url);
    const js = readFileSync(require.resolve('uplot/dist/uPlot.iife.min.js'), 'utf8');
    const css = readFileSync(require.resolve('uplot/dist/uPlot.min.css'), 'utf8');
    return { js: js.replace(/<\/script/gi, '<\\/script'), css: css.replace(/<\/style/gi, '<\\/style') };
  } catch {
    return { js: '', css: '' };
  }
}

const PAGE_CSS = `
body { font: 14px/1.4 system-ui, sans-serif; margin: 0; background: #f6f7f9; color: #1d2430; }
header { display: flex; gap: 1em; align-items: baseline; padding: .8em 1.2em; background: #1d2430; color: #fff; flex-wrap: wrap; }
header h1 { font-size: 1.2em; margin: 0; }
header .muted { color: #b8c0cc; }
.muted { color: #667; }
.pill { padding: .1em .6em; border-radius: 1em; background: #888; color: #fff; font-size: .85em; }
.pill.ok { background: #1f8a4c; } .pill.bad { background: #b3261e; }
.banner { padding: .6em 1.2em; } .warn { background: #fff3cd; } .err { background: #f8d7da; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(180px, 1fr)); gap: .8em; padding: 1em 1.2em 0; }
.card, .panel { background: #fff; border: 1px solid #dde1e7; border-radius: 6px; padding: .6em .9em; }
.card h3 { margin: 0; font-size: .8em; text-transform: uppercase; color: #667; }
.big { font-size: 1.6em; font-variant-numeric: tabular-nums; }
.bar { height: 6px; background: #e3e6ea; border-radius: 3px; } .bar div { height: 6px; background: #3b6fd8; border-radius: 3px; width: 0; }
.charts, .grid2 { display: grid; grid-template-columns: repeat(auto-fit, minmax(420px, 1fr)); gap: .8em; padding: .8em 1.2em 0; }
section.panel { margin: .8em 1.2em; }
.panel h2 { font-size: 1em; margin: .2em 0 .5em; }
.chart { min-height: 220px; }
table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
td, th { text-align: left; padding: .15em .5em; border-bottom: 1px solid #eef0f3; }
.result { margin-top: .6em; white-space: pre-wrap; word-break: break-all; }
.result pre { background: #f3f4f6; padding: .5em; max-height: 12em; overflow: auto; }
button { font: inherit; padding: .25em .8em; } .danger { background: #b3261e; color: #fff; border: 1px solid #8c1d17; border-radius: 4px; }
input { font: inherit; padding: .25em .4em; }
`;
