/* site.js — small page behaviours: mobile navigation toggle, active section in the nav. */
(function () {
  'use strict';
  var toggle = document.querySelector('.nav-toggle');
  var nav = document.getElementById('site-nav');
  if (toggle && nav) {
    toggle.addEventListener('click', function () {
      var open = nav.classList.toggle('open');
      toggle.setAttribute('aria-expanded', open ? 'true' : 'false');
    });
  }
  var section = document.body.getAttribute('data-section');
  if (section) {
    var link = document.querySelector('[data-nav="' + section + '"]');
    if (link) link.setAttribute('aria-current', 'page');
  }
})();
