#!/usr/bin/env node
/*
 * record-har.mjs — re-records demo/demo.har: starts phiwall-demo-server on a free loopback port,
 * drives headless Chromium over the DevTools protocol through --remote-debugging-pipe (fd 3 in,
 * fd 4 out, NUL-terminated JSON) through a scripted walk of the demo hospital site, and writes
 * every request (with POST bodies) as HAR 1.2. Node built-ins only (Debian nodejs, no npm).
 *
 * Contained: the Fetch domain intercepts every request. Loopback requests go on to the demo
 * server; vendor *script* URLs (https://connect.facebook.net/…, www.googletagmanager.com/gtag/js,
 * …) are answered with the demo server's /vendor/<host>/<path> copy; every other request
 * (the beacons) is answered locally with 204, or a 1x1 GIF for images. Nothing leaves 127.0.0.1.
 *
 *   node demo/record-har.mjs [--server build/phiwall-demo-server] [--out demo/demo.har]
 *                            [--chromium /usr/bin/chromium] [--verbose]
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '..');
const args = parseArgs(process.argv.slice(2));
const SERVER = args.server || join(ROOT, 'build', 'phiwall-demo-server');
const OUT = args.out || join(HERE, 'demo.har');
const CHROMIUM = args.chromium || '/usr/bin/chromium';
const VERBOSE = !!args.verbose;
const EXPECTED = JSON.parse(readFileSync(join(HERE, 'expected.json'), 'utf8'));
const CANARY = EXPECTED.canary;

/* Hosts whose scripts the demo server serves under /vendor/<host>/<path>. */
const VENDOR_SCRIPT_HOSTS = new Set(EXPECTED.vendor_script_hosts);
const KEEP_RESPONSE_HEADERS = new Set(['content-type', 'content-length', 'location', 'set-cookie', 'cache-control']);
const GIF = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');

function parseArgs(argv) {
  const out = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--verbose') out.verbose = true;
    else if (a.startsWith('--') && i + 1 < argv.length) out[a.slice(2)] = argv[++i];
    else throw new Error(`unknown argument ${a}`);
  }
  return out;
}
const log = (...m) => { if (VERBOSE) console.error('[record-har]', ...m); };
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/* ---------- the demo server ---------- */
function startServer() {
  return new Promise((resolveStart, reject) => {
    const proc = spawn(SERVER, ['--port', '0', '--quiet'], { stdio: ['ignore', 'pipe', 'inherit'] });
    let buf = '';
    proc.on('error', reject);
    proc.stdout.on('data', (d) => {
      buf += d;
      const m = buf.match(/listening on (http:\/\/127\.0\.0\.1:\d+)/);
      if (m) resolveStart({ proc, origin: m[1] });
    });
    setTimeout(() => reject(new Error('demo server did not start')), 5000);
  });
}

/* ---------- DevTools over the pipe ---------- */
class Cdp {
  constructor(proc) {
    this.out = proc.stdio[3];
    this.nextId = 1;
    this.pending = new Map();
    this.listeners = [];
    let buf = Buffer.alloc(0);
    proc.stdio[4].on('data', (chunk) => {
      buf = Buffer.concat([buf, chunk]);
      let nul;
      while ((nul = buf.indexOf(0)) >= 0) {
        const msg = JSON.parse(buf.subarray(0, nul).toString('utf8'));
        buf = buf.subarray(nul + 1);
        this.dispatch(msg);
      }
    });
  }
  dispatch(msg) {
    if (msg.id !== undefined) {
      const p = this.pending.get(msg.id);
      if (!p) return;
      this.pending.delete(msg.id);
      if (msg.error) p.reject(new Error(`${p.method}: ${msg.error.message}`));
      else p.resolve(msg.result);
      return;
    }
    for (const l of this.listeners.slice()) l(msg);
  }
  send(method, params = {}, sessionId) {
    const id = this.nextId++;
    const msg = { id, method, params };
    if (sessionId) msg.sessionId = sessionId;
    this.out.write(JSON.stringify(msg) + '\0');
    return new Promise((res, rej) => this.pending.set(id, { resolve: res, reject: rej, method }));
  }
  on(fn) { this.listeners.push(fn); }
  waitFor(method, pred = () => true, timeout = 15000) {
    return new Promise((res, rej) => {
      const t = setTimeout(() => { this.listeners = this.listeners.filter((x) => x !== fn); rej(new Error(`timeout waiting for ${method}`)); }, timeout);
      const fn = (msg) => {
        if (msg.method === method && pred(msg.params)) {
          clearTimeout(t);
          this.listeners = this.listeners.filter((x) => x !== fn);
          res(msg.params);
        }
      };
      this.listeners.push(fn);
    });
  }
}

