/*
 * consent.js — the demo's consent banner (accept / reject), like the common consent platforms.
 * Stores the choice in the cookie demo_consent=accepted|rejected. Tags that honour it register
 * with rrmcConsent.whenAccepted(fn). Deliberately, as on many real hospital sites, not every tag
 * does: GA4, Google Ads, the Meta Pixel and session replay fire before any choice (see
 * demo/expected.json "consent" fields); TikTok and LinkedIn wait for "accepted".
 */
(function () {
  'use strict';
  var waiting = [];
  function read() {
    var m = document.cookie.match(/(?:^|;\s*)demo_consent=(accepted|rejected)/);
    return m ? m[1] : null;
  }
  function set(choice) {
    document.cookie = 'demo_consent=' + choice + '; path=/; max-age=' + 180 * 86400 + '; SameSite=Lax';
    var banner = document.getElementById('consent-banner');
    if (banner) banner.hidden = true;
    if (choice === 'accepted') {
      var run = waiting;
      waiting = [];
      run.forEach(function (fn) { fn(); });
    }
  }
  window.rrmcConsent = {
    state: read,
    whenAccepted: function (fn) {
      if (read() === 'accepted') fn(); else waiting.push(fn);
    }
  };
  document.addEventListener('DOMContentLoaded', function () {
    var banner = document.getElementById('consent-banner');
    if (banner && !read()) banner.hidden = false;
    document.addEventListener('click', function (e) {
      var t = e.target.closest ? e.target.closest('[data-consent],[data-consent-open]') : null;
      if (!t) return;
      if (t.hasAttribute('data-consent-open')) { if (banner) banner.hidden = false; return; }
      set(t.getAttribute('data-consent'));
    });
  });
})();
