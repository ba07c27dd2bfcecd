// tag_browser.mjs PW_SRC GW PORT — the first-party tag (served by a running gateway at GW)
// in a real headless Chromium (demo/cdp.mjs: fresh profile, the project's flags), on test pages
// this script serves at http://127.0.0.1:PORT (in the gateway's site.origins) and http://localhost:P
// (not, the same server). Used by tests/integration/gateway_tag_browser.sh. Prints "ok N" / "not ok N", then
// PASS n or FAILED n. Each scenario counts the gateway's accepted events through /metrics.
import http from 'node:http';
const [src, gw] = [process.argv[2], process.argv[3]];
const { launchChromium, Driver, postBody, sleep } = await import(`${src}/demo/cdp.mjs`);

let n = 0, failed = 0;
function check(cond, what) { n++; if (!cond) failed++; console.log(`${cond ? 'ok' : 'not ok'} ${n} ${what}`); }

const stub = `<script>window.phiwall = window.phiwall || function () { (phiwall.q = phiwall.q || []).push(arguments); };</script>`;
const tag = (attrs = '') => `<script async src="${gw}/phiwall.js"${attrs}></script>`;
const page = (title, head) => `<!doctype html><html><head><title>${title}</title>${head}</head><body>
<form id="f" method="get" action="/done"><input name="x" value="1"></form><a id="b" href="/b">b</a></body></html>`;
const routes = {
  '/plain': () => page('plain', stub + tag()),
  '/a': () => page('a', stub + tag()),
  '/b': () => page('b', stub + tag()),
  '/done': () => page('done', ''), // a page of the site without the tag
  '/cmp': () => page('cmp', stub + `<script>setTimeout(function () { phiwall('consent', {ads: true, analytics: true}); }, 300);</script>` +
    tag(' data-wait-for-consent')),
};
const server = http.createServer((req, res) => {
  req.resume();
  const path = new URL(req.url, 'http://x').pathname, r = routes[path];
  // no-store (as many hospital pages are) keeps a page out of the back/forward cache: it is
  // unloaded when left, and the fetch in flight fails in it; /a and /b may be kept (5.)
  const h = { 'Content-Type': 'text/html; charset=utf-8' };
  if (path !== '/a' && path !== '/b') h['Cache-Control'] = 'no-store';
  res.writeHead(r ? 200 : 404, h);
  res.end(r ? r() : 'no');
});
await new Promise((r) => server.listen(Number(process.argv[4]), '127.0.0.1', r));
const P = `http://127.0.0.1:${server.address().port}`, LP = P.replace('127.0.0.1', 'localhost');
console.log(`pages ${P}`);

async function metric(name) {
  const t = await (await fetch(`${gw}/metrics`)).text();
  const m = t.match(new RegExp(`^${name.replace(/[{}"]/g, (c) => '\\' + c)} (\\d+)$`, 'm'));
  return m ? Number(m[1]) : NaN;
}
const accepted = () => metric('phiwall_gateway_events_total{outcome="in"}'); // events received
const duplicates = () => metric('phiwall_gateway_events_total{outcome="duplicate"}');

async function tab(chrome, latency, hold = 0) {
  const cdp = chrome.cdp;
  const { targetId } = await cdp.send('Target.createTarget', { url: 'about:blank' });
  const { sessionId } = await cdp.send('Target.attachToTarget', { targetId, flatten: true });
  const reqs = [], byId = new Map();
  cdp.on((msg) => {
    if (msg.sessionId !== sessionId) return;
    const p = msg.params;
    if (msg.method === 'Network.requestWillBeSent' && p.request.url === `${gw}/e`) {
      const r = { body: postBody(p.request), headers: p.request.headers, status: null, fail: null };
      byId.set(p.requestId, r); reqs.push(r);
    } else if (msg.method === 'Network.requestWillBeSentExtraInfo' && byId.has(p.requestId)) {
      byId.get(p.requestId).cookie = (p.headers.Cookie || p.headers.cookie || '').length;
    } else if (msg.method === 'Network.responseReceived' && byId.has(p.requestId)) {
      byId.get(p.requestId).status = p.response.status;
    } else if (msg.method === 'Network.loadingFailed' && byId.has(p.requestId)) {
      byId.get(p.requestId).fail = p.errorText;
    } else if (msg.method === 'Fetch.requestPaused') { // hold: a gateway slower than the site
      setTimeout(() => cdp.send('Fetch.continueRequest', { requestId: p.requestId }, sessionId).catch(() => {}), hold);
    }
  });
  for (const m of ['Page.enable', 'Runtime.enable', 'Network.enable']) await cdp.send(m, {}, sessionId);
  if (hold) await cdp.send('Fetch.enable', { patterns: [{ urlPattern: `${gw}/e`, requestStage: 'Request' }] }, sessionId);
  if (latency) await cdp.send('Network.emulateNetworkConditions', { offline: false, latency, downloadThroughput: -1, uploadThroughput: -1 }, sessionId);
  const d = new Driver(cdp, sessionId, { origin: P, step: 'load', settleMs: 300 });
  d.reqs = reqs;
  d.targetId = targetId;
  return d;
}
async function nav(d, url) { const done = d.loaded(); await d.send('Page.navigate', { url }); await done; await sleep(500); }
const events = (d) => d.reqs.flatMap((r) => { try { return JSON.parse(r.body).events; } catch { return []; } });
async function until(fn, ms = 8000) { const end = Date.now() + ms; while (Date.now() < end) { if (await fn()) return true; await sleep(100); } return false; }

