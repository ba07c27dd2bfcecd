#!/usr/bin/env python3
"""gaps3_site.py — a loopback site of the timers the browser scan's leave did not run after
gaps2_site.py, for scan_browser_gaps3.sh. Each beacon is px(ev, extra) of pixel_site.py (an image
beacon to https://www.facebook.com/tr, a catalog endpoint the scan contains) or, in a worker, a
fetch() to the same endpoint.

Usage: gaps3_site.py   (listens on 127.0.0.1, any port; prints "PORT <n>")
  /timers/          "Cancer care", served as http://www.hosp.test:<port>/timers/ (the scan maps
                    *.hosp.test to 127.0.0.1), with:
                    - a chained tag: a 20 s timer that arms a 30 s one (ev=Chain50);
                    - a heartbeat whose beat arms the next beat 15 s later (ev=Beat, n=1, 2, …);
                    - a 2-minute survey intercept (ev=Survey120);
                    - a string handler, setTimeout("px('Str20')", 20000) (ev=Str20);
                    - a 20-minute session-timeout warning (ev=Timeout20m: never to be run);
                    - a 90 s idle timer that sends the visitor to /timers/logout (ev=Idle90 just
                      before: run, but its navigation must not reach the site);
                    - a frame of the same origin (/timers/frame: ev=Frame20 at 20 s) and one of
                      another origin of the same site (http://widget.hosp.test:<port>/timers/frame:
                      the same frame, same process, out of the page's reach);
                    - a dedicated worker (/timers/worker.js) that flushes after 20 s (ev=Worker20)
  /timers/frame     the frames' page
  /booking/         "Book a visit": a same-origin scheduling frame (/booking/frame) whose "Book
                    appointment" button sends the whole page to /booking/confirm with the
                    visitor's choice in the query (top.location), and an ad of another site
                    (http://ads.test:<port>/booking/ad) that opens a window on load (window.open
                    of an out-of-process frame, no gesture)
  /booking/confirm  the booking page the widget sends the visitor to (ev=PageView)
  /booking/popup    the ad's window (ev=AdWindow)
  /swstream/        registers a service worker (/sw-stream.js) whose activation opens two
                    WebSocketStreams and writes the worker's URL on each: the hospital's own chat
                    service on another host (ws://chat.hosp.test:<port>/ws?tag=chat: no tracker,
                    to be let through) and a replay tag's (ws://ws.hotjar.com:<port>/ws?tag=replay:
                    contained)
  /ws, /ws-log      pixel_site.py's vendor end and its log
"""
from pixel_site import Handler, page, serve

PAGES = {
    "/timers/": page("Cancer care", """<h1>Cancer care</h1>
<iframe src="/timers/frame" style="width:300px;height:60px"></iframe>
<iframe id=w style="width:300px;height:60px"></iframe>
<script>
document.getElementById('w').src='http://widget.hosp.test:'+location.port+'/timers/frame';
setTimeout(function(){setTimeout(function(){px('Chain50');},30000);},20000);
function beat(n){px('Beat',{n:n});setTimeout(function(){beat(n+1);},15000);}
setTimeout(function(){beat(1);},15000);
setTimeout(function(){px('Survey120');},120000);
setTimeout("px('Str20')",20000);
setTimeout(function(){px('Timeout20m');},1200000);
setTimeout(function(){px('Idle90');location.href='/timers/logout';},90000);
new Worker('/timers/worker.js');
</script>"""),
    "/timers/logout": page("Signed out", "<p>Signed out</p>"),
    "/timers/frame": page("Widget", """<p>Widget</p>
<script>setTimeout(function(){px('Frame20',{host:location.host});},20000);</script>"""),
    "/booking/": page("Book a visit", """<h1>Book a visit</h1>
<iframe src="/booking/frame" style="width:400px;height:80px"></iframe>
<iframe id=ad style="width:300px;height:60px"></iframe>
<script>document.getElementById('ad').src='http://ads.test:'+location.port+'/booking/ad';
px('PageView');</script>"""),
    "/booking/frame": page("Scheduling", """<button type=button
onclick="top.location.href='/booking/confirm?slot=cardiology-0900&reason=chest+pain'">Book
appointment</button>"""),
    "/booking/ad": page("Ad", """<p>Ad</p><script>
window.open('http://ads.test:'+location.port+'/booking/popup','_blank');</script>"""),
    "/booking/confirm": page("Appointment confirmed", """<h1>Confirmed</h1>
<script>px('PageView');</script>"""),
    "/booking/popup": page("Ad window", """<script>px('AdWindow');</script>"""),
    "/swstream/": page("Diabetes chat", """<h1>Diabetes care</h1>
<script>navigator.serviceWorker.register('/sw-stream.js');</script>"""),
}

SW_STREAM = """self.addEventListener('install',function(){self.skipWaiting();});
self.addEventListener('activate',function(){['chat.hosp.test','ws.hotjar.com'].forEach(function(h){
var tag=h==='chat.hosp.test'?'chat':'replay';
var st=new WebSocketStream('ws://'+h+':'+location.port+'/ws?tag='+tag);
st.opened.then(function(c){c.writable.getWriter().write(JSON.stringify({sw:tag,at:location.href}));},
function(e){fetch('/sw-failed?tag='+tag);});});});
"""

WORKER = """setTimeout(function(){
fetch('https://www.facebook.com/tr?id=5550001&ev=Worker20&dl='+encodeURIComponent(location.href),
{mode:'no-cors'});},20000);
"""


class H(Handler):
    PAGES = PAGES
    SCRIPTS = {"/timers/worker.js": WORKER, "/sw-stream.js": SW_STREAM}


serve(H)
