/* phiwall.js — first-party event tag for the phiwall gateway (no dependencies).
 * Sends events to the gateway that served this file (POST <origin>/e); the gateway applies the
 * site's policy before anything reaches an ad platform. Usage: docs/gateway.md.
 *   phiwall('consent', {ads: true, analytics: true});
 *   phiwall('track', 'appointment_request', {value: 1}, {email: '…'});  // user data: consent only
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
  var QKEY = '_phiwall_q', IDKEY = '_phiwall_id', MAX_Q = 50, MAX_TRIES = 8;
  var consent = { ads: false, analytics: false };
  var queue = load();
  var timer = null;

  function store() { try { return w.localStorage; } catch (e) { return null; } }
  function load() {
    var s = store();
    try { return (s && JSON.parse(s.getItem(QKEY) || '[]')) || []; } catch (e) { return []; }
  }
  function save() {
    var s = store();
    try { if (s) s.setItem(QKEY, JSON.stringify(queue.slice(-MAX_Q))); } catch (e) { /* full */ }
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

  /* A first-party id only once the visitor consents; the gateway sends it as an HMAC. */
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

  function build(name, params, user) {
    var loc = w.location;
    var ev = {
      event_id: uuid(), name: String(name), time: Date.now(),
      page_url: pathOnly ? loc.protocol + '//' + loc.host + loc.pathname : loc.href,
      page_title: pathOnly ? undefined : d.title,
      referrer: (!pathOnly && d.referrer) || undefined,
      consent: { ads: !!consent.ads, analytics: !!consent.analytics },
      fpid: fpid(), params: params || {}
    };
    if (user && consent.ads) ev.user = user;
    return ev;
  }

  /* sendBeacon first; fetch keepalive when the beacon is refused; failures stay queued with
   * their event_id so a retry is deduplicated by the gateway and the platforms. */
  function post(batch) {
    var body = JSON.stringify({ events: batch.map(clean) });
    var nav = w.navigator;
    if (nav && nav.sendBeacon) {
      try {
        if (nav.sendBeacon(endpoint, new Blob([body], { type: 'text/plain' }))) return;
      } catch (e) { /* fall through to fetch */ }
    }
    if (!w.fetch) { requeue(batch); return; }
    w.fetch(endpoint, {
      method: 'POST', body: body, keepalive: body.length < 60000, credentials: 'omit',
      headers: { 'Content-Type': 'text/plain' }
    }).then(function (r) {
      if (r.status === 429 || r.status >= 500) requeue(batch);
    }, function () { requeue(batch); });
  }

  function clean(e) {
    var c = {}, k;
    for (k in e) if (k !== '_tries') c[k] = e[k];
    return c;
  }

  function requeue(batch) {
    for (var i = 0; i < batch.length; i++) {
      batch[i]._tries = (batch[i]._tries || 0) + 1;
      if (batch[i]._tries < MAX_TRIES) queue.push(batch[i]);
    }
    save();
    schedule(Math.min(60000, 1000 * Math.pow(2, batch[0] ? batch[0]._tries : 1)));
  }

  function schedule(ms) {
    if (!timer) timer = setTimeout(function () { timer = null; flush(); }, ms);
  }

  function flush() {
    if (!queue.length) return;
    if (w.navigator && w.navigator.onLine === false) { schedule(5000); return; }
    var batch = queue.splice(0, 20);
    save();
    post(batch);
    if (queue.length) schedule(50);
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
    else if (cmd === 'consent' && args[1]) {
      if ('ads' in args[1]) consent.ads = !!args[1].ads;
      if ('analytics' in args[1]) consent.analytics = !!args[1].analytics;
    } else if (cmd === 'config' && args[1] && args[1].endpoint) endpoint = args[1].endpoint;
  }

  var pending = (w.phiwall && w.phiwall.q) || [];
  var api = function () { run(arguments); };
  api.loaded = true;
  w.phiwall = api;
  for (var i = 0; i < pending.length; i++) run(pending[i]);
  if (autoPage) track('page_view');
  flush();
  w.addEventListener && w.addEventListener('pagehide', flush);
})(window, document);