/* ---------- the recording ---------- */
class Recorder {
  constructor(origin) {
    this.origin = origin;
    this.pages = [];
    this.entries = [];
    this.byRequestId = new Map(); /* requestId -> latest entry */
    this.extraInfo = new Map();   /* requestId -> [headers…] not yet attached */
    this.postByNetworkId = new Map();
    this.step = 'load';
    this.consent = 'none';
    this.mainFrameId = null;
  }
  currentPage() { return this.pages[this.pages.length - 1]; }
  pageFor(documentURL) {
    for (let i = this.pages.length - 1; i >= 0; i--) if (this.pages[i]._url === documentURL) return this.pages[i];
    return this.currentPage();
  }
  onRequestWillBeSent(p) {
    if (p.redirectResponse) this.finishResponse(p.requestId, p.redirectResponse);
    const isMainDoc = p.type === 'Document' && p.frameId === this.mainFrameId;
    if (isMainDoc && p.redirectResponse && this.currentPage()) {
      this.currentPage()._url = p.request.url; /* a redirect hop stays on the same page */
    } else if (isMainDoc) {
      this.pages.push({ startedDateTime: new Date(p.wallTime * 1000).toISOString(), id: `page_${this.pages.length + 1}`,
        title: p.request.url, pageTimings: { onContentLoad: -1, onLoad: -1 }, _url: p.request.url, _t0: p.timestamp });
    }
    const page = isMainDoc ? this.currentPage() : this.pageFor(p.documentURL);
    const req = p.request;
    const entry = {
      pageref: page ? page.id : undefined,
      startedDateTime: new Date(p.wallTime * 1000).toISOString(),
      time: 0,
      request: { method: req.method, url: req.url + (req.urlFragment || ''), httpVersion: 'HTTP/1.1',
        cookies: [], headers: headerList(req.headers), queryString: queryList(req.url), headersSize: -1, bodySize: 0 },
      response: { status: 0, statusText: '', httpVersion: 'HTTP/1.1', cookies: [], headers: [],
        content: { size: 0, mimeType: '' }, redirectURL: '', headersSize: -1, bodySize: -1 },
      cache: {}, timings: { send: 0, wait: 0, receive: 0 },
      _resourceType: (p.type || 'Other').toLowerCase(), _step: this.step, _consent: this.consent,
      _t0: p.timestamp, _requestId: p.requestId, _hasPostData: !!req.hasPostData
    };
    const body = postBody(req);
    if (body !== null) this.setPostData(entry, body, headerValue(req.headers, 'content-type'));
    const extra = this.extraInfo.get(p.requestId);
    if (extra && extra.length) entry.request.headers = headerList(extra.shift());
    this.entries.push(entry);
    this.byRequestId.set(p.requestId, entry);
  }
  setPostData(entry, text, mimeType) {
    entry.request.postData = { mimeType: mimeType || '', text };
    entry.request.bodySize = Buffer.byteLength(text);
  }
  onExtraInfo(p) {
    const e = this.byRequestId.get(p.requestId);
    if (e && !e._extra) { e._extra = true; e.request.headers = headerList(p.headers); return; }
    if (!this.extraInfo.has(p.requestId)) this.extraInfo.set(p.requestId, []);
    this.extraInfo.get(p.requestId).push(p.headers);
  }
  finishResponse(requestId, r) {
    const e = this.byRequestId.get(requestId);
    if (!e || e.response.status) return;
    e.response.status = r.status;
    e.response.statusText = r.statusText || '';
    e.response.headers = headerList(r.headers).filter((h) => KEEP_RESPONSE_HEADERS.has(h.name.toLowerCase()));
    e.response.content.mimeType = r.mimeType || headerValue(r.headers, 'content-type') || '';
    e.response.redirectURL = headerValue(r.headers, 'location') || '';
    if (r.protocol) e.response.httpVersion = e.request.httpVersion = r.protocol.toUpperCase() === 'H2' ? 'HTTP/2' : 'HTTP/1.1';
  }
  onLoadingFinished(p) {
    const e = this.byRequestId.get(p.requestId);
    if (!e) return;
    e.time = Math.max(0, Math.round((p.timestamp - e._t0) * 1000));
    e.timings.wait = e.time;
    e.response.content.size = p.encodedDataLength || 0;
  }
}

