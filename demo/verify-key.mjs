#!/usr/bin/env node
/*
 * verify-key.mjs — holds the answer key (demo/expected.json) to what a browser really sends.
 * Loads every page of the key in headless Chromium (contained: see cdp.mjs), without consent
 * and, where the key lists tags that wait for consent, again after "accept"; clicks every
 * interaction whose target is an #id; names each third-party request "tracker:event" and checks:
 *   - every on_load event the key lists fires (those marked "before" fire without consent),
 *   - nothing marked "after-accept" fires before consent, and on_leave events fire on leaving,
 *   - nothing fires that the key does not list (precision of the key itself),
 *   - clicks send the events the key lists, with the button text the key gives.
 * --clean checks the clean variant instead: no request to any third party, only the gateway's
 * tag (gateway/tag/phiwall.js, served from the gateway URL) and its events: a page_view (and
 * appointment_request on the appointment form) to the gateway's /e, with the page path but no
 * query, title, referrer or typed value.
 * Pages are spread over parallel tabs, each in its own browser context (own cookie jar).
 *
 *   node demo/verify-key.mjs [--server build/phiwall-demo-server] [--chromium /usr/bin/chromium]
 *                            [--workers 4] [--verbose]
 */
import { readFileSync } from 'node:fs';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sleep, startServer, launchChromium, postBody, onRequestPaused, Driver } from './cdp.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const GATEWAY = 'http://127.0.0.1:9'; /* --clean: the gateway's base URL (never contacted: answered locally) */
const ROOT = resolve(HERE, '..');
const args = {};
for (let i = 2; i < process.argv.length; i++) {
  const a = process.argv[i];
  if (a === '--verbose') args.verbose = true;
  else if (a === '--clean') args.clean = true;
  else if (a.startsWith('--') && i + 1 < process.argv.length) args[a.slice(2)] = process.argv[++i];
  else { console.error(`verify-key: unknown argument ${a}`); process.exit(2); }
}
const SERVER = args.server || join(ROOT, 'build', 'phiwall-demo-server');
const CHROMIUM = args.chromium || '/usr/bin/chromium';
const WORKERS = Number(args.workers || 4);
const KEY = JSON.parse(readFileSync(join(HERE, 'expected.json'), 'utf8'));
const log = (...m) => { if (args.verbose) console.error('[verify-key]', ...m); };

/* ---------- naming requests ---------- */
function formFields(body, contentType) {
  const out = new Map();
  if (!body) return out;
  const m = /boundary=([^;]+)/.exec(contentType || '');
  if (m) {
    for (const part of body.split('--' + m[1])) {
      const h = /name="([^"]+)"\r?\n\r?\n([\s\S]*?)\r?\n?$/.exec(part);
      if (h) out.set(h[1], h[2]);
    }
    return out;
  }
  for (const [k, v] of new URLSearchParams(body)) out.set(k, v);
  return out;
}
/* One request -> [{name: "tracker:event", fields: Map}] */
export function classify(url, method, body, contentType) {
  return classifyEvents(url, method, body, contentType).map((e) => ({ ...e, page: pageOf(e.fields) }));
}
/* The page an event reports itself sent from (dl, url, context.page.url, page_url). */
function pageOf(fields) {
  const v = fields.get('dl') || fields.get('url') || fields.get('context.page.url') || fields.get('page_url');
  try { return v ? new URL(v).pathname : null; } catch { return null; }
}
function classifyEvents(url, method, body, contentType) {
  const u = new URL(url);
  const q = new Map(u.searchParams);
  if (u.host === 'www.facebook.com' && u.pathname.startsWith('/tr')) {
    const f = method === 'POST' ? formFields(body, contentType) : q;
    return [{ name: `meta_pixel:${f.get('ev')}`, fields: f }];
  }
  if (u.pathname === '/g/collect') {
    if (q.get('en')) return [{ name: `ga4:${q.get('en')}`, fields: q }];
    return (body || '').split(/\r?\n/).filter(Boolean).map((line) => {
      const f = new Map([...q, ...new URLSearchParams(line)]);
      return { name: `ga4:${f.get('en')}`, fields: f };
    });
  }
  if (u.host === 'googleads.g.doubleclick.net') {
    return [{ name: `google_ads:${(q.get('data') || '').replace(/^event=/, '')}`, fields: q }];
  }
  if (u.host === 'analytics.tiktok.com' && u.pathname === '/api/v2/pixel') {
    const j = JSON.parse(body || '{}');
    return [{ name: `tiktok:${j.event}`, fields: new Map([['properties.button_text', (j.properties || {}).button_text],
      ['context.page.url', ((j.context || {}).page || {}).url]]) }];
  }
  if (u.host === 'px.ads.linkedin.com') {
    return [{ name: q.get('conversionId') ? 'linkedin:collect (conversionId)' : 'linkedin:collect', fields: q }];
  }
  if (u.host === 'in.hotjar.com') {
    const j = JSON.parse(body || '{}');
    const kinds = [...new Set((j.events || []).map((e) => e.t))];
    return kinds.map((t) => ({ name: `hotjar:recording ${t}`, fields: new Map([['page_url', j.page_url]]) }));
  }
  return [{ name: `unknown:${u.host}${u.pathname}`, fields: new Map() }];
}

