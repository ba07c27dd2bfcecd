/*
 * hotjar-3498127.js — phiwall demo: a small session-replay script written by the phiwall project
 * (Hotjar-style host names; not Hotjar's code). Input masking is OFF, as on the misconfigured
 * sites studied: it streams every keystroke, every field's value, clicks with the clicked
 * element's text, and text added to the page, as JSON batches POSTed (navigator.sendBeacon,
 * text/plain;charset=UTF-8) once a second and at pagehide to
 * https://in.hotjar.com/api/v2/client/sites/<site id>/recordings/content?sv=6
 * The first batch carries a snapshot of the page's visible text.
 */
(function (window, document) {
  'use strict';
  var settings = window._hjSettings || {};
  if (!settings.hjid || window.__phiwallDemoReplay) return;
  window.__phiwallDemoReplay = true;
  var ENDPOINT = 'https://in.hotjar.com/api/v2/client/sites/' + settings.hjid + '/recordings/content?sv=' + (settings.hjsv || 6);
  var sessionId = Math.random().toString(36).slice(2, 12);
  var seq = 0, events = [], t0 = Date.now();

  function selector(el) {
    if (!el || el.nodeType !== 1) return '';
    if (el.id) return '#' + el.id;
    var s = el.tagName.toLowerCase();
    if (el.name) s += '[name="' + el.name + '"]';
    return s;
  }
  function push(ev) { ev.ts = Date.now() - t0; events.push(ev); }
  function flush() {
    if (!events.length) return;
    var body = JSON.stringify({ site_id: settings.hjid, session_id: sessionId, seq: seq++,
      page_url: location.href, page_title: document.title, events: events });
    events = [];
    navigator.sendBeacon(ENDPOINT, body);
  }
  function snapshot() {
    var main = document.querySelector('main') || document.body;
    push({ t: 'snapshot', w: innerWidth, h: innerHeight, text: (main.innerText || '').slice(0, 4000) });
  }
  document.addEventListener('keydown', function (e) {
    if (e.key && e.key.length === 1 || e.key === 'Backspace' || e.key === 'Enter')
      push({ t: 'key', sel: selector(e.target), key: e.key });
  }, true);
  document.addEventListener('input', function (e) {
    var el = e.target;
    if (!el || el.value === undefined) return;
    var v = el.type === 'checkbox' || el.type === 'radio' ? (el.checked ? el.value : '') : el.value;
    push({ t: 'input', sel: selector(el), name: el.name || '', value: v });
  }, true);
  document.addEventListener('click', function (e) {
    var el = e.target;
    push({ t: 'click', sel: selector(el), x: e.clientX, y: e.clientY, text: ((el && el.innerText) || '').trim().slice(0, 200) });
  }, true);
  new MutationObserver(function (records) {
    records.forEach(function (r) {
      var txt = '';
      if (r.type === 'attributes' && r.target.nodeType === 1 && r.target.offsetParent !== null) txt = r.target.innerText || '';
      r.addedNodes.forEach(function (n) { txt += ' ' + (n.innerText || n.textContent || ''); });
      txt = txt.replace(/\s+/g, ' ').trim();
      if (txt) push({ t: 'mutation', sel: selector(r.target), text: txt.slice(0, 2000) });
    });
  }).observe(document.documentElement, { childList: true, subtree: true, attributes: true, attributeFilter: ['class', 'hidden'] });
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', snapshot); else snapshot();
  setInterval(flush, 1000);
  window.addEventListener('pagehide', flush);
})(window, document);
