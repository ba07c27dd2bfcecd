/*
 * cdp.mjs — what the demo's browser scripts share (record-har.mjs, verify-key.mjs): start
 * phiwall-demo-server, launch headless Chromium with DevTools over --remote-debugging-pipe
 * (fd 3 in, fd 4 out, NUL-terminated JSON), the contained Fetch interception (vendor scripts from
 * the demo server's /vendor/<host>/<path>, every other third-party request answered locally) and
 * a page driver with real mouse and key events. Node built-ins only.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const GIF = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');

export const CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--disable-features=IsolateOrigins,site-per-process', '--window-size=1280,1000'];

/* ---------- the demo server ---------- */
export function startServer(SERVER, extraArgs = []) {
  return new Promise((resolveStart, reject) => {
    const proc = spawn(SERVER, ['--port', '0', '--quiet', ...extraArgs], { stdio: ['ignore', 'pipe', 'inherit'] });
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

/* Launches Chromium on a fresh profile; close() kills it and removes the profile. */
export function launchChromium(path, verbose) {
  const profile = mkdtempSync(join(tmpdir(), 'phiwall-cdp-'));
  const proc = spawn(path, [...CHROMIUM_FLAGS, `--user-data-dir=${profile}`, '--remote-debugging-pipe', 'about:blank'],
    { stdio: ['ignore', 'ignore', verbose ? 'inherit' : 'ignore', 'pipe', 'pipe'] });
  const exited = new Promise((r) => proc.on('exit', r));
  const cdp = new Cdp(proc);
  /* Browser.close first (its helper processes exit with it), SIGKILL if that hangs. */
  const close = async () => {
    if (proc.exitCode === null) {
      cdp.send('Browser.close').catch(() => {});
      await Promise.race([exited, sleep(3000)]);
    }
    if (proc.exitCode === null && proc.signalCode === null) {
      try { proc.kill('SIGKILL'); } catch {}
      await Promise.race([exited, sleep(3000)]);
    }
    for (let i = 0; i < 10; i++) {
      try { rmSync(profile, { recursive: true, force: true }); return; } catch { await sleep(300); }
    }
  };
  return { proc, cdp, close };
}

/* ---------- DevTools over the pipe ---------- */
export class Cdp {
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
  /* Resolves with the params of the next `method` event (from sessionId, when given). */
  waitFor(method, pred = () => true, timeout = 15000, sessionId = undefined) {
    return new Promise((res, rej) => {
      const t = setTimeout(() => { this.listeners = this.listeners.filter((x) => x !== fn); rej(new Error(`timeout waiting for ${method}`)); }, timeout);
      const fn = (msg) => {
        if (msg.method === method && (sessionId === undefined || msg.sessionId === sessionId) && pred(msg.params)) {
          clearTimeout(t);
          this.listeners = this.listeners.filter((x) => x !== fn);
          res(msg.params);
        }
      };
      this.listeners.push(fn);
    });
  }
}

export function headerList(h) { return Object.entries(h || {}).map(([name, value]) => ({ name, value: String(value) })); }
export function headerValue(h, name) {
  for (const [k, v] of Object.entries(h || {})) if (k.toLowerCase() === name) return String(v);
  return null;
}
export function queryList(url) {
  try { return [...new URL(url).searchParams].map(([name, value]) => ({ name, value })); } catch { return []; }
}
export function postBody(req) {
  if (req.postDataEntries && req.postDataEntries.length)
    return Buffer.concat(req.postDataEntries.map((x) => Buffer.from(x.bytes || '', 'base64'))).toString('utf8');
  if (typeof req.postData === 'string') return req.postData;
  return null;
}

/* ---------- Fetch interception: serve vendor scripts, answer beacons locally ---------- */
/*
 * ctx: {origin, vendorHosts (Set), postByNetworkId (Map, filled with request bodies), log,
 *       scripts (optional Map: absolute URL without query -> Buffer, served as JavaScript)}.
 */
export async function onRequestPaused(cdp, sid, ctx, p) {
  const url = new URL(p.request.url);
  const body = postBody(p.request);
  if (body !== null && p.networkId) ctx.postByNetworkId.set(p.networkId, body);
  try {
    if (url.origin === ctx.origin) return await cdp.send('Fetch.continueRequest', { requestId: p.requestId }, sid);
    const own = ctx.scripts && p.request.method === 'GET' && ctx.scripts.get(url.origin + url.pathname);
    if (own) {
      return await cdp.send('Fetch.fulfillRequest', { requestId: p.requestId, responseCode: 200,
        responseHeaders: [{ name: 'Content-Type', value: 'application/javascript' }], body: own.toString('base64') }, sid);
    }
    if (ctx.vendorHosts.has(url.host) && p.resourceType === 'Script') {
      const r = await fetch(`${ctx.origin}/vendor/${url.host}${url.pathname}`);
      const buf = Buffer.from(await r.arrayBuffer());
      return await cdp.send('Fetch.fulfillRequest', { requestId: p.requestId, responseCode: r.status,
        responseHeaders: [{ name: 'Content-Type', value: 'application/javascript' }, { name: 'Access-Control-Allow-Origin', value: '*' }],
        body: buf.toString('base64') }, sid);
    }
    const image = p.resourceType === 'Image' || (p.request.method === 'GET' && p.resourceType !== 'Document');
    const allow = [{ name: 'Access-Control-Allow-Origin', value: ctx.origin }, { name: 'Access-Control-Allow-Credentials', value: 'true' }];
    if (image) {
      return await cdp.send('Fetch.fulfillRequest', { requestId: p.requestId, responseCode: 200,
        responseHeaders: [{ name: 'Content-Type', value: 'image/gif' }, ...allow], body: GIF.toString('base64') }, sid);
    }
    return await cdp.send('Fetch.fulfillRequest', { requestId: p.requestId, responseCode: 204, responseHeaders: allow, body: '' }, sid);
  } catch (err) {
    if (ctx.log) ctx.log('intercept failed', p.request.url, err.message);
  }
}

/* ---------- page driving ---------- */
/* state: {origin, step}; step is what the driver is doing (load, fill, click, submit). */
export class Driver {
  constructor(cdp, sid, rec) { this.cdp = cdp; this.sid = sid; this.rec = rec; }
  send(m, p) { return this.cdp.send(m, p, this.sid); }
  async eval(expr) {
    const r = await this.send('Runtime.evaluate', { expression: expr, awaitPromise: true, returnByValue: true });
    if (r.exceptionDetails) throw new Error(`evaluate failed: ${expr}: ${r.exceptionDetails.text}`);
    return r.result.value;
  }
  loaded() { return this.cdp.waitFor('Page.loadEventFired', () => true, 20000, this.sid); }
  async settle(ms = 1100) { await sleep(ms); }
  async goto(path) {
    this.rec.step = 'load';
    const done = this.loaded();
    const nav = await this.send('Page.navigate', { url: this.rec.origin + path });
    this.rec.loaderId = nav.loaderId; /* the document's loader: its requests carry this id */
    await done;
    await this.arrived();
    await this.settle(this.rec.settleMs ?? 1100);
  }
  /* Page.loadEventFired names no document: a late one of the about:blank left behind can end
   * the wait above before the new page exists (seen on a loaded CI machine). So also wait
   * until the window holds a loaded document of the site. */
  async arrived(ms = 20000) {
    const end = Date.now() + ms;
    const test = `document.readyState === 'complete' && location.href.startsWith(${JSON.stringify(this.rec.origin)})`;
    for (;;) {
      /* an evaluation during the navigation can fail (its context is destroyed): not yet */
      if (await this.eval(test).catch(() => false)) return;
      if (Date.now() > end) throw new Error(`page did not load within ${ms} ms`);
      await sleep(50);
    }
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
    await this.settle(this.rec.settleMs ?? (navigates ? 1100 : 700));
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