/* ---------- one tab in its own browser context ---------- */
class Tab {
  constructor(cdp, origin) {
    this.cdp = cdp; this.origin = origin; this.seen = []; this.step = 'load'; this.settleMs = 0;
    this.loaderOf = new Map(); /* requestId -> loaderId of the document that sent it */
    this.loaderId = null;      /* set by Driver.goto */
    this.docLoaders = new Set(); /* loaders of every document loaded in this tab */
    this.raw = [];               /* every third-party request: {url, method, body, type} */
  }
  async open() {
    const { browserContextId } = await this.cdp.send('Target.createBrowserContext', { disposeOnDetach: true });
    this.contextId = browserContextId;
    const { targetId } = await this.cdp.send('Target.createTarget', { url: 'about:blank', browserContextId });
    const { sessionId } = await this.cdp.send('Target.attachToTarget', { targetId, flatten: true });
    this.sid = sessionId;
    const fetchCtx = { origin: this.origin, vendorHosts: new Set(KEY.vendor_script_hosts), postByNetworkId: new Map(), log,
      scripts: new Map([[`${GATEWAY}/phiwall.js`, readFileSync(join(ROOT, 'gateway', 'tag', 'phiwall.js'))]]) };
    this.cdp.on((msg) => {
      if (msg.sessionId !== this.sid) return;
      if (msg.method === 'Network.requestWillBeSent') {
        this.loaderOf.set(msg.params.requestId, msg.params.loaderId);
        if (msg.params.type === 'Document') this.docLoaders.add(msg.params.loaderId);
      }
      if (msg.method !== 'Fetch.requestPaused') return;
      const p = msg.params;
      const third = !p.request.url.startsWith(this.origin) && /^https?:/.test(p.request.url);
      if (third) this.raw.push({ url: p.request.url, method: p.request.method, body: postBody(p.request) || '', type: p.resourceType });
      if (third && p.resourceType !== 'Script') {
        const ct = Object.entries(p.request.headers || {}).find(([k]) => k.toLowerCase() === 'content-type');
        try {
          for (const ev of classify(p.request.url, p.request.method, postBody(p.request), ct ? ct[1] : '')) this.seen.push({ ...ev, rid: p.networkId });
        } catch (err) { this.seen.push({ name: `unparsable:${p.request.url.slice(0, 80)}`, fields: new Map() }); }
      }
      onRequestPaused(this.cdp, this.sid, fetchCtx, p);
    });
    for (const m of ['Page.enable', 'Runtime.enable', 'Network.enable']) await this.cdp.send(m, {}, this.sid);
    await this.cdp.send('Fetch.enable', { patterns: [{ urlPattern: '*', requestStage: 'Request' }] }, this.sid);
    this.d = new Driver(this.cdp, this.sid, this);
  }
  async clearCookies() { await this.cdp.send('Storage.clearCookies', { browserContextId: this.contextId }); }
  async acceptConsent() {
    await this.cdp.send('Storage.setCookies', { browserContextId: this.contextId,
      cookies: [{ name: 'demo_consent', value: 'accepted', url: this.origin + '/', sameSite: 'Lax' }] });
  }
  async login() {
    await this.d.goto('/portal/login');
    await this.d.type('#username', KEY.portal.username);
    await this.d.type('#password', KEY.portal.password);
    await this.d.click('#login-submit', 'submit', true);
  }
  /* Names of the events sent by the document `loader` (all events when loader is null). */
  names(loader) {
    return new Set(this.seen.filter((e) => !loader || this.loaderOf.get(e.rid) === loader).map((e) => e.name));
  }
  /* Beacons sent while `loader`'s page unloads: Chromium gives keepalive requests sent at
   * pagehide no reliable loader, so they count when they name `path` and come from no other
   * known document. */
  leftNames(loader, path) {
    return new Set(this.seen.filter((e) => {
      const l = this.loaderOf.get(e.rid);
      return l === loader || (e.page === path && !this.docLoaders.has(l));
    }).map((e) => e.name));
  }
  /* Waits until every name in `want` was seen from `loader` (or the deadline), then a little more. */
  async collect(loader, want, deadlineMs = 12000) {
    const end = Date.now() + deadlineMs;
    while (Date.now() < end && [...want].some((n) => !this.names(loader).has(n))) await sleep(100);
    await sleep(400);
    return this.names(loader);
  }
  /* Leaves the current page first, so its pagehide beacons are not counted for the next one. */
  async fresh() {
    await this.leave();
    this.seen = [];
  }
  /* Navigates to about:blank; waits for the `want` events of `loader` (pagehide beacons), if
   * any, then until nothing more arrives for 300 ms. */
  async leave(loader = null, path = null, want = []) {
    await this.cdp.send('Page.navigate', { url: 'about:blank' }, this.sid);
    const end = Date.now() + 10000;
    while (Date.now() < end && want.some((n) => !this.leftNames(loader, path).has(n))) await sleep(100);
    let n = -1;
    while (n !== this.seen.length) { n = this.seen.length; await sleep(300); }
  }
}

