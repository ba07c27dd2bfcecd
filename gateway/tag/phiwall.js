/* phiwall.js — first-party event tag for the phiwall gateway (no dependencies).
 * Sends events to the gateway that served this file (POST <origin>/e); the gateway applies the
 * site's policy before anything reaches an ad platform. Usage: docs/gateway.md.
 *   phiwall('consent', {ads: true, analytics: true});
 *   phiwall('track', 'appointment_request', {value: 1}, {email: '…'});  // user data: consent only
 * What is stored (localStorage, for retries across visits) is a reduced event: id, name, time,
 * params and the page's origin + path. The query, title, referrer and the visitor's user data
 * stay in memory for this page only; consent is read when an event is sent, not when queued.
 * data-wait-for-consent[="ms"]: send nothing (the automatic page view included) until the page's
 * CMP calls phiwall('consent', …) — or for at most ms milliseconds, or until the page is left.
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
  /* An event once handed to the browser may have reached the gateway, which knows an event_id
   * again for 15 minutes after accepting it (PW_SPOOL_TOMBSTONE_MS, spool_sqlite_internal.h);
   * sent again later it would be delivered twice. So one first sent more than MAX_AGE ago is
   * dropped instead (tests/integration/gateway_tag.sh checks MAX_AGE < that window). */
  var MAX_AGE = 10 * 60 * 1000;
  var KEEPALIVE = 60000; /* bytes of keepalive bodies in flight: the browser allows 64 KiB */
  var waitAttr = me && me.getAttribute('data-wait-for-consent');
  var consentKnown = waitAttr === null || waitAttr === undefined;
  var consent = { ads: false, analytics: false };
  var live = {}; /* event_id -> {page_url, page_title, referrer, user}: memory only */
  var gone = {}; /* event_ids this page took out of the stored queue (sent, dropped) */
  var timer = null, holdUntil = 0, unloading = false, inflight = 0;
  var queue = load();
  save(); /* a queue stored by an older tag is rewritten in the reduced form */

  function store() { try { return w.localStorage; } catch (e) { return null; } }
  function bare(url) { return String(url || '').split('#')[0].split('?')[0]; }
  /* The only form of an event that is ever persisted. */
  function reduce(e) {
    return { event_id: String(e.event_id), name: String(e.name), time: e.time,
      page_url: e.page_url ? bare(e.page_url) : undefined,
      params: e.params || {}, _tries: e._tries || 0, _sent: e._sent || undefined };
  }
  /* First handed to the browser more than MAX_AGE ago (an old tag's retried event: created). */
  function stale(e, now) {
    var t = e._sent || (e._tries ? e.time : 0);
    return !!t && now - t > MAX_AGE;
  }
  function load() {
    var s = store(), q = [], now = Date.now();
    try { q = (s && JSON.parse(s.getItem(QKEY) || '[]')) || []; } catch (e) { q = []; }
    if (!Array.isArray(q)) return [];
    return q.filter(function (e) {
      return e && e.event_id && e.name && !gone[e.event_id] && !stale(e, now);
    }).map(reduce);
  }
  function forget(e) { delete live[e.event_id]; gone[e.event_id] = 1; }
  /* Another tab of the site shares the stored queue: what it stored stays (union by event_id),
   * less what this page sent or dropped; this page's queue is added. */
  function save() {
    while (queue.length > MAX_Q) forget(queue.shift());
    var s = store(), mine = {}, i, out;
    if (!s) return;
    for (i = 0; i < queue.length; i++) mine[queue[i].event_id] = 1;
    out = load().filter(function (e) { return !mine[e.event_id]; }).concat(queue.map(reduce));
    out.sort(function (a, b) { return a.time - b.time; });
    try { s.setItem(QKEY, JSON.stringify(out.slice(-MAX_Q))); } catch (e) { /* full */ }
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
    if (!consentKnown) { consentKnown = true; schedule(0); }
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

  function size(body) {
    try { return unescape(encodeURIComponent(body)).length; } catch (e) { return body.length * 3; }
  }

  function beacon(body) {
    var nav = w.navigator;
    try {
      return !!(nav && nav.sendBeacon &&
        nav.sendBeacon(endpoint, new Blob([body], { type: 'text/plain' })));
    } catch (e) { return false; }
  }

  /* fetch (keepalive, no cookies), so that the answer is seen and a 429/503 retried; a beacon
   * (cookies and all) only where there is no fetch. A keepalive request outlives the page: when
   * it fails while the page is being left, the browser may still deliver it (the gateway
   * accepts it), so it is not stored again, which would send it twice. */
  function post(batch, body) {
    var now = Date.now(), n, keep;
    for (var i = 0; i < batch.length; i++) {
      if (!batch[i]._sent) batch[i]._sent = now;
      gone[batch[i].event_id] = 1; /* no longer stored: retry() puts it back if it failed */
    }
    body = body || JSON.stringify({ events: batch.map(wire) });
    if (!w.fetch) { if (beacon(body)) done(batch); else retry(batch); return; }
    n = size(body);
    keep = inflight + n <= KEEPALIVE;
    if (keep) inflight += n;
    function settled() { if (keep) inflight -= n; }
    try {
      w.fetch(endpoint, {
        method: 'POST', body: body, keepalive: keep, credentials: 'omit',
        headers: { 'Content-Type': 'text/plain' }
      }).then(function (r) {
        settled();
        if (r.status === 429 || r.status >= 500) retry(batch); else done(batch);
      }, function () {
        settled();
        if (unloading && keep) done(batch); else retry(batch);
      });
    } catch (e) {
      settled();
      if (unloading && beacon(body)) done(batch); else retry(batch);
    }
  }

  function schedule(ms) {
    if (!timer) timer = setTimeout(function () { timer = null; flush(); }, ms);
  }

  function flush() {
    var now = Date.now();
    queue = queue.filter(function (e) { if (stale(e, now)) forget(e); return !stale(e, now); });
    if (!queue.length || !consentKnown) return;
    var wait = holdUntil - Date.now();
    if (wait > 0) { schedule(wait); return; }
    if (w.navigator && w.navigator.onLine === false) { schedule(5000); return; }
    post(queue.splice(0, BATCH));
    save();
    if (queue.length) schedule(50);
  }

  /* The page is hidden or left: what is queued goes now, by keepalive fetch within the
   * browser's 64 KiB for such requests (the rest stays stored for the next page), with the
   * consent known by now. While the gateway asked to back off, or offline, the queue stays
   * stored (reduced, merged with other tabs') for the next page instead. */
  function leave(ev) {
    if (ev && ev.type === 'pagehide') unloading = true;
    if (holdUntil > Date.now() || (w.navigator && w.navigator.onLine === false) ||
      (!consentKnown && !unloading)) { save(); return; } /* only hidden: still waiting */
    consentKnown = true;
    while (queue.length) {
      var k = Math.min(BATCH, queue.length), body;
      for (;;) {
        body = JSON.stringify({ events: queue.slice(0, k).map(wire) });
        if (!w.fetch || inflight + size(body) <= KEEPALIVE || k === 1) break;
        k = Math.ceil(k / 2);
      }
      if (w.fetch && inflight + size(body) > KEEPALIVE) break;
      post(queue.splice(0, k), body);
    }
    save();
  }

  /* Back from the back/forward cache: a page view like any other (docs/gateway.md). */
  function shown(ev) {
    unloading = false;
    if (ev && ev.persisted && autoPage) track('page_view');
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
  if (!consentKnown && parseInt(waitAttr, 10) >= 0) {
    setTimeout(function () { if (!consentKnown) { consentKnown = true; flush(); } },
      parseInt(waitAttr, 10));
  }
  if (autoPage) track('page_view');
  flush();
  if (w.addEventListener) {
    w.addEventListener('pagehide', leave);
    w.addEventListener('pageshow', shown);
  }
  if (d.addEventListener) {
    d.addEventListener('visibilitychange', function () {
      if (d.visibilityState === 'hidden') leave();
    });
  }
})(window, document);