const chrome = launchChromium(process.env.CHROMIUM || '/usr/bin/chromium', false);
try {
  // 1. double delivery: a tracked event, then at once a link followed or a form submitted to a page
  // of the site (100 ms latency: the keepalive fetch is in flight as the page unloads, which
  // rejects it in the page while the browser completes it). The event reaches the gateway once and is not left in
  // localStorage for the next visit to send again.
  for (let i = 0; i < 4; i++) {
    const how = i % 2 ? `document.getElementById('f').submit()` : `location.href = '/done'`;
    const d = await tab(chrome, 100);
    await nav(d, `${P}/plain`);
    await until(async () => d.reqs.some((r) => r.status === 200));
    const a0 = await accepted();
    const done = d.loaded();
    await d.eval(`phiwall('track', 'appointment_request'); ${how}; 0`);
    await done;
    await sleep(1500);
    const q = await d.eval(`localStorage.getItem('_phiwall_q')`);
    const a1 = await accepted();
    check(a1 - a0 === 1 && !/appointment_request/.test(q || ''),
      `${how} with the event in flight: received once (+${a1 - a0}), not stored again (stored: ${q})`);
    await chrome.cdp.send('Target.closeTarget', { targetId: d.targetId }).catch(() => {});
  }

  // 2. 8 KB of site cookies (the gateway shares the host): an event tracked as the page hides
  // (pagehide in the same task: the tag's leave() sends it) goes without them (no 431) and is
  // accepted.
  {
    const d = await tab(chrome, 0);
    await nav(d, `${P}/plain`);
    await d.eval(`for (let i = 0; i < 8; i++) document.cookie = 'c' + i + '=' + 'x'.repeat(1000) + '; path=/'; 0`);
    await until(async () => d.reqs.some((r) => r.status === 200));
    const a0 = await accepted();
    await d.eval(`phiwall('track', 'contact'); window.dispatchEvent(new Event('pagehide')); 0`);
    await until(async () => d.reqs.length >= 2 && (d.reqs[d.reqs.length - 1].status || d.reqs[d.reqs.length - 1].fail));
    const last = d.reqs[d.reqs.length - 1] || {};
    check((await accepted()) - a0 === 1 && last.status === 200 && !last.cookie,
      `leaving with 8 KB of cookies: status ${last.status}, cookie bytes ${last.cookie || 0}, accepted +${(await accepted()) - a0}`);
    // the cookies are the profile's: the next pages' GET /phiwall.js would carry them (431)
    await d.send('Network.clearBrowserCookies');
  }

  // 3. an origin not in site.origins: the tag sees the 403 (final) and posts once, not 8 times.
  {
    const d = await tab(chrome, 0);
    await nav(d, `${LP}/plain`);
    await sleep(4000);
    const st = d.reqs.map((r) => r.status ?? r.fail);
    check(d.reqs.length === 1 && d.reqs[0].status === 403, `refused origin: ${d.reqs.length} post(s) in 4 s (${st.join(',')})`);
    const q = await d.eval(`localStorage.getItem('_phiwall_q')`);
    check(!/page_view/.test(q || ''), `refused origin: nothing stored for a retry (${q})`);
  }

  // 4. consent from an asynchronous CMP (300 ms after the tag) with data-wait-for-consent: the
  // page view goes once, with the consent.
  {
    const d = await tab(chrome, 0);
    await nav(d, `${P}/cmp`);
    await sleep(1500);
    const pv = events(d).filter((e) => e.name === 'page_view');
    check(pv.length === 1 && pv[0].consent.ads === true && pv[0].consent.analytics === true,
      `async CMP: page views sent ${pv.length}, consent ${JSON.stringify(pv.map((e) => e.consent))} (posts: ${d.reqs.map((r) => `${r.status ?? r.fail} ${(r.body || '').length}B`).join(', ')})`);
  }

  // 5. back/forward cache: /a -> /b -> back: the restored page sends a page view.
  {
    const d = await tab(chrome, 0);
    await nav(d, `${P}/a`);
    await nav(d, `${P}/b`);
    const restored = d.cdp.waitFor('Page.loadEventFired', () => true, 3000, d.sid).catch(() => null);
    await d.eval(`history.back(); 0`);
    await Promise.race([restored, sleep(2000)]);
    await sleep(1000);
    const pv = events(d).filter((e) => e.name === 'page_view').map((e) => new URL(e.page_url).pathname);
    const bf = await d.eval(`performance.getEntriesByType('navigation')[0]?.type`).catch(() => '?');
    check(pv.length === 3 && pv[2] === '/a', `back to /a: page views ${pv.join(' ')} (navigation ${bf})`);
  }
  console.log(`duplicates audited: ${await duplicates()}`);
} finally {
  await chrome.close();
  server.close();
}
console.log(failed ? `FAILED ${failed}` : `PASS ${n}`);
process.exit(failed ? 1 : 0);