function headerList(h) { return Object.entries(h || {}).map(([name, value]) => ({ name, value: String(value) })); }
function headerValue(h, name) {
  for (const [k, v] of Object.entries(h || {})) if (k.toLowerCase() === name) return String(v);
  return null;
}
function queryList(url) {
  try { return [...new URL(url).searchParams].map(([name, value]) => ({ name, value })); } catch { return []; }
}
function postBody(req) {
  if (req.postDataEntries && req.postDataEntries.length)
    return Buffer.concat(req.postDataEntries.map((x) => Buffer.from(x.bytes || '', 'base64'))).toString('utf8');
  if (typeof req.postData === 'string') return req.postData;
  return null;
}

/* ---------- Fetch interception: serve vendor scripts, answer beacons locally ---------- */
async function onRequestPaused(cdp, sid, rec, p) {
  const url = new URL(p.request.url);
  const body = postBody(p.request);
  if (body !== null && p.networkId) rec.postByNetworkId.set(p.networkId, body);
  try {
    if (url.origin === rec.origin) return await cdp.send('Fetch.continueRequest', { requestId: p.requestId }, sid);
    if (VENDOR_SCRIPT_HOSTS.has(url.host) && p.resourceType === 'Script') {
      const r = await fetch(`${rec.origin}/vendor/${url.host}${url.pathname}`);
      const buf = Buffer.from(await r.arrayBuffer());
      return await cdp.send('Fetch.fulfillRequest', { requestId: p.requestId, responseCode: r.status,
        responseHeaders: [{ name: 'Content-Type', value: 'application/javascript' }, { name: 'Access-Control-Allow-Origin', value: '*' }],
        body: buf.toString('base64') }, sid);
    }
    const image = p.resourceType === 'Image' || (p.request.method === 'GET' && p.resourceType !== 'Document');
    const allow = [{ name: 'Access-Control-Allow-Origin', value: rec.origin }, { name: 'Access-Control-Allow-Credentials', value: 'true' }];
    if (image) {
      return await cdp.send('Fetch.fulfillRequest', { requestId: p.requestId, responseCode: 200,
        responseHeaders: [{ name: 'Content-Type', value: 'image/gif' }, ...allow], body: GIF.toString('base64') }, sid);
    }
    return await cdp.send('Fetch.fulfillRequest', { requestId: p.requestId, responseCode: 204, responseHeaders: allow, body: '' }, sid);
  } catch (err) {
    log('intercept failed', p.request.url, err.message);
  }
}

/* ---------- page driving ---------- */
class Driver {
  constructor(cdp, sid, rec) { this.cdp = cdp; this.sid = sid; this.rec = rec; }
  send(m, p) { return this.cdp.send(m, p, this.sid); }
  async eval(expr) {
    const r = await this.send('Runtime.evaluate', { expression: expr, awaitPromise: true, returnByValue: true });
    if (r.exceptionDetails) throw new Error(`evaluate failed: ${expr}: ${r.exceptionDetails.text}`);
    return r.result.value;
  }
  loaded() { return this.cdp.waitFor('Page.loadEventFired', () => true, 20000); }
  async settle(ms = 1500) { await sleep(ms); }
  async goto(path) {
    this.rec.step = 'load';
    const done = this.loaded();
    await this.send('Page.navigate', { url: this.rec.origin + path });
    await done;
    await this.settle();
  }
  async center(selector) {
    const box = await this.eval(`(() => { const el = document.querySelector(${JSON.stringify(selector)});
      if (!el) return null; el.scrollIntoView({block: 'center'}); const r = el.getBoundingClientRect();
      return {x: r.left + r.width / 2, y: r.top + r.height / 2}; })()`);
    if (!box) throw new Error(`no element ${selector}`);
    return box;
  }
  async click(selector, step = 'click', navigates = false) {
    this.rec.step = step;
    const { x, y } = await this.center(selector);
    const done = navigates ? this.loaded() : null;
    for (const type of ['mouseMoved', 'mousePressed', 'mouseReleased'])
      await this.send('Input.dispatchMouseEvent', { type, x, y, button: 'left', clickCount: type === 'mouseMoved' ? 0 : 1 });
    if (done) { await done; this.rec.step = 'load'; }
    await this.settle(navigates ? 1500 : 800);
  }
  async focus(selector) { await this.eval(`document.querySelector(${JSON.stringify(selector)}).focus()`); }
  /* Types key by key (keydown/keypress/input per character), as a person would. */
  async type(selector, text) {
    this.rec.step = 'fill';
    await this.focus(selector);
    for (const ch of text) {
      await this.send('Input.dispatchKeyEvent', { type: 'keyDown', key: ch, text: ch, unmodifiedText: ch });
      await this.send('Input.dispatchKeyEvent', { type: 'keyUp', key: ch });
    }
  }
  /* For inputs that do not take typed text (date, select): set the value and fire input/change. */
  async setValue(selector, value) {
    this.rec.step = 'fill';
    await this.eval(`(() => { const el = document.querySelector(${JSON.stringify(selector)}); el.focus();
      el.value = ${JSON.stringify(value)}; el.dispatchEvent(new Event('input', {bubbles: true}));
      el.dispatchEvent(new Event('change', {bubbles: true})); })()`);
  }
}

