/* symptom-checker.js — the demo symptom checker: rule-of-thumb triage rendered into the page. */
(function () {
  'use strict';
  var form = document.getElementById('symptom-form');
  var out = document.getElementById('triage');
  if (!form || !out) return;
  var RULES = [
    { words: ['chest pain', 'chest pressure', 'shortness of breath', 'stroke', 'numb'], level: 'Emergency care now',
      advice: 'Your symptoms can be signs of a heart attack or stroke. Call 911.', link: '/services/cardiology', name: 'Heart & Vascular Care' },
    { words: ['suicid', 'harm myself', 'hopeless', 'depress', 'anxiety', 'panic'], level: 'Talk to someone today',
      advice: 'Call or text 988 any time. Our behavioral health team can see you this week.', link: '/services/behavioral-health', name: 'Behavioral Health' },
    { words: ['lump', 'breast', 'mass', 'weight loss', 'night sweats'], level: 'See a doctor this week',
      advice: 'A new lump should be checked promptly. We can arrange imaging and a specialist visit.', link: '/services/oncology', name: 'Cancer Care' },
    { words: ['pregnan', 'missed period', 'bleeding', 'cramp'], level: 'Call your OB-GYN today',
      advice: 'Our Women\'s Health Pavilion offers same-day visits for pregnancy concerns.', link: '/services/pregnancy', name: 'Pregnancy & Birth' },
    { words: ['withdrawal', 'opioid', 'overdose', 'drinking'], level: 'Same-day help available',
      advice: 'Our Bridge Clinic can start treatment today, walk-ins welcome.', link: '/services/addiction-treatment', name: 'Addiction Treatment' }
  ];
  form.addEventListener('submit', function (e) {
    e.preventDefault();
    var text = (form.symptoms.value || '').toLowerCase();
    var flags = Array.prototype.map.call(form.querySelectorAll('input[name=flags]:checked'), function (c) { return c.value; });
    var rule = null;
    if (flags.indexOf('breathing') >= 0) rule = RULES[0];
    if (flags.indexOf('self-harm') >= 0) rule = RULES[1];
    for (var i = 0; !rule && i < RULES.length; i++)
      if (RULES[i].words.some(function (w) { return text.indexOf(w) >= 0; })) rule = RULES[i];
    out.innerHTML = '';
    var h = document.createElement('h2');
    var p = document.createElement('p');
    var a = document.createElement('a');
    if (rule) {
      h.textContent = rule.level;
      p.textContent = rule.advice + ' You described: "' + form.symptoms.value.trim() + '".';
      a.href = rule.link;
      a.textContent = 'Learn about ' + rule.name;
    } else {
      h.textContent = 'Primary care or a video visit';
      p.textContent = 'Your symptoms may be suitable for a primary care or video visit.';
      a.href = '/appointments/request';
      a.textContent = 'Request an appointment';
    }
    a.className = 'btn btn-primary';
    out.appendChild(h);
    out.appendChild(p);
    out.appendChild(a);
    out.classList.add('show', 'callout');
  });
})();
