/*
 * phiwall.js — the first-party event tag of the clean demo variant (served at /phiwall.js).
 * It replaces every third-party tag: events go only to the site's phiwall gateway
 * (phiwall('init', {endpoint})), default "/e" on the same origin, as one JSON object a request:
 *   {"event_id": UUIDv4, "event_name", "event_time" (unix s), "site", "page_category",
 *    "consent": "accepted" | "rejected" | "unknown", "params": {…}}
 * It never sends the page URL, query string, title, referrer, typed form values or a
 * third-party cookie. The event_id is made once per event and reused for every retry, so the
 * gateway can deduplicate. Automatic events: forms with data-phiwall-event="Schedule|Contact|
 * Lead" send that event on submit (no field values). Until a gateway answers at the endpoint
 * (the demo server alone answers 405 or 404) the tag is inert: it retries, then gives up.
 */
(function (window, document) {
  'use strict';
  var stub = window.phiwall;
  if (stub && stub.__real) return;
  var cfg = { endpoint: '/e', site: '' };
  var MAX_TRIES = 4;

  function uuid4() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var b = new Uint8Array(16);
    crypto.getRandomValues(b);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return ('0' + x.toString(16)).slice(-2); }).join('');
    return h.slice(0, 8) + '-' + h.slice(8, 12) + '-' + h.slice(12, 16) + '-' + h.slice(16, 20) + '-' + h.slice(20);
  }
  function consent() {
    var m = document.cookie.match(/(?:^|;\s*)demo_consent=(accepted|rejected)/);
    return m ? m[1] : 'unknown';
  }
  function deliver(body, attempt) {
    fetch(cfg.endpoint, { method: 'POST', body: body, keepalive: true, credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json' } })
      .then(function (r) { if (r.status >= 500 || r.status === 429) throw new Error('retry'); })
      .catch(function () {
        if (attempt + 1 < MAX_TRIES) setTimeout(function () { deliver(body, attempt + 1); }, 1000 * Math.pow(2, attempt));
      });
  }
  function track(name, params) {
    params = params || {};
    var ev = { event_id: uuid4(), event_name: String(name), event_time: Math.floor(Date.now() / 1000),
      site: cfg.site, page_category: params.page_category || '', consent: consent(), params: {} };
    Object.keys(params).forEach(function (k) { if (k !== 'page_category') ev.params[k] = params[k]; });
    deliver(JSON.stringify(ev), 0);
  }
  function run(args) {
    if (args[0] === 'init') {
      var o = args[1] || {};
      if (o.endpoint && o.endpoint.indexOf('{{') < 0) cfg.endpoint = o.endpoint;
      if (o.site) cfg.site = o.site;
    } else if (args[0] === 'track') {
      track(args[1], args[2]);
    }
  }
  document.addEventListener('submit', function (e) {
    var form = e.target;
    var name = form && form.getAttribute && form.getAttribute('data-phiwall-event');
    if (name) track(name, { page_category: pageCategory });
  }, true);
  var pageCategory = '';
  var queued = (stub && stub.q) || [];
  queued.forEach(function (args) {
    if (args[0] === 'track' && args[2] && args[2].page_category) pageCategory = args[2].page_category;
  });
  window.phiwall = function () { run(Array.prototype.slice.call(arguments)); };
  window.phiwall.__real = true;
  queued.forEach(function (args) { run(Array.prototype.slice.call(args)); });
})(window, document);