async function walk(d, rec) {
  const c = CANARY;
  log('home');
  await d.goto('/');
  await d.click('#consent-accept');
  rec.consent = 'accepted';
  log('find-a-doctor');
  await d.goto('/find-a-doctor');
  await d.type('#q', 'breast cancer');
  await d.click('#doctor-search-submit', 'submit', true);
  await d.click('.doctor-card h3 a[href="/doctors/elena-marsh"]', 'click', true);
  log('oncology');
  await d.goto('/services/oncology');
  await d.click('#cta-oncology', 'click', true);
  log('appointment form');
  await d.type('#first_name', c.first_name);
  await d.type('#last_name', c.last_name);
  await d.setValue('#dob', c.dob);
  await d.type('#zip', c.zip);
  await d.type('#phone', c.phone);
  await d.type('#email', c.email);
  await d.setValue('#insurance', c.insurance);
  await d.type('#member_id', c.member_id);
  await d.type('#reason', c.reason);
  await d.settle(600);
  await d.click('#appointment-submit', 'submit', true);
  log('symptom checker');
  await d.goto('/symptom-checker');
  await d.type('#symptoms', c.symptoms);
  await d.type('#age', c.age);
  await d.setValue('#sex', c.sex);
  await d.click('#check-symptoms', 'submit');
  await d.settle(1200);
  log('pregnancy');
  await d.goto('/services/pregnancy');
  await d.click('#cta-pregnancy', 'click', true);
  log('portal');
  await d.goto('/portal/login');
  await d.type('#username', EXPECTED.portal.username);
  await d.type('#password', EXPECTED.portal.password);
  await d.click('#login-submit', 'submit', true);
  await d.click('.portal-nav a[href="/portal/test-results"]', 'click', true);
  log('careers');
  await d.goto('/careers');
}