/* ---------- the checks ---------- */
class Report {
  constructor() { this.checks = 0; this.failures = []; }
  ok(cond, msg) { this.checks++; if (!cond) this.failures.push(msg); }
}

async function checkPage(tab, page, rep) {
  const fires = page.on_load.fires;
  const listed = new Set(fires.map((f) => `${f.tracker}:${f.event}`));
  const waits = fires.some((f) => f.consent === 'after-accept');
  await tab.clearCookies();
  if (page.auth_required) await tab.login();
  /* 1. load without any consent choice */
  await tab.fresh();
  await tab.d.goto(page.path);
  const loader = tab.loaderId;
  const before = await tab.collect(loader, fires.filter((f) => f.consent === 'before').map((f) => `${f.tracker}:${f.event}`));
  for (const f of fires) {
    const n = `${f.tracker}:${f.event}`;
    if (f.consent === 'before') rep.ok(before.has(n), `${page.path}: ${n} does not fire on load`);
    else rep.ok(!before.has(n), `${page.path}: ${n} fires before consent, the key says after-accept`);
  }
  for (const n of before) rep.ok(listed.has(n), `${page.path}: ${n} fires on load but the key does not list it`);
  /* 2. leave it */
  const leaving = new Set(page.on_leave.fires.map((f) => `${f.tracker}:${f.event}`));
  tab.seen = [];
  await tab.leave(loader, page.path, [...leaving]);
  const left = tab.leftNames(loader, page.path);
  for (const n of leaving) rep.ok(left.has(n), `${page.path}: ${n} does not fire on leaving`);
  for (const n of left) rep.ok(leaving.has(n), `${page.path}: ${n} fires on leaving but the key does not list it`);
  /* 3. load again, after "accept" where some tag waits for it */
  const clicks = page.interactions.filter((it) => it.on === 'click' && /^#[\w-]+$/.test(it.target));
  if (waits) {
    await tab.acceptConsent();
    tab.seen = [];
    await tab.d.goto(page.path);
    const after = await tab.collect(tab.loaderId, listed);
    for (const n of listed) rep.ok(after.has(n), `${page.path}: ${n} does not fire after consent`);
  } else if (clicks.length) {
    tab.seen = [];
    await tab.d.goto(page.path);
    await tab.collect(tab.loaderId, listed);
  }
  /* 4. click what the key says to click */
  for (const it of clicks) {
    tab.seen = [];
    await tab.d.click(it.target, 'click', !!it.leads_to);
    const want = it.fires.filter((f) => waits || f.consent !== 'after-accept').map((f) => `${f.tracker}:${f.event}`);
    const got = await tab.collect(null, want);
    for (const n of want) rep.ok(got.has(n), `${page.path}: click ${it.target}: ${n} not sent`);
    for (const p of it.phi) {
      if (p.kind !== 'button-text' || !p.value || (p.tracker === 'tiktok' && !waits)) continue;
      const hit = tab.seen.some((e) => e.name.startsWith(p.tracker + ':') && e.fields.get(p.field) === p.value);
      rep.ok(hit, `${page.path}: click ${it.target}: no ${p.tracker} ${p.field} = "${p.value}"`);
    }
    if (it.leads_to) { await tab.fresh(); await tab.d.goto(page.path); } /* back for the next one */
  }
  log(page.path, 'checked');
}

/*
 * --clean: the clean variant must send nothing to any third party; it loads the gateway's tag
 * from the gateway URL and posts events to its /e, with the page path but no query, title,
 * referrer or typed value.
 */
const GATEWAY_EVENTS = `${GATEWAY}/e`;
function gatewayEvents(hits) {
  const out = [];
  for (const r of hits) {
    let b = null;
    try { b = JSON.parse(r.body); } catch { /* reported by the caller */ }
    for (const ev of (b && (b.events || (Array.isArray(b) ? b : [b]))) || [null]) out.push({ ev, raw: r.body });
  }
  return out;
}
async function checkCleanPage(tab, page, rep) {
  await tab.clearCookies();
  if (page.auth_required) await tab.login();
  await tab.fresh();
  tab.raw = [];
  await tab.d.goto(page.path);
  const end = Date.now() + 8000;
  const gatewayHits = () => tab.raw.filter((r) => r.url === GATEWAY_EVENTS);
  const sent = (name) => gatewayEvents(gatewayHits()).some((e) => e.ev && e.ev.name === name);
  while (Date.now() < end && !sent('page_view')) await sleep(100);
  if (page.path === '/appointments/request') {
    const c = KEY.canary;
    for (const [sel, v] of [['#first_name', c.first_name], ['#last_name', c.last_name], ['#email', c.email], ['#phone', c.phone]])
      await tab.d.type(sel, v);
    await tab.d.setValue('#dob', c.dob); /* required, like the names */
    await tab.d.click('#appointment-submit', 'submit', true);
    const until = Date.now() + 8000;
    while (Date.now() < until && !sent('appointment_request')) await sleep(100);
    rep.ok(sent('appointment_request'), `clean ${page.path}: no appointment_request event on submit`);
  }
  await sleep(300);
  for (const r of tab.raw)
    rep.ok(r.url.startsWith(`${GATEWAY}/`), `clean ${page.path}: request to a third party: ${r.method} ${r.url.slice(0, 100)}`);
  rep.ok(sent('page_view'), `clean ${page.path}: no page_view to the gateway`);
  for (const { ev, raw } of gatewayEvents(gatewayHits())) {
    rep.ok(ev && /^[0-9a-f-]{36}$/.test(ev.event_id) && typeof ev.name === 'string',
      `clean ${page.path}: malformed gateway event ${raw.slice(0, 120)}`);
    if (!ev) continue;
    const leaks = [KEY.canary.email, KEY.canary.last_name, KEY.canary.first_name, page.title]
      .filter((x) => x && raw.includes(x));
    if (/[?#]/.test(ev.page_url || '')) leaks.push('a query or fragment in page_url');
    if (ev.page_title !== undefined) leaks.push('page_title');
    if (ev.referrer !== undefined) leaks.push('referrer');
    if (ev.user !== undefined) leaks.push('user data');
    rep.ok(leaks.length === 0, `clean ${page.path}: gateway event carries ${leaks.join(', ')}`);
  }
}

async function main() {
  const clean = !!args.clean;
  const { proc: server, origin } = await startServer(SERVER, clean ? ['--clean', '--gateway', GATEWAY] : []);
  const chrome = launchChromium(CHROMIUM, args.verbose);
  const rep = new Report();
  try {
    const tabs = [];
    for (let i = 0; i < WORKERS; i++) { const t = new Tab(chrome.cdp, origin); await t.open(); tabs.push(t); }
    const queue = KEY.pages.slice();
    await Promise.all(tabs.map(async (tab) => {
      for (let page = queue.shift(); page; page = queue.shift()) {
        try { await (clean ? checkCleanPage : checkPage)(tab, page, rep); } catch (err) { rep.ok(false, `${page.path}: ${err.message}`); }
      }
    }));
  } finally {
    try { server.kill('SIGTERM'); } catch {}
    await chrome.close();
  }
  for (const f of rep.failures) console.log(`FAIL: ${f}`);
  console.log(`verify-key${clean ? ' --clean' : ''}: ${KEY.pages.length} pages, ${rep.checks} checks, ${rep.failures.length} failed`);
  process.exit(rep.failures.length ? 1 : 0);
}

main().catch((err) => { console.error(`verify-key: ${err.stack || err}`); process.exit(1); });
