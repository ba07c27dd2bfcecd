// tag_harness.js — runs gateway/tag/phiwall.js in node with a fake window/document/navigator, a
// fake clock and a recording localStorage, and checks its behaviour (used by
// tests/integration/gateway_tag.sh). Prints "ok N" / "not ok N", then PASS n or FAILED n.
'use strict';
const fs = require('fs');
const nodeCrypto = require('crypto');
const src = fs.readFileSync(process.argv[2], 'utf8');
let n = 0, failed = 0;
function check(cond, what) { n++; if (!cond) { failed++; console.log('not ok ' + n + ' ' + what); } else console.log('ok ' + n + ' ' + what); }
const UUID4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const PHI_URL = 'https://www.example-hospital.org/find-a-doctor?condition=hiv&mrn=12345678#x';
const PHI_TITLE = 'HIV clinic — results for patient 12345678';
const EMAIL = 'jane.doe@example.com', PHONE = '+1 555 867 5309';
// Nothing of these may ever be written to storage, in any value, at any time.
const SECRETS = ['condition=hiv', '12345678', 'HIV clinic', EMAIL, PHONE, 'referrer-secret'];

// opts: fetch(n, init) -> Promise (n counts calls), beacon(n) -> bool, before(q), stored (initial
// localStorage), shared (a storage object shared with another load(): a second tab), attrs
// (script attributes), noRandomUUID, offline, now (the clock's start).
function load(opts) {
  const sent = [];
  const store = opts.shared || Object.assign({}, opts.stored || {});
  const writes = []; // every value ever written, to check what was persisted
  const timers = [];
  const clock = { now: opts.now || 1764300000000 };
  const listeners = {};
  const on = (k, f) => { (listeners[k] = listeners[k] || []).push(f); };
  let fetches = 0, beacons = 0;
  const win = {
    location: { href: opts.href || PHI_URL },
    navigator: { onLine: !opts.offline },
    localStorage: {
      getItem: k => (k in store ? store[k] : null),
      setItem: (k, v) => { store[k] = String(v); writes.push(k + '=' + String(v)); },
      removeItem: k => { delete store[k]; },
    },
    addEventListener: (k, f) => on('window:' + k, f),
    crypto: opts.noRandomUUID ? { getRandomValues: a => nodeCrypto.randomFillSync(a) } : nodeCrypto.webcrypto,
  };
  if (opts.beacon) win.navigator.sendBeacon = (url, blob) => { sent.push({ via: 'beacon', url, at: clock.now, body: JSON.parse(blob.parts[0]) }); return opts.beacon(++beacons); };
  if (opts.fetch) win.fetch = (url, init) => { sent.push({ via: 'fetch', url, init, at: clock.now, body: JSON.parse(init.body) }); return opts.fetch(++fetches, init); };
  const attrs = opts.attrs || {};
  const doc = { title: PHI_TITLE, referrer: 'https://search.example/?q=referrer-secret', visibilityState: 'visible',
    currentScript: { src: 'https://gw.example-hospital.org/phiwall.js', getAttribute: k => (k in attrs ? attrs[k] : null) },
    addEventListener: (k, f) => on('document:' + k, f) };
  const FakeDate = { now: () => clock.now };
  const setTimeoutFake = (f, ms) => { timers.push({ at: clock.now + Math.max(0, ms || 0), f }); return timers.length; };
  win.phiwall = function () { (win.phiwall.q = win.phiwall.q || []).push(arguments); };
  (opts.before || (() => {}))(win.phiwall);
  new Function('window', 'document', 'Blob', 'setTimeout', 'Date', src)(win, doc, class { constructor(p) { this.parts = p; } }, setTimeoutFake, FakeDate);
  const settle = () => new Promise(r => setImmediate(r));
  return {
    win, doc, sent, timers, store, writes, clock, listeners,
    events: () => sent.flatMap(s => s.body.events),
    // Run due timers in time order (the clock jumps to each), letting promises settle.
    run: async (maxSteps = 200) => {
      await settle();
      for (let i = 0; i < maxSteps && timers.length; i++) {
        timers.sort((a, b) => a.at - b.at);
        const t = timers.shift();
        clock.now = Math.max(clock.now, t.at);
        t.f();
        await settle(); await settle();
      }
    },
    fire: async (k, ev) => { (listeners[k] || []).forEach(f => f(ev || { type: k.split(':')[1] })); await settle(); },
  };
}
const ok200 = () => Promise.resolve({ status: 200 });
const noSecrets = t => t.writes.every(v => SECRETS.every(s => !v.includes(s))) &&
  Object.values(t.store).every(v => SECRETS.every(s => !v.includes(s)));

