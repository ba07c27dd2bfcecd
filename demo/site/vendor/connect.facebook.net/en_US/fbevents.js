/*
 * fbevents.js — phiwall demo: a small Meta Pixel written by the phiwall project (not Meta's
 * code) that emits the same wire shapes as the real library (DESIGN §3) so that scanners can be
 * tested on a loopback site. Served from the demo server as
 * /vendor/connect.facebook.net/en_US/fbevents.js; pages reference the real URL.
 *
 * Implements: the fbq queue stub (init with advanced matching, track, trackCustom, set
 * autoConfig), the per-pixel config load (signals/config/<id>), PageView and custom events,
 * automatic SubscribedButtonClick (buttonText, buttonFeatures, formFeatures, pageFeatures, udff
 * from typed form values) and Microdata (Meta, OpenGraph, Schema.org, JSON-LD). Transport: image
 * GET when the URL fits in 2048 characters (rqm=GET), otherwise a hidden-iframe urlencoded form
 * POST for clicks (rqm=formPOST) and sendBeacon multipart FormData for the rest (rqm=SB).
 */
(function (window, document) {
  'use strict';
  var fbq = window.fbq;
  if (!fbq || fbq.__phiwallDemo) return;
  fbq.__phiwallDemo = true;

  var VERSION = '2.9.106', RELEASE = 'stable', ENDPOINT = 'https://www.facebook.com/tr/';
  var MAX_GET = 2048;
  var startTs = Date.now();
  var pixels = {}; /* id -> {ud: {}, autoConfig: bool, ec: n} */
  var order = [];
  var ready = false, pending = [];

  /* ---- SHA-256 (synchronous, so hashing never races a navigation) ---- */
  var K = [0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2];
  function sha256(text) {
    var bytes = new TextEncoder().encode(text);
    var len = bytes.length, total = ((len + 9 + 63) >> 6) << 6;
    var m = new Uint8Array(total);
    m.set(bytes);
    m[len] = 0x80;
    var bits = len * 8;
    for (var i = 0; i < 4; i++) m[total - 1 - i] = (bits >>> (8 * i)) & 0xff;
    m[total - 5] = Math.floor(len / 0x20000000) & 0xff;
    var h = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];
    var w = new Array(64);
    for (var off = 0; off < total; off += 64) {
      for (var t = 0; t < 16; t++)
        w[t] = (m[off + 4 * t] << 24) | (m[off + 4 * t + 1] << 16) | (m[off + 4 * t + 2] << 8) | m[off + 4 * t + 3];
      for (t = 16; t < 64; t++) {
        var x = w[t - 15], y = w[t - 2];
        var s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
        var s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
        w[t] = (w[t - 16] + s0 + w[t - 7] + s1) | 0;
      }
      var a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7];
      for (t = 0; t < 64; t++) {
        var S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
        var t1 = (hh + S1 + ((e & f) ^ (~e & g)) + K[t] + w[t]) | 0;
        var S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
        var t2 = (S0 + ((a & b) ^ (a & c) ^ (b & c))) | 0;
        hh = g; g = f; f = e; e = (d + t1) | 0; d = c; c = b; b = a; a = (t1 + t2) | 0;
      }
      h[0] = (h[0] + a) | 0; h[1] = (h[1] + b) | 0; h[2] = (h[2] + c) | 0; h[3] = (h[3] + d) | 0;
      h[4] = (h[4] + e) | 0; h[5] = (h[5] + f) | 0; h[6] = (h[6] + g) | 0; h[7] = (h[7] + hh) | 0;
    }
    return h.map(function (v) { return ('00000000' + (v >>> 0).toString(16)).slice(-8); }).join('');
  }

  /* ---- advanced matching: normalise, then SHA-256 (already-hashed values pass through) ---- */
  function normalise(key, value) {
    var v = String(value == null ? '' : value).trim().toLowerCase();
    if (!v) return '';
    switch (key) {
      case 'ph': v = v.replace(/[^0-9]/g, ''); if (v.length === 11 && v[0] === '1') v = v.slice(1); return v;
      case 'fn': case 'ln': case 'ct': return v.replace(/[\s\-'.,]/g, '');
      case 'st': case 'country': return v.replace(/[^a-z]/g, '').slice(0, 2);
      case 'zp': return v.replace(/[^0-9a-z]/g, '').slice(0, 5);
      case 'ge': return v[0] === 'f' || v[0] === 'm' ? v[0] : '';
      case 'db': return v.replace(/[^0-9]/g, '').slice(0, 8);
      default: return v;
    }
  }
  function hashed(key, value) {
    var n = normalise(key, value);
    if (!n) return '';
    return /^[0-9a-f]{64}$/.test(n) ? n : sha256(n);
  }

  /* ---- first-party browser id (_fbp) ---- */
  function fbp() {
    var m = document.cookie.match(/(?:^|;\s*)_fbp=([^;]+)/);
    if (m) return m[1];
    var v = 'fb.1.' + Date.now() + '.' + Math.floor(Math.random() * 1e10);
    document.cookie = '_fbp=' + v + '; path=/; max-age=' + 90 * 86400 + '; SameSite=Lax';
    return v;
  }

  /* ---- request building and transport ---- */
  function baseParams(pixel, ev) {
    return [['id', pixel.id], ['ev', ev], ['dl', location.href], ['rl', document.referrer],
      ['if', String(window.top !== window)], ['ts', String(Date.now())]];
  }
  function tailParams(pixel, automatic) {
    var p = [['sw', String(screen.width)], ['sh', String(screen.height)]];
    Object.keys(pixel.ud).forEach(function (k) { p.push(['ud[' + k + ']', pixel.ud[k]]); });
    p.push(['v', VERSION], ['r', RELEASE], ['a', 'tmgoogletagmanager'], ['ec', String(pixel.ec++)],
      ['o', '4126'], ['fbp', fbp()], ['ler', 'empty'], ['cdl', 'API_unavailable'],
      ['it', String(startTs)], ['coo', 'false']);
    if (automatic) p.push(['es', 'automatic']);
    return p;
  }
  function encode(params) {
    return params.map(function (kv) { return encodeURIComponent(kv[0]) + '=' + encodeURIComponent(kv[1]); }).join('&');
  }
  function sendGet(params) {
    var img = new Image();
    img.src = ENDPOINT + '?' + encode(params.concat([['rqm', 'GET']]));
  }
  function sendFormPost(params) {
    var name = 'fb' + Math.random().toString(36).slice(2);
    var iframe = document.createElement('iframe');
    iframe.name = name;
    iframe.style.display = 'none';
    document.body.appendChild(iframe);
    var form = document.createElement('form');
    form.method = 'POST';
    form.action = ENDPOINT;
    form.target = name;
    form.style.display = 'none';
    params.concat([['rqm', 'formPOST']]).forEach(function (kv) {
      var input = document.createElement('input');
      input.type = 'hidden';
      input.name = kv[0];
      input.value = kv[1];
      form.appendChild(input);
    });
    document.body.appendChild(form);
    form.submit();
    setTimeout(function () { form.remove(); iframe.remove(); }, 5000);
  }
  function sendBeaconMultipart(params) {
    var fd = new FormData();
    params.concat([['rqm', 'SB']]).forEach(function (kv) { fd.append(kv[0], kv[1]); });
    if (!navigator.sendBeacon(ENDPOINT, fd)) sendFormPost(params);
  }
  function send(params, kind) {
    var url = ENDPOINT + '?' + encode(params) + '&rqm=GET';
    if (url.length <= MAX_GET) return sendGet(params);
    if (kind === 'click' || !navigator.sendBeacon) return sendFormPost(params);
    return sendBeaconMultipart(params);
  }

  function fire(pixel, ev, customData, extra, kind) {
    var p = baseParams(pixel, ev);
    Object.keys(customData || {}).forEach(function (k) {
      var v = customData[k];
      p.push(['cd[' + k + ']', typeof v === 'string' ? v : JSON.stringify(v)]);
    });
    p = p.concat(tailParams(pixel, kind === 'click' || kind === 'auto'));
    (extra || []).forEach(function (kv) { p.push(kv); });
    send(p, kind);
  }
  function fireAll(ev, customData, extra, kind, onlyAuto) {
    order.forEach(function (id) {
      var px = pixels[id];
      if (onlyAuto && !px.autoConfig) return;
      fire(px, ev, customData, extra, kind);
    });
  }

  /* ---- the fbq API ---- */
  var STANDARD = ['PageView', 'ViewContent', 'Search', 'Lead', 'Schedule', 'Contact',
    'CompleteRegistration', 'SubmitApplication', 'FindLocation', 'Purchase'];
  function handle(args) {
    var cmd = args[0];
    if (cmd === 'init') {
      var id = String(args[1]);
      if (!pixels[id]) { pixels[id] = { id: id, ud: {}, autoConfig: true, ec: 0 }; order.push(id); }
      var ud = args[2] || {};
      Object.keys(ud).forEach(function (k) {
        var h = hashed(k, ud[k]);
        if (h) pixels[id].ud[k] = h;
      });
      loadConfig(id);
    } else if (cmd === 'set' && args[1] === 'autoConfig') {
      var target = pixels[String(args[3])];
      if (target) target.autoConfig = args[2] !== false && args[2] !== 'false';
    } else if (cmd === 'track' || cmd === 'trackCustom') {
      if (cmd === 'track' && STANDARD.indexOf(args[1]) < 0) return;
      fireAll(String(args[1]), args[2] || {}, null, 'api', false);
    }
  }
  function dispatch(args) {
    if (!ready || args[0] === 'init') { if (args[0] === 'init') handle(args); else pending.push(args); return; }
    handle(args);
  }

  var configsWaiting = 0;
  function loadConfig(id) {
    configsWaiting++;
    var s = document.createElement('script');
    s.async = true;
    s.src = 'https://connect.facebook.net/signals/config/' + id + '?v=' + VERSION + '&r=' + RELEASE +
      '&domain=' + encodeURIComponent(location.hostname);
    s.onload = s.onerror = function () { if (--configsWaiting === 0) becomeReady(); };
    document.head.appendChild(s);
  }
  fbq.__applyConfig = function (id, cfg) {
    var px = pixels[String(id)];
    if (px && cfg && cfg.autoConfig === false) px.autoConfig = false;
  };
  function becomeReady() {
    if (ready) return;
    ready = true;
    var run = pending;
    pending = [];
    run.forEach(handle);
    scheduleMicrodata();
  }

  /* ---- automatic events: SubscribedButtonClick ---- */
  function text(el) { return (el.innerText || el.textContent || el.value || '').replace(/\s+/g, ' ').trim(); }
  function findButton(el) {
    for (var n = el, depth = 0; n && n.nodeType === 1 && depth < 6; n = n.parentElement, depth++) {
      var tag = n.tagName.toLowerCase();
      if (tag === 'button' || n.getAttribute('role') === 'button') return n;
      if (tag === 'input' && /^(submit|button|image)$/i.test(n.type)) return n;
      if (tag === 'a' && n.href) return n;
    }
    return null;
  }
  function buttonFeatures(btn) {
    var tag = btn.tagName.toLowerCase();
    var form = btn.form || btn.closest('form');
    var dest = btn.href || (form ? form.action : '') || location.href;
    var img = btn.querySelector && btn.querySelector('img');
    return {
      classList: btn.className || '', destination: dest, id: btn.id || '',
      imageUrl: img ? img.src : '', innerText: text(btn),
      numChildButtons: btn.querySelectorAll ? btn.querySelectorAll('button,[role=button]').length : 0,
      tag: tag, type: btn.getAttribute('type'), name: btn.getAttribute('name') || '',
      value: btn.value || ''
    };
  }
  function formFields(form) {
    return Array.prototype.filter.call(form.elements, function (f) {
      var t = (f.type || '').toLowerCase();
      return /^(input|select|textarea)$/i.test(f.tagName) && !/^(hidden|submit|button|image|reset)$/.test(t);
    });
  }
  function formFeatures(form) {
    if (!form) return [];
    return formFields(form).map(function (f) {
      return { id: f.id || '', name: f.name || '', tag: f.tagName.toLowerCase(),
        placeholder: f.getAttribute('placeholder') || '', inputType: f.tagName.toLowerCase() === 'input' ? f.type : f.tagName.toLowerCase() };
    });
  }
  /* Which advanced-matching key a typed field holds, from its type, autocomplete and name. */
  function matchKey(f) {
    var hint = ((f.getAttribute('autocomplete') || '') + ' ' + (f.name || '') + ' ' + (f.id || '')).toLowerCase();
    if (f.type === 'email' || /email/.test(hint)) return 'em';
    if (f.type === 'tel' || /phone|tel/.test(hint)) return 'ph';
    if (/given-name|first/.test(hint)) return 'fn';
    if (/family-name|last|surname/.test(hint)) return 'ln';
    if (/postal|zip/.test(hint)) return 'zp';
    return null;
  }
  function udff(form) {
    var out = [];
    if (!form) return out;
    formFields(form).forEach(function (f) {
      var k = matchKey(f);
      if (!k || !f.value) return;
      var h = hashed(k, f.value);
      if (h && !out.some(function (kv) { return kv[0] === 'udff[' + k + ']'; })) out.push(['udff[' + k + ']', h]);
    });
    return out;
  }
  document.addEventListener('click', function (e) {
    if (!ready || !e.target || e.target.nodeType !== 1) return;
    var btn = findButton(e.target);
    if (!btn || btn.closest('#consent-banner')) return;
    var form = btn.form || btn.closest('form');
    var cd = {
      buttonFeatures: buttonFeatures(btn), buttonText: text(btn),
      formFeatures: formFeatures(form), pageFeatures: { title: document.title }
    };
    fireAll('SubscribedButtonClick', cd, udff(form), 'click', true);
  }, true);

  /* ---- automatic events: Microdata ---- */
  function metaTags(prefixAttr, prefix) {
    var out = {};
    document.querySelectorAll('meta[' + prefixAttr + ']').forEach(function (m) {
      var k = m.getAttribute(prefixAttr);
      if (k.indexOf(prefix) === 0 && m.content) out[k] = m.content;
    });
    return out;
  }
  function schemaOrg() {
    return Array.prototype.map.call(document.querySelectorAll('[itemscope][itemtype]'), function (el) {
      var props = {};
      el.querySelectorAll('[itemprop]').forEach(function (p) { props[p.getAttribute('itemprop')] = p.content || text(p); });
      return { '@type': el.getAttribute('itemtype'), properties: props };
    });
  }
  function jsonLd() {
    var out = [];
    document.querySelectorAll('script[type="application/ld+json"]').forEach(function (s) {
      try { out.push(JSON.parse(s.textContent)); } catch (err) { /* ignore */ }
    });
    return out;
  }
  function scheduleMicrodata() {
    var run = function () {
      setTimeout(function () {
        var desc = document.querySelector('meta[name=description]');
        var cd = {
          DataLayer: JSON.stringify([]), Meta: JSON.stringify({ title: document.title, 'meta:description': desc ? desc.content : '' }),
          OpenGraph: JSON.stringify(metaTags('property', 'og:')), 'Schema.org': JSON.stringify(schemaOrg()),
          'JSON-LD': JSON.stringify(jsonLd())
        };
        fireAll('Microdata', cd, null, 'auto', true);
      }, 500);
    };
    if (document.readyState === 'complete') run(); else window.addEventListener('load', run);
  }

  /* Take over the stub: replay its queue, route later calls straight here. */
  var queued = fbq.queue || [];
  fbq.callMethod = function () { dispatch(Array.prototype.slice.call(arguments)); };
  fbq.queue = [];
  queued.forEach(function (args) { dispatch(Array.prototype.slice.call(args)); });
  if (configsWaiting === 0) becomeReady();
})(window, document);
