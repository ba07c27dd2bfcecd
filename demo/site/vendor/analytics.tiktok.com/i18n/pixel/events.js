/*
 * events.js — phiwall demo: a small TikTok Pixel written by the phiwall project (not TikTok's
 * code) emitting the real wire shape: a JSON POST to https://analytics.tiktok.com/api/v2/pixel
 * with event, event_id, timestamp, context.page.{url,referrer}, context.user.{anonymous_id,
 * email, phone_number}, context.pixel.code and properties. Sent with navigator.sendBeacon, so the
 * Content-Type is text/plain;charset=UTF-8 (no CORS preflight); the body is JSON.
 * Supports ttq.page(), ttq.track(name, properties), ttq.identify({email, phone_number}) (hashed
 * with SHA-256 via crypto.subtle) and the automatic ClickButton event.
 */
(function (window, document) {
  'use strict';
  var name = window.TiktokAnalyticsObject || 'ttq';
  var ttq = window[name];
  if (!ttq || ttq.__phiwallDemo) return;
  ttq.__phiwallDemo = true;
  var ENDPOINT = 'https://analytics.tiktok.com/api/v2/pixel';
  var code = (document.currentScript && new URL(document.currentScript.src).searchParams.get('sdkid')) || '';
  var user = {};
  var sessionId = String(Date.now()) + Math.floor(Math.random() * 1e6);

  function anonymousId() {
    var m = document.cookie.match(/(?:^|;\s*)_ttp=([^;]+)/);
    if (m) return m[1];
    var v = Math.random().toString(36).slice(2) + Math.random().toString(36).slice(2);
    document.cookie = '_ttp=' + v + '; path=/; max-age=' + 390 * 86400 + '; SameSite=Lax';
    return v;
  }
  function send(event, properties) {
    var u = { anonymous_id: anonymousId() };
    Object.keys(user).forEach(function (k) { u[k] = user[k]; });
    var body = {
      event: event, event_id: Date.now() + '-' + Math.random().toString(36).slice(2, 8),
      message_id: 'messageId-' + Date.now() + '-' + Math.floor(Math.random() * 1e9),
      is_onsite: false, timestamp: new Date().toISOString(),
      context: {
        ad: {}, user: u, pixel: { code: code, runtime: '1' },
        page: { url: location.href, referrer: document.referrer },
        library: { name: 'pixel.js', version: '2.2.1' },
        device: { platform: 'pc' }, session_id: sessionId, userAgent: navigator.userAgent
      },
      properties: properties || {}, _inspection: {}
    };
    navigator.sendBeacon(ENDPOINT, JSON.stringify(body));
  }
  function sha256hex(v) {
    return crypto.subtle.digest('SHA-256', new TextEncoder().encode(v)).then(function (buf) {
      return Array.prototype.map.call(new Uint8Array(buf), function (b) { return ('0' + b.toString(16)).slice(-2); }).join('');
    });
  }
  var chain = Promise.resolve();
  function run(args) {
    var cmd = args[0];
    chain = chain.then(function () {
      if (cmd === 'page') return send('Pageview', {});
      if (cmd === 'track') return send(String(args[1]), args[2] || {});
      if (cmd === 'identify') {
        var info = args[1] || {};
        return Promise.all(['email', 'phone_number'].map(function (k) {
          if (!info[k]) return null;
          return sha256hex(String(info[k]).trim().toLowerCase()).then(function (h) { user[k] = h; });
        }));
      }
    });
  }
  document.addEventListener('click', function (e) {
    var el = e.target && e.target.closest && e.target.closest('button,a.btn,input[type=submit]');
    if (!el || el.closest('#consent-banner')) return;
    send('ClickButton', { button_text: (el.innerText || el.value || '').trim(), destination: el.href || '' });
  }, true);
  var queued = ttq.slice ? ttq.slice() : [];
  ttq.length = 0;
  ttq.push = function (args) { run(args); };
  ['page', 'track', 'identify'].forEach(function (m) {
    ttq[m] = function () { run([m].concat(Array.prototype.slice.call(arguments))); };
  });
  queued.forEach(run);
})(window, document);