(async () => {
  // 1. fetch by default: page view + track, no user data and no fpid without consent.
  let t = load({ fetch: ok200, beacon: () => true, before: q => q('track', 'appointment_request', { value: 1 }, { email: EMAIL }) });
  await t.run();
  const evs = t.events();
  check(t.sent.length >= 1 && t.sent.every(s => s.via === 'fetch'), 'sent with fetch, not sendBeacon, while the page lives');
  check(t.sent[0]?.init?.keepalive === true && t.sent[0]?.init?.credentials === 'omit', 'fetch keepalive, no credentials');
  check(t.sent[0]?.url === 'https://gw.example-hospital.org/e', 'posts to the gateway that served the tag');
  check(evs.some(e => e.name === 'page_view') && evs.some(e => e.name === 'appointment_request'), 'automatic page view + tracked event');
  check(evs.every(e => UUID4.test(e.event_id)), 'UUIDv4 event_id per event');
  check(new Set(evs.map(e => e.event_id)).size === evs.length, 'event_ids distinct');
  check(evs.every(e => !e.user && !e.fpid), 'no user data, no fpid without consent');
  check(evs.every(e => e.page_url === PHI_URL && e.page_title === PHI_TITLE), 'live send carries the page (the gateway reduces it)');
  check(noSecrets(t), 'storage never holds query, title, referrer, email or phone (online)');

  // 2. consent: user data and a stable fpid once ads consent is given.
  t = load({ fetch: ok200, before: q => { q('consent', { ads: true }); q('track', 'contact', {}, { email: EMAIL, phone: PHONE }); } });
  await t.run();
  const e2 = t.events().find(e => e.name === 'contact');
  check(e2 && e2.user && e2.user.email === EMAIL && e2.consent.ads === true, 'user data only with consent.ads');
  check(e2 && UUID4.test(e2.fpid), 'first-party id created after consent');
  check(noSecrets(t), 'user data never stored, even with consent');

  // 3. 503, then 429, then a network error: the same events come again, with backoff, then 200.
  const answers = [503, 429, 'neterr', 200];
  t = load({ beacon: () => true, fetch: k => {
    const a = answers[Math.min(k, answers.length) - 1];
    return a === 'neterr' ? Promise.reject(new TypeError('network')) : Promise.resolve({ status: a });
  }, before: q => q('track', 'appointment_request') });
  await t.run();
  const fetches = t.sent.filter(s => s.via === 'fetch');
  const ids = f => f.body.events.map(e => e.event_id).sort().join();
  check(fetches.length === 4, 'a gateway answering 503/429/network error gets the events again (' + fetches.length + ' fetches)');
  check(fetches.length === 4 && fetches.every(f => ids(f) === ids(fetches[0])), 'retries keep the same event_ids');
  check(fetches.length === 4 && fetches[1].at - fetches[0].at >= 500 && fetches[3].at - fetches[2].at >= 2000, 'retries back off (' + fetches.map(f => f.at - fetches[0].at).join(',') + ' ms)');
  check(t.sent.every(s => s.via === 'fetch'), 'no beacon while the page lives');
  check(fetches.every(f => f.body.events.every(e => !('_tries' in e))), 'retry bookkeeping not sent');
  check(JSON.parse(t.store._phiwall_q).length === 0, 'queue empty once the gateway took the events');

  // 4. 400 (the gateway refuses the body): not retried.
  t = load({ fetch: () => Promise.resolve({ status: 400 }) });
  await t.run();
  check(t.sent.length === 1 && JSON.parse(t.store._phiwall_q).length === 0, 'a 400 is final, not retried');

  // 5. offline with ads consent and user data: what is persisted is the reduced event only.
  t = load({ offline: true, fetch: ok200, before: q => { q('consent', { ads: true, analytics: true }); q('track', 'appointment_request', { value: 1 }, { email: EMAIL, phone: PHONE }); } });
  await t.run(5);
  const stored = JSON.parse(t.store._phiwall_q || '[]');
  check(t.sent.length === 0 && stored.length === 2, 'offline: events queued in storage');
  check(noSecrets(t), 'offline: no query, title, referrer, email or phone in any stored value');
  check(stored.every(e => e.page_url === 'https://www.example-hospital.org/find-a-doctor' && !e.user && !e.consent && !e.page_title && !e.referrer),
    'stored event: origin + path, no user, consent, title or referrer');

  // 6. a new visit sends the stored events with the consent of the moment: withdrawn -> no user, no fpid.
  const t2 = load({ stored: { _phiwall_q: t.store._phiwall_q }, fetch: ok200, before: q => q('consent', { ads: false, analytics: false }), attrs: { 'data-auto-pageview': 'false' } });
  await t2.run();
  const e6 = t2.events();
  check(e6.length === 2 && e6.every(e => !e.user && !e.fpid && e.consent.ads === false), 'next visit: stored events sent with consent at send time');
  check(e6.every(e => e.page_url === 'https://www.example-hospital.org/find-a-doctor' && !e.page_title), 'next visit: reduced page only');

  // 7. withdrawal after a failed send and before the retry wins.
  t = load({ fetch: k => (k === 1 ? Promise.reject(new TypeError('offline')) : ok200()), attrs: { 'data-auto-pageview': 'false' },
    before: q => { q('consent', { ads: true }); q('track', 'contact', {}, { email: EMAIL, phone: PHONE }); } });
  await t.run(1);
  check(t.sent.length === 1 && t.sent[0]?.body.events[0].user, 'first try had user data (consent given)');
  t.win.phiwall('consent', { ads: false });
  await t.run();
  const last = t.sent[t.sent.length - 1]?.body.events[0] || {};
  check(t.sent.length === 2 && !last.user && last.consent.ads === false && last.event_id === t.sent[0]?.body.events[0].event_id,
    'withdrawal before the retry: sent again without user data and with ads: false');
  check(noSecrets(t), 'nothing of it stored meanwhile');

  // 8. withdrawal before the first flush wins too; withdrawing both removes the fpid.
  t = load({ fetch: ok200, attrs: { 'data-auto-pageview': 'false' }, before: q => { q('consent', { ads: true, analytics: true }); q('track', 'contact', {}, { email: EMAIL }); q('consent', { ads: false, analytics: false }); } });
  await t.run();
  const e8 = t.events();
  check(e8.length === 1 && !e8[0].user && !e8[0].fpid && e8[0].consent.ads === false, 'withdrawal before flush: no user data, no fpid');
  check(!('_phiwall_id' in t.store), 'withdrawing all consent removes the stored first-party id');

  // 9. a queue stored by an older tag (raw page, title, user) is rewritten reduced on load.
  const old = JSON.stringify([{ event_id: '8a6e0804-2bd0-4672-b79d-d97027f9071a', name: 'contact', time: 1764300000000, page_url: PHI_URL,
    page_title: PHI_TITLE, consent: { ads: true }, user: { email: EMAIL, phone: PHONE }, params: {}, _tries: 1 }]);
  t = load({ stored: { _phiwall_q: old }, offline: true, attrs: { 'data-auto-pageview': 'false' } });
  check(SECRETS.every(s => !t.store._phiwall_q.includes(s)) && JSON.parse(t.store._phiwall_q).length === 1, 'old stored queue scrubbed on load');

  // 10. the page goes away: a keepalive fetch without cookies (not sendBeacon, which sends the
  // site's cookies: 431 with large ones), once, for what is queued.
  t = load({ fetch: () => new Promise(() => {}), beacon: () => true, attrs: { 'data-auto-pageview': 'false' } });
  t.win.phiwall('track', 'contact');
  await t.fire('window:pagehide');
  check(t.sent.length === 1 && t.sent[0].via === 'fetch' && t.sent[0].init.keepalive === true && t.sent[0].init.credentials === 'omit' &&
    t.sent[0].body.events[0].name === 'contact', 'pagehide: queued events go by fetch keepalive, credentials omit (not sendBeacon)');
  t = load({ fetch: () => new Promise(() => {}), beacon: () => true, attrs: { 'data-auto-pageview': 'false' } });
  t.doc.visibilityState = 'hidden';
  t.win.phiwall('track', 'lead');
  await t.fire('document:visibilitychange');
  check(t.sent.length === 1 && t.sent[0].via === 'fetch' && t.sent[0].init.keepalive === true && t.sent[0].body.events[0].name === 'lead', 'visibilitychange hidden: fetch keepalive');
  await t.run();
  check(t.sent.length === 1, 'events sent on leaving are not sent again');
  // no fetch at all: sendBeacon is the fallback.
  t = load({ beacon: () => true, attrs: { 'data-auto-pageview': 'false' } });
  t.win.phiwall('track', 'contact');
  await t.fire('window:pagehide');
  check(t.sent.length >= 1 && t.sent.every(s => s.via === 'beacon') && JSON.parse(t.store._phiwall_q).length === 0, 'no fetch: sendBeacon fallback');
  // 10c. leaving with 150 KB queued: keepalive bodies in flight stay under the 64 KiB quota, the
  // rest stays stored for the next page.
  t = load({ offline: true, fetch: () => new Promise(() => {}), attrs: { 'data-auto-pageview': 'false' } });
  for (let i = 0; i < 30; i++) t.win.phiwall('track', 'contact', { value: 'x'.repeat(5000) });
  t.win.navigator.onLine = true;
  await t.fire('window:pagehide');
  const kaBytes = t.sent.reduce((a, s) => a + Buffer.byteLength(s.init.body), 0);
  const leftQ = JSON.parse(t.store._phiwall_q).length;
  check(t.sent.length >= 1 && t.sent.every(s => s.init.keepalive === true) && kaBytes <= 65536 && kaBytes > 40000,
    'pagehide: keepalive bodies within 64 KiB (' + kaBytes + ' bytes in ' + t.sent.length + ' posts)');
  check(leftQ > 0 && leftQ + t.sent.reduce((a, s) => a + s.body.events.length, 0) === 30, 'what does not fit stays stored (' + leftQ + ')');

  // 10b. offline or backing off when the page goes away: no beacon, the queue stays stored.
  t = load({ offline: true, beacon: () => true, fetch: ok200, attrs: { 'data-auto-pageview': 'false' } });
  t.win.phiwall('track', 'contact');
  await t.fire('window:pagehide');
  check(t.sent.length === 0 && JSON.parse(t.store._phiwall_q).length === 1, 'pagehide offline: kept for the next page');
  t = load({ beacon: () => true, fetch: () => Promise.resolve({ status: 503 }), attrs: { 'data-auto-pageview': 'false' } });
  t.win.phiwall('track', 'contact');
  await t.run(2);
  await t.fire('window:pagehide');
  check(t.sent.every(s => s.via === 'fetch') && JSON.parse(t.store._phiwall_q).length === 1, 'pagehide after a 503: no beacon, kept for the next page');

  // 13. double delivery: a keepalive fetch in flight when the page is left fails in the page
  // (the browser still delivers it, the gateway accepts it): it is not stored again.
  let rejectIt;
  t = load({ fetch: () => new Promise((res, rej) => { rejectIt = rej; }), attrs: { 'data-auto-pageview': 'false' } });
  t.win.phiwall('track', 'appointment_request');
  await t.run(2);
  check(t.sent.length === 1 && JSON.parse(t.store._phiwall_q).length === 0, 'in flight: no longer in storage');
  await t.fire('window:pagehide');
  rejectIt(new TypeError('Failed to fetch'));
  await t.run();
  check(t.sent.length === 1 && JSON.parse(t.store._phiwall_q).length === 0, 'a keepalive fetch failing after pagehide is not re-queued');
  // the same failure while the page lives: retried as before.
  t = load({ fetch: k => (k === 1 ? Promise.reject(new TypeError('Failed to fetch')) : new Promise(() => {})), attrs: { 'data-auto-pageview': 'false' } });
  t.win.phiwall('track', 'appointment_request');
  await t.run(1);
  check(JSON.parse(t.store._phiwall_q).length === 1 && JSON.parse(t.store._phiwall_q)[0]._sent > 0, 'failure while the page lives: stored for a retry, with when it was first sent');
  // 13b. a stored event first sent more than 10 minutes ago (the gateway's 15-minute duplicate
  // window would be over by the time it arrives) is dropped, not sent again; one never sent is.
  const T0 = 1764300000000;
  const sentLong = JSON.stringify([
    { event_id: '8a6e0804-2bd0-4672-b79d-d97027f9071a', name: 'appointment_request', time: T0, params: {}, _tries: 1, _sent: T0 },
    { event_id: '9b7f1915-3ce1-4783-a8ae-e08138f0182b', name: 'contact', time: T0, params: {}, _tries: 0 },
    { event_id: '0c8a2a26-4df2-4894-b9bf-f19249a1293c', name: 'newsletter_signup', time: T0, params: {}, _tries: 2 }]);
  t = load({ now: T0 + 16 * 60000, stored: { _phiwall_q: sentLong }, fetch: ok200, attrs: { 'data-auto-pageview': 'false' } });
  await t.run();
  check(t.events().length === 1 && t.events()[0].name === 'contact', 'stored events first sent > 10 min ago dropped, never-sent kept (' + t.events().map(e => e.name) + ')');
  t = load({ now: T0 + 5 * 60000, stored: { _phiwall_q: sentLong }, fetch: ok200, attrs: { 'data-auto-pageview': 'false' } });
  await t.run();
  check(t.events().length === 3, 'within the window all are sent again (the gateway deduplicates)');

  // 14. consent from an asynchronous CMP: with data-wait-for-consent nothing goes before it.
  t = load({ fetch: ok200, attrs: { 'data-wait-for-consent': '' } });
  await t.run();
  check(t.sent.length === 0, 'data-wait-for-consent: page view held until consent');
  t.win.phiwall('consent', { ads: true, analytics: true });
  await t.run();
  const pv = t.events().find(e => e.name === 'page_view');
  check(pv && pv.consent.ads === true && pv.consent.analytics === true, 'page view sent once the CMP gave consent');
  t = load({ fetch: ok200, attrs: { 'data-wait-for-consent': '3000' } });
  await t.run();
  check(t.events().length === 1 && t.sent[0].at - 1764300000000 >= 3000, 'data-wait-for-consent=3000: sent after at most 3 s without consent');
  t = load({ fetch: () => new Promise(() => {}), attrs: { 'data-wait-for-consent': '' } });
  t.doc.visibilityState = 'hidden';
  await t.fire('document:visibilitychange');
  check(t.events().length === 0 && JSON.parse(t.store._phiwall_q).length === 1, 'data-wait-for-consent: a hidden tab still waits (kept stored)');
  await t.fire('window:pagehide');
  check(t.events().length === 1, 'data-wait-for-consent: the page view still goes when the page is left');

  // 15. two tabs share the stored queue: neither overwrites the other's events (gateway down).
  const shared = {};
  const down = () => Promise.reject(new TypeError('Failed to fetch'));
  const ta = load({ shared, fetch: down, attrs: { 'data-auto-pageview': 'false' } });
  const tb = load({ shared, fetch: down, attrs: { 'data-auto-pageview': 'false' } });
  ta.win.phiwall('track', 'contact');
  await ta.run(1);
  tb.win.phiwall('track', 'newsletter_signup');
  await tb.run(1);
  ta.win.phiwall('track', 'appointment_request');
  await ta.run(1);
  await tb.fire('window:pagehide');
  const names = JSON.parse(shared._phiwall_q).map(e => e.name).sort().join();
  check(names === 'appointment_request,contact,newsletter_signup', 'two tabs: stored queue is the union (' + names + ')');
  const tc = load({ shared, fetch: ok200, attrs: { 'data-auto-pageview': 'false' } });
  await tc.run();
  check(tc.events().length === 3 && JSON.parse(shared._phiwall_q).length === 0, 'the next page sends both tabs\' events; sent ones leave the store');

  // 16. back/forward cache restore: a page view.
  t = load({ fetch: ok200 });
  await t.run();
  await t.fire('window:pagehide');
  await t.fire('window:pageshow', { type: 'pageshow', persisted: true });
  await t.run();
  check(t.events().filter(e => e.name === 'page_view').length === 2, 'pageshow persisted: page view');

  // 11. data-page="path": no query, title or referrer even on the wire.
  t = load({ fetch: ok200, attrs: { 'data-page': 'path' } });
  await t.run();
  check(t.events().every(e => e.page_url === 'https://www.example-hospital.org/find-a-doctor' && !e.page_title && !e.referrer), 'data-page=path');

  // 12. no crypto.randomUUID: getRandomValues fallback still gives UUIDv4.
  t = load({ fetch: ok200, noRandomUUID: true });
  await t.run();
  check(t.events().length > 0 && t.events().every(e => UUID4.test(e.event_id)), 'UUIDv4 fallback');
  console.log(failed ? 'FAILED ' + failed : 'PASS ' + n);
  process.exit(failed ? 1 : 0);
})().catch(e => { console.log('not ok ' + (n + 1) + ' harness threw: ' + (e && e.stack)); console.log('FAILED'); process.exit(1); });
