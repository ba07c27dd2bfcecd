#!/usr/bin/env python3
"""gaps_site.py — a loopback site of the leaks the browser scan used not to see, for
scan_browser_gaps.sh. Each page has a tiny pixel, px(ev, extra), that sends an image beacon to
https://www.facebook.com/tr (a catalog endpoint: the scan contains it).

Usage: gaps_site.py   (listens on 127.0.0.1, any port; prints "PORT <n>")
  /ws/          a session-replay tag's WebSocket to ws://ws.hotjar.com:<this port>/ws (the scan
                maps ws.hotjar.com to 127.0.0.1): on open it sends the page URL (text) and a binary
                message (the bytes of "bin:" + the page title); the typed e-mail address of the
                page's field is sent as the user types it
  /ws           the "vendor" end of that socket: it records every handshake ("OPEN <Host>") and
                every message it receives ("MSG <text>")
  /ws-log       what /ws received since the last /ws-log, one line each (the test's proof of what
                reached the vendor)
  /closed/      an appointment form inside a web component's closed shadow root
                (attachShadow({mode:'closed'})); its submit handler sends the typed values
                (ev=Lead)
  /engage/      an analytics tag that sends its engagement beacons (ev=Engagement with the page
                URL by sendBeacon, ev=EngagementImage as an image) when the page becomes hidden
                (visibilitychange), as GA4's user_engagement and session-replay flushes do, a
                time-on-page beacon 15 s after load (ev=TimeOnPage), a heartbeat every 10 s
                (ev=Heartbeat), and one 20 minutes after load (ev=Never: beyond any wait)
  /app/         a single-page app whose navigation has no link: a <div onclick> (Cardiology), a
                role=link span (HIV care) and a button calling a router's push (Find a doctor)
                each show their route (history.pushState, a PageView with the route's URL), next
                to a "Log out" div and a "Delete account" button that must never be pressed
                (each would send ev=Logout / ev=Delete)
"""
from pixel_site import Handler, page, serve

PAGES = {
    "/ws/": page("Diabetes care", """<h1>Diabetes care</h1><label>Email <input id=em type=email></label>
<script>
var ws=new WebSocket('ws://ws.hotjar.com:'+location.port+'/ws');
ws.addEventListener('open',function(){ws.send(JSON.stringify({url:location.href}));
ws.send(new TextEncoder().encode('bin:'+document.title));});
document.getElementById('em').addEventListener('change',function(e){
if(ws.readyState===1)ws.send(JSON.stringify({input:e.target.value}));});
</script>"""),
    "/closed/": page("Closed booking", """<h1>Book online</h1><appt-form></appt-form>
<script>
customElements.define('appt-form',class extends HTMLElement{constructor(){super();
var s=this.attachShadow({mode:'closed'});s.innerHTML='<form><label>First name <input name=first></label>'+
'<label>Email <input type=email name=email></label><label>Phone <input type=tel name=phone></label>'+
'<button type=submit>Request appointment</button></form>';
s.querySelector('form').addEventListener('submit',function(e){e.preventDefault();var f=e.target;
px('Lead',{'udff[em]':f.email.value,'udff[ph]':f.phone.value,'udff[fn]':f.first.value});});}});
</script>"""),
    "/engage/": page("HIV care", """<h1>HIV treatment</h1>
<script>
document.addEventListener('visibilitychange',function(){if(document.visibilityState!=='hidden')return;
navigator.sendBeacon('https://www.facebook.com/tr?'+new URLSearchParams({id:'5550001',
ev:'Engagement',dl:location.href}));px('EngagementImage');});
setTimeout(function(){px('TimeOnPage',{t:'15'});},15000);
var beats=0;setInterval(function(){beats++;px('Heartbeat',{n:beats});},10000);
setTimeout(function(){px('Never');},1200000);
</script>"""),
    "/app/": page("App Hospital", """<nav id=nav>
<div class=item onclick="go('/app/cardiology')">Cardiology</div>
<span role=link tabindex=0 onclick="go('/app/conditions/hiv')">HIV care</span>
<button type=button onclick="router.push('/app/find-a-doctor')">Find a doctor</button>
<div class=item onclick="px('Logout')">Log out</div>
<button type=button onclick="px('Delete')">Delete account</button>
</nav><main id=view></main>
<script>
var T={'/app/cardiology':'Cardiology','/app/conditions/hiv':'HIV care','/app/find-a-doctor':'Find a doctor'};
function render(){var p=location.pathname;document.title=T[p]||'App Hospital';
document.getElementById('view').innerHTML='<h1>'+(T[p]||'Home')+'</h1>';px('PageView');}
function go(p){history.pushState(null,'',p);render();}
var router={push:go};
addEventListener('popstate',render);render();
</script>"""),
}


class H(Handler):
    PAGES = PAGES
    PREFIXES = ("/app/",)


serve(H)
