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
import { writeFileSync, readFileSync } from 'node:fs';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sleep, startServer, launchChromium, headerList, headerValue, queryList, postBody,
  onRequestPaused, Driver } from './cdp.mjs';

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
  const { proc: server, origin } = await startServer(SERVER);
  const chrome = launchChromium(CHROMIUM, VERBOSE);
  const cleanup = async () => {
    try { server.kill('SIGTERM'); } catch {}
    await chrome.close();
  };
  try {
    const cdp = chrome.cdp;
    const version = await cdp.send('Browser.getVersion');
    const { targetId } = await cdp.send('Target.createTarget', { url: 'about:blank' });
    const { sessionId: sid } = await cdp.send('Target.attachToTarget', { targetId, flatten: true });
    const rec = new Recorder(origin);
    const fetchCtx = { origin, vendorHosts: VENDOR_SCRIPT_HOSTS, postByNetworkId: rec.postByNetworkId, log };
    cdp.on((msg) => {
      if (msg.sessionId !== sid) return;
      const p = msg.params;
      switch (msg.method) {
        case 'Network.requestWillBeSent': rec.onRequestWillBeSent(p); fillPostData(cdp, sid, rec, p); break;
        case 'Network.requestWillBeSentExtraInfo': rec.onExtraInfo(p); break;
        case 'Network.responseReceived': rec.finishResponse(p.requestId, p.response); break;
        case 'Network.loadingFinished': rec.onLoadingFinished(p); break;
        case 'Network.loadingFailed': { const e = rec.byRequestId.get(p.requestId); if (e) e._error = p.errorText; break; }
        case 'Fetch.requestPaused': onRequestPaused(cdp, sid, fetchCtx, p); break;
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
