import { expect } from 'chai';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { freePort } from '../support/free-port.js';
import { startE2EServer, type E2EServer } from '../support/server-fixture.js';
import type { TcpClient } from '../support/tcp-client.js';

/** Debian's chromium (CHROMIUM_PATH overrides). */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** dist/test/browser -> <repo>/test-artifacts (gitignored). */
const ARTIFACTS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'test-artifacts');
const TOKEN = 'browser-test-token';

/** Polls `check` until it returns true (bounded), so page updates are awaited, not slept for. */
async function eventually(what: string, check: () => Promise<boolean>, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for: ${what}`);
}

const text = (page: Page, selector: string) => page.locator(selector).innerText();

describe('browser: the admin page in headless Chromium', function () {
  this.timeout(90_000);
  let srv: E2EServer;
  let admin: number;
  let c: TcpClient;
  let context: BrowserContext;
  let page: Page;
  let dataDir: string;
  let profile: string;
  let traffic: NodeJS.Timeout | undefined;

  before(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`chromium not found at ${CHROMIUM}: apt-get install -y chromium (.ci/run installs it)`);
    dataDir = mkdtempSync(path.join(tmpdir(), 'rat-browser-data-'));
    profile = mkdtempSync(path.join(tmpdir(), 'rat-browser-profile-'));
    admin = await freePort();
    srv = await startE2EServer({ admin: { port: admin, token: TOKEN }, l2: { enable_l2_cache: true, data_dir: dataDir } });
    c = await srv.connect();
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
      viewport: { width: 1280, height: 1400 },
    });
    page = context.pages()[0] ?? (await context.newPage());
  });

  after(async () => {
    if (traffic) clearInterval(traffic);
    if (page) {
      mkdirSync(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: path.join(ARTIFACTS, 'admin-page.png'), fullPage: true }).catch(() => {});
    }
    await context?.close();
    await srv?.stop();
    if (profile) rmSync(profile, { recursive: true, force: true });
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('loads with no request but its own, and shows the server', async () => {
    const foreign: string[] = [];
    page.on('request', (r) => {
      if (!r.url().startsWith(`http://127.0.0.1:${admin}/`)) foreign.push(r.url());
    });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`http://127.0.0.1:${admin}/`);
    await eventually('first poll', async () => (await text(page, '#updated')) !== 'never');
    expect(await text(page, '#version')).to.match(/^v1\.6\.18 · pid \d+$/);
    expect(await text(page, '#ready')).to.equal('ready');
    expect(await text(page, '#policy')).to.equal('s3fifo');
    expect(await page.locator('#login').isVisible(), 'token form shown').to.equal(true);
    expect(await page.locator('#warn-open').isVisible(), 'loopback: no warning').to.equal(false);
    expect(await page.locator('#settings tr').count()).to.be.greaterThan(50);
    expect(foreign).to.deep.equal([]);
    expect(errors).to.deep.equal([]);
  });

  it('charts and numbers follow traffic generated over the memcached protocol', async () => {
    const itemsBefore = await text(page, '#items');
    const pointsBefore = Number(await page.locator('#chart-ops').getAttribute('data-points'));
    let i = 0;
    // Steady traffic while the page polls: sets, hits and misses.
    traffic = setInterval(() => {
      let batch = '';
      for (let k = 0; k < 50; k++, i++) batch += `set load:${i % 500} 0 0 5\r\nvalue\r\nget load:${(i * 7) % 700}\r\n`;
      c.send(batch);
    }, 50);
    await eventually('ops/s above zero', async () => Number((await text(page, '#ops-total')).replace(/,/g, '')) > 0);
    await eventually('chart points added', async () => Number(await page.locator('#chart-ops').getAttribute('data-points')) >= pointsBefore + 3);
    expect(await page.locator('#chart-ops canvas').count()).to.be.greaterThan(0);
    expect(await page.locator('#chart-hits canvas').count()).to.be.greaterThan(0);
    const before = await page
      .locator('#chart-ops canvas')
      .first()
      .evaluate((el) => (el as unknown as { toDataURL(): string }).toDataURL());
    await eventually('chart redrawn', async () => {
      const now = await page
        .locator('#chart-ops canvas')
        .first()
        .evaluate((el) => (el as unknown as { toDataURL(): string }).toDataURL());
      return now !== before;
    });
    expect(await text(page, '#items')).not.to.equal(itemsBefore);
    expect(await text(page, '#hit-overall')).to.match(/^\d+\.\d %$/);
    expect(await text(page, '#hit-l1')).to.match(/^\d+\.\d %$/);
    expect(await text(page, '#l2-bytes')).not.to.equal('off');
    expect(await text(page, '#conns-proto')).to.match(/ascii 1/);
    clearInterval(traffic);
    traffic = undefined;
    await c.drain(300);
    // Once traffic stops, the numbers settle on what `stats` says.
    const stats = await c.lines('stats\r\n');
    const items = Number(/STAT curr_items (\d+)/.exec(stats)![1]);
    await eventually('items match stats', async () => (await text(page, '#items')).replace(/,/g, '') === String(items));
    const latencyRows = await page.locator('#latency tbody tr').allInnerTexts();
    expect(latencyRows.find((r) => r.startsWith('get'))).to.match(/^get\s+[\d,]+\s+[\d.]+ ms/);
  });

  it('the key inspector needs the token, then finds a key set over the memcached protocol', async () => {
    await c.exchange('set browser:key 7 300 20\r\nhello from memcached\r\n', 'STORED\r\n');
    await page.fill('#inspect-key', 'browser:key');
    await page.click('#inspect-form button');
    await eventually('refusal shown', async () => (await page.locator('#inspect-result').getAttribute('data-state')) === 'refused');
    expect(await text(page, '#inspect-result')).to.include('admin token required');
    await page.fill('#token', TOKEN);
    await page.click('#login-form button');
    await page.click('#inspect-form button');
    await eventually('key found', async () => (await page.locator('#inspect-result').getAttribute('data-state')) === 'found');
    expect(await text(page, '#inspect-size')).to.equal('20 bytes');
    expect(await text(page, '#inspect-flags')).to.equal('7');
    expect(await text(page, '#inspect-ttl')).to.match(/^(299|300) s$/);
    expect(await text(page, '#inspect-tier')).to.equal('memory + disk');
    expect(await text(page, '#inspect-kind')).to.equal('text');
    expect(await text(page, '#inspect-preview')).to.equal('hello from memcached');
    const cas = /VALUE browser:key 7 20 (\d+)/.exec(await c.lines('gets browser:key\r\n'))![1];
    expect(await text(page, '#inspect-cas')).to.equal(cas);
  });

  it('flush is refused without the token and works with it, after a confirmation', async () => {
    await page.fill('#token', '');
    await page.click('#login-form button');
    await page.click('#flush');
    expect(await page.locator('#flush-confirm').isVisible()).to.equal(true);
    await page.click('#flush-yes');
    await eventually('flush refused', async () => (await page.locator('#flush-result').getAttribute('data-state')) === 'refused');
    await c.exchange('get browser:key\r\n', 'VALUE browser:key 7 20\r\nhello from memcached\r\nEND\r\n');
    // Cancel leaves everything in place.
    await page.click('#flush');
    await page.click('#flush-no');
    expect(await page.locator('#flush-confirm').isVisible()).to.equal(false);
    await page.fill('#token', TOKEN);
    await page.click('#login-form button');
    await page.click('#flush');
    await page.click('#flush-yes');
    await eventually('flushed', async () => (await page.locator('#flush-result').getAttribute('data-state')) === 'flushed');
    await c.exchange('get browser:key\r\n', 'END\r\n');
    await eventually('items at 0 on the page', async () => (await text(page, '#items')) === '0');
  });

  it('stats detail can be turned on and shows per-prefix counters', async () => {
    await page.click('#detail-toggle');
    await eventually('detail on', async () => (await text(page, '#detail-toggle')) === 'turn off');
    await c.exchange('get shop:1\r\nget shop:2\r\n', 'END\r\nEND\r\n');
    await eventually('prefix row', async () => (await page.locator('#prefixes tbody tr').allInnerTexts()).some((r) => /^shop\s+2\s+0\s+0\s+0$/.test(r)));
    expect((await c.lines('stats settings\r\n')).includes('STAT detail_enabled yes')).to.equal(true);
  });

  it('warns when no token is configured and the listener is not on loopback', async () => {
    const other = await context.newPage();
    try {
      // The banner depends only on what /api/stats says; make it say so.
      await other.route('**/api/stats', async (route) => {
        const res = await route.fetch();
        const body = (await res.json()) as { admin: { tokenRequired: boolean; loopback: boolean } };
        body.admin = { tokenRequired: false, loopback: false };
        await route.fulfill({ response: res, json: body });
      });
      await other.goto(`http://127.0.0.1:${admin}/`);
      await eventually('warning shown', () => other.locator('#warn-open').isVisible());
      expect(await other.locator('#login').isVisible()).to.equal(false);
    } finally {
      await other.close();
    }
  });
});