async function main() {
  const { proc: server, origin } = await startServer();
  const profile = mkdtempSync(join(tmpdir(), 'phiwall-har-'));
  const chrome = spawn(CHROMIUM, ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
    '--disable-features=IsolateOrigins,site-per-process', '--window-size=1280,1000',
    `--user-data-dir=${profile}`, '--remote-debugging-pipe', 'about:blank'],
  { stdio: ['ignore', 'ignore', VERBOSE ? 'inherit' : 'ignore', 'pipe', 'pipe'] });
  const chromeExited = new Promise((r) => chrome.on('exit', r));
  const cleanup = async () => {
    try { chrome.kill('SIGKILL'); } catch {}
    try { server.kill('SIGTERM'); } catch {}
    await Promise.race([chromeExited, sleep(3000)]);
    rmSync(profile, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
  };
  try {
    const cdp = new Cdp(chrome);
    const version = await cdp.send('Browser.getVersion');
    const { targetId } = await cdp.send('Target.createTarget', { url: 'about:blank' });
    const { sessionId: sid } = await cdp.send('Target.attachToTarget', { targetId, flatten: true });
    const rec = new Recorder(origin);
    cdp.on((msg) => {
      if (msg.sessionId !== sid) return;
      const p = msg.params;
      switch (msg.method) {
        case 'Network.requestWillBeSent': rec.onRequestWillBeSent(p); fillPostData(cdp, sid, rec, p); break;
        case 'Network.requestWillBeSentExtraInfo': rec.onExtraInfo(p); break;
        case 'Network.responseReceived': rec.finishResponse(p.requestId, p.response); break;
        case 'Network.loadingFinished': rec.onLoadingFinished(p); break;
        case 'Network.loadingFailed': { const e = rec.byRequestId.get(p.requestId); if (e) e._error = p.errorText; break; }
        case 'Fetch.requestPaused': onRequestPaused(cdp, sid, rec, p); break;
        case 'Runtime.exceptionThrown': log('page exception:', p.exceptionDetails.exception ? p.exceptionDetails.exception.description : p.exceptionDetails.text); break;
        case 'Runtime.consoleAPICalled': log('console:', p.args.map((a) => a.value ?? a.description).join(' ')); break;
        case 'Page.loadEventFired': { const pg = rec.currentPage(); if (pg) pg.pageTimings.onLoad = Math.round((p.timestamp - pg._t0) * 1000); break; }
        case 'Page.domContentEventFired': { const pg = rec.currentPage(); if (pg) pg.pageTimings.onContentLoad = Math.round((p.timestamp - pg._t0) * 1000); break; }
        default: break;
      }
    });
    const tree = await cdp.send('Page.getFrameTree', {}, sid);
    rec.mainFrameId = tree.frameTree.frame.id;
    await cdp.send('Page.enable', {}, sid);
    await cdp.send('Runtime.enable', {}, sid);
    await cdp.send('Network.enable', { maxPostDataSize: 65536 }, sid);
    await cdp.send('Fetch.enable', { patterns: [{ urlPattern: '*', requestStage: 'Request' }] }, sid);
    const d = new Driver(cdp, sid, rec);
    const titles = new Map();
    cdp.on((msg) => {
      if (msg.sessionId === sid && msg.method === 'Page.loadEventFired') {
        const pg = rec.currentPage();
        d.eval('document.title').then((t) => { if (pg) titles.set(pg.id, t); }).catch(() => {});
      }
    });
    await walk(d, rec);
    await sleep(500);
    for (const pg of rec.pages) if (titles.has(pg.id)) pg.title = titles.get(pg.id);
    writeHar(rec, version);
    await cdp.send('Browser.close').catch(() => {});
  } finally {
    await cleanup();
  }
}

/* Bodies Network did not inline: ask for them, or take the copy Fetch saw. */
function fillPostData(cdp, sid, rec, p) {
  if (!p.request.hasPostData || p.request.postData !== undefined || (p.request.postDataEntries || []).length) return;
  const entry = rec.byRequestId.get(p.requestId);
  cdp.send('Network.getRequestPostData', { requestId: p.requestId }, sid)
    .then((r) => { if (!entry.request.postData) rec.setPostData(entry, r.base64Encoded ? Buffer.from(r.postData, 'base64').toString('utf8') : r.postData, headerValue(p.request.headers, 'content-type')); })
    .catch(() => {
      const body = rec.postByNetworkId.get(p.requestId);
      if (body !== undefined && !entry.request.postData) rec.setPostData(entry, body, headerValue(p.request.headers, 'content-type'));
    });
}

function writeHar(rec, version) {
  for (const e of rec.entries) {
    if (!e.request.postData && e._hasPostData && rec.postByNetworkId.has(e._requestId))
      rec.setPostData(e, rec.postByNetworkId.get(e._requestId), headerValue(Object.fromEntries(e.request.headers.map((h) => [h.name, h.value])), 'content-type'));
    const ct = e.request.postData ? e.request.headers.find((h) => h.name.toLowerCase() === 'content-type') : null;
    if (ct && !e.request.postData.mimeType) e.request.postData.mimeType = ct.value;
    for (const k of ['_t0', '_requestId', '_hasPostData', '_extra']) delete e[k];
  }
  for (const pg of rec.pages) delete pg._t0;
  const har = { log: { version: '1.2', creator: { name: 'phiwall demo/record-har.mjs', version: '0.1.0' },
    browser: { name: 'Chromium', version: version.product.replace(/^[^/]*\//, '') },
    comment: `Scripted walk of the phiwall demo site served at ${rec.origin}; canary identity in demo/expected.json; response bodies omitted.`,
    pages: rec.pages, entries: rec.entries } };
  writeFileSync(OUT, JSON.stringify(har) + '\n');
  console.log(`record-har: wrote ${OUT}: ${rec.pages.length} pages, ${rec.entries.length} entries`);
}

main().catch((err) => { console.error(`record-har: ${err.stack || err}`); process.exit(1); });
