/* phiwall.js — first-party event tag for the phiwall gateway (no dependencies).
 * Sends events to the gateway that served this file (POST <origin>/e); the gateway applies the
 * site's policy before anything reaches an ad platform. Usage: docs/gateway.md.
 *   phiwall('consent', {ads: true, analytics: true});
 *   phiwall('track', 'appointment_request', {value: 1}, {email: '…'});  // user data: consent only
 * What is stored (localStorage, for retries across visits) is a reduced event: id, name, time,
 * params and the page's origin + path. The query, title, referrer and the visitor's user data
 * stay in memory for this page only; consent is read when an event is sent, not when queued.
 */
(function (w, d) {
  'use strict';
  if (w.phiwall && w.phiwall.loaded) return;
  var me = d.currentScript;
  var endpoint = (me && me.getAttribute('data-endpoint')) ||
    (me && me.src ? me.src.replace(/\/phiwall\.js(\?.*)?$/, '/e') : '/e');
  var autoPage = !(me && me.getAttribute('data-auto-pageview') === 'false');
  /* data-page="path": send the page address without query or fragment, and no title or
   * referrer (the gateway needs no more to map the path to a page category). */
  var pathOnly = !!(me && me.getAttribute('data-page') === 'path');
  var QKEY = '_phiwall_q', IDKEY = '_phiwall_id', MAX_Q = 50, MAX_TRIES = 8, BATCH = 20;
  var consent = { ads: false, analytics: false };
  var live = {}; /* event_id -> {page_url, page_title, referrer, user}: memory only */
  var queue = load();
  var timer = null, holdUntil = 0;
  save(); /* a queue stored by an older tag is rewritten in the reduced form */

  function store() { try { return w.localStorage; } catch (e) { return null; } }
  function bare(url) { return String(url || '').split('#')[0].split('?')[0]; }
  /* The only form of an event that is ever persisted. */
  function reduce(e) {
    return { event_id: String(e.event_id), name: String(e.name), time: e.time,
      page_url: e.page_url ? bare(e.page_url) : undefined,
      params: e.params || {}, _tries: e._tries || 0 };
  }
  function load() {
    var s = store(), q = [];
    try { q = (s && JSON.parse(s.getItem(QKEY) || '[]')) || []; } catch (e) { q = []; }
    if (!Array.isArray(q)) return [];
    return q.filter(function (e) { return e && e.event_id && e.name; }).map(reduce);
  }
  function forget(e) { delete live[e.event_id]; }
  function save() {
    while (queue.length > MAX_Q) forget(queue.shift());
    var s = store();
    try { if (s) s.setItem(QKEY, JSON.stringify(queue.map(reduce))); } catch (e) { /* full */ }
  }

  function uuid() {
    var c = w.crypto || w.msCrypto;
    if (c && c.randomUUID) return c.randomUUID();
    var b = new Uint8Array(16), i, h = [];
    if (c && c.getRandomValues) c.getRandomValues(b);
    else for (i = 0; i < 16; i++) b[i] = Math.floor(Math.random() * 256);
    b[6] = (b[6] & 15) | 64; /* version 4 */
    b[8] = (b[8] & 63) | 128; /* variant 10 */
    for (i = 0; i < 16; i++) h.push((b[i] + 256).toString(16).slice(1));
    h = h.join('');
    return h.slice(0, 8) + '-' + h.slice(8, 12) + '-' + h.slice(12, 16) + '-' +
      h.slice(16, 20) + '-' + h.slice(20);
  }

  /* A first-party id only while the visitor consents; the gateway sends it as an HMAC. */
  function fpid() {
    if (!consent.ads && !consent.analytics) return undefined;
    var s = store(), id = null;
    try { id = s && s.getItem(IDKEY); } catch (e) { id = null; }
    if (!id) {
      id = uuid();
      try { if (s) s.setItem(IDKEY, id); } catch (e) { /* private mode */ }
    }
    return id;
  }

  function setConsent(c) {
    if ('ads' in c) consent.ads = !!c.ads;
    if ('analytics' in c) consent.analytics = !!c.analytics;
    if (!consent.ads) for (var k in live) delete live[k].user;
    if (!consent.ads && !consent.analytics) {
      var s = store();
      try { if (s) s.removeItem(IDKEY); } catch (e) { /* private mode */ }
    }
  }

  function build(name, params, user) {
    var href = w.location.href, x = {};
    var ev = { event_id: uuid(), name: String(name), time: Date.now(), page_url: bare(href),
      params: params || {}, _tries: 0 };
    if (!pathOnly) {
      x.page_url = href;
      x.page_title = d.title || undefined;
      x.referrer = d.referrer || undefined;
    }
    if (user && consent.ads) x.user = user;
    live[ev.event_id] = x;
    return ev;
  }

  /* The event as sent: consent, fpid and user data as they are now, not when it was queued. */
  function wire(e) {
    var x = live[e.event_id] || {};
    var ev = { event_id: e.event_id, name: e.name, time: e.time,
      page_url: x.page_url || e.page_url, page_title: x.page_title, referrer: x.referrer,
      consent: { ads: !!consent.ads, analytics: !!consent.analytics },
      fpid: fpid(), params: e.params };
    if (x.user && consent.ads) ev.user = x.user;
    return ev;
  }

  function done(batch) { for (var i = 0; i < batch.length; i++) forget(batch[i]); }

  /* 429, 5xx or no answer: back to the front of the queue with the same event_ids (the gateway
   * and the platforms deduplicate by them), sent again after an exponential backoff. */
  function retry(batch) {
    var keep = [], tries = 1;
    for (var i = 0; i < batch.length; i++) {
      var e = batch[i];
      e._tries = (e._tries || 0) + 1;
      if (e._tries < MAX_TRIES) { keep.push(e); tries = Math.max(tries, e._tries); }
      else forget(e);
    }
    queue = keep.concat(queue);
    save();
    var ms = Math.min(60000, 1000 * Math.pow(2, tries - 1)) * (0.5 + Math.random() / 2);
    holdUntil = Date.now() + ms;
    schedule(ms);
  }

  function beacon(body) {
    var nav = w.navigator;
    try {
      return !!(nav && nav.sendBeacon &&
        nav.sendBeacon(endpoint, new Blob([body], { type: 'text/plain' })));
    } catch (e) { return false; }
  }

  /* fetch (keepalive), so that the answer is seen and a 429/503 retried; a beacon only says
   * that the browser queued the request. */
  function post(batch) {
    var body = JSON.stringify({ events: batch.map(wire) });
    if (!w.fetch) { if (beacon(body)) done(batch); else retry(batch); return; }
    w.fetch(endpoint, {
      method: 'POST', body: body, keepalive: body.length < 60000, credentials: 'omit',
      headers: { 'Content-Type': 'text/plain' }
    }).then(function (r) {
      if (r.status === 429 || r.status >= 500) retry(batch); else done(batch);
    }, function () { retry(batch); });
  }

  function schedule(ms) {
    if (!timer) timer = setTimeout(function () { timer = null; flush(); }, ms);
  }

  function flush() {
    if (!queue.length) return;
    var wait = holdUntil - Date.now();
    if (wait > 0) { schedule(wait); return; }
    if (w.navigator && w.navigator.onLine === false) { schedule(5000); return; }
    var batch = queue.splice(0, BATCH);
    save();
    post(batch);
    if (queue.length) schedule(50);
  }

  /* The page is going away: no answer would be seen, so the beacon. While the gateway asked to
   * back off, or offline, the queue stays stored (reduced) for the next page instead. */
  function leave() {
    if (holdUntil > Date.now() || (w.navigator && w.navigator.onLine === false)) return;
    while (queue.length) {
      var batch = queue.slice(0, BATCH);
      if (!beacon(JSON.stringify({ events: batch.map(wire) }))) break;
      queue.splice(0, batch.length);
      done(batch);
    }
    save();
  }

  function track(name, params, user) {
    queue.push(build(name, params, user));
    save();
    schedule(0);
  }

  function run(args) {
    var cmd = args[0];
    if (cmd === 'track') track(args[1], args[2], args[3]);
    else if (cmd === 'page') track('page_view', args[1]);
    else if (cmd === 'consent' && args[1]) setConsent(args[1]);
    else if (cmd === 'config' && args[1] && args[1].endpoint) endpoint = args[1].endpoint;
  }

  var pending = (w.phiwall && w.phiwall.q) || [];
  var api = function () { run(arguments); };
  api.loaded = true;
  w.phiwall = api;
  for (var i = 0; i < pending.length; i++) run(pending[i]);
  if (autoPage) track('page_view');
  flush();
  if (w.addEventListener) w.addEventListener('pagehide', leave);
  if (d.addEventListener) {
    d.addEventListener('visibilitychange', function () {
      if (d.visibilityState === 'hidden') leave();
    });
  }
})(window, document);
