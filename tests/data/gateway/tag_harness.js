// tag_harness.js — runs gateway/tag/phiwall.js in node with a fake window/document/navigator and
// checks its behaviour (used by tests/integration/gateway_tag.sh). Prints "ok N" / "not ok N".
'use strict';
const fs = require('fs');
const src = fs.readFileSync(process.argv[2], 'utf8');
let n = 0, failed = 0;
function check(cond, what) { n++; if (!cond) { failed++; console.log('not ok ' + n + ' ' + what); } else console.log('ok ' + n + ' ' + what); }
const UUID4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

function load(opts) {
  const sent = [];
  const store = {};
  const timers = [];
  const win = {
    location: { href: 'https://www.example-hospital.org/find-a-doctor?q=x' },
    navigator: { onLine: true },
    localStorage: { getItem: k => (k in store ? store[k] : null), setItem: (k, v) => { store[k] = String(v); } },
    addEventListener() {},
    crypto: opts.noRandomUUID ? { getRandomValues: a => require('crypto').randomFillSync(a) } : require('crypto').webcrypto,
  };
  if (opts.beacon) win.navigator.sendBeacon = (url, blob) => { sent.push({ via: 'beacon', url, body: JSON.parse(blob.parts[0]) }); return opts.beacon(); };
  if (opts.fetch) win.fetch = (url, init) => { sent.push({ via: 'fetch', url, init, body: JSON.parse(init.body) }); return opts.fetch(); };
  const doc = { title: 'Find a doctor', referrer: '', currentScript: { src: 'https://gw.example-hospital.org/phiwall.js', getAttribute: () => null } };
  const ctx = { window: win, document: doc, Blob: class { constructor(p) { this.parts = p; } },
    setTimeout: (f, ms) => { timers.push(f); return timers.length; }, Math, JSON, String, Date, Uint8Array };
  win.phiwall = function () { (win.phiwall.q = win.phiwall.q || []).push(arguments); };
  (opts.before || (() => {}))(win.phiwall);
  new Function('window', 'document', 'Blob', 'setTimeout', src)(win, doc, ctx.Blob, ctx.setTimeout);
  return { win, sent, timers, store, run: async () => { while (timers.length) { timers.shift()(); await new Promise(r => setImmediate(r)); } } };
}

(async () => {
  // 1. beacon: page view + track, no user data and no fpid without consent.
  let t = load({ beacon: () => true, before: q => q('track', 'appointment_request', { value: 1 }, { email: 'a@b.co' }) });
  await t.run();
  const evs = t.sent.flatMap(s => s.body.events);
  check(t.sent.length >= 1 && t.sent[0].via === 'beacon', 'sent with sendBeacon');
  check(t.sent[0].url === 'https://gw.example-hospital.org/e', 'posts to the gateway that served the tag');
  check(evs.some(e => e.name === 'page_view') && evs.some(e => e.name === 'appointment_request'), 'automatic page view + tracked event');
  check(evs.every(e => UUID4.test(e.event_id)), 'UUIDv4 event_id per event');
  check(new Set(evs.map(e => e.event_id)).size === evs.length, 'event_ids distinct');
  check(evs.every(e => !e.user && !e.fpid), 'no user data, no fpid without consent');

  // 2. consent: user data and a stable fpid once ads consent is given.
  t = load({ beacon: () => true, before: q => { q('consent', { ads: true }); q('track', 'contact', {}, { email: 'a@b.co' }); } });
  await t.run();
  const e2 = t.sent.flatMap(s => s.body.events).find(e => e.name === 'contact');
  check(e2 && e2.user && e2.user.email === 'a@b.co' && e2.consent.ads === true, 'user data only with consent.ads');
  check(e2 && UUID4.test(e2.fpid), 'first-party id created after consent');

  // 3. beacon refused -> fetch keepalive; 503 -> retried later with the same event_id.
  let calls = 0;
  t = load({ beacon: () => false, fetch: () => Promise.resolve({ status: ++calls === 1 ? 503 : 200 }),
    before: q => q('track', 'appointment_request') });
  await t.run();
  const fetches = t.sent.filter(s => s.via === 'fetch');
  check(fetches.length >= 2 && fetches[0].init.keepalive === true, 'fetch keepalive fallback');
  const first = fetches[0].body.events.map(e => e.event_id).sort().join();
  const second = fetches[1] && fetches[1].body.events.map(e => e.event_id).sort().join();
  check(first === second, 'retry keeps the same event_ids');
  check(fetches.every(f => f.body.events.every(e => !('_tries' in e))), 'retry bookkeeping not sent');

  // 4. no crypto.randomUUID: getRandomValues fallback still gives UUIDv4.
  t = load({ beacon: () => true, noRandomUUID: true });
  await t.run();
  check(t.sent.flatMap(s => s.body.events).every(e => UUID4.test(e.event_id)), 'UUIDv4 fallback');
  console.log(failed ? 'FAILED ' + failed : 'PASS ' + n);
  process.exit(failed ? 1 : 0);
})();
