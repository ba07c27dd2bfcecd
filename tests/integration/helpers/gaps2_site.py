#!/usr/bin/env python3
"""gaps2_site.py — a loopback site of what the browser scan still did not see after gaps_site.py,
for scan_browser_gaps2.sh. Each page has a tiny pixel, px(ev, extra), that sends an image beacon
to https://www.facebook.com/tr (a catalog endpoint: the scan contains it) naming its page (dl).

Usage: gaps2_site.py   (listens on 127.0.0.1, any port; prints "PORT <n>")
  /widget/          a page whose scheduling widget is an iframe of the same site
                    (/widget/frame): the widget's own navigation has no link (a <div onclick>
                    in its <nav> sets location.href to /widget/slots), and it links its
                    booking page (/widget/book) and has a "Schedule now" button (ev=Schedule,
                    sent from the frame); a second, script-written iframe (srcdoc: no
                    URL of its own to visit) links the portal's sign-in page (/portal/login)
  /widget/ad        an ad of another site (http://ads.test:<this port>/, mapped to 127.0.0.1),
                    framed by /widget/: its "Book now" button (ev=AdClick) must not be pressed
  /widget/frame     the widget (only ever meant to be seen inside /widget/)
  /widget/slots, /widget/book, /portal/login
                    the pages behind the frames, each with its PageView beacon
  /wshello/         two tracker WebSockets to ws://ws.hotjar.com:<this port>/ws (mapped to
                    127.0.0.1 by the scan): a chat tag that sends the page URL only after its
                    server's first message (a hello), and a replay tag that sends the page URL
                    as soon as the socket opens
  /wsstream/        a replay tag on WebSocketStream: it writes the page URL once opened
  /engaged/         a tag manager's "engaged visitor" timer: a beacon 60 s after load
                    (ev=Engaged60) and a 20-minute one (ev=Never: beyond any horizon)
  /swsock/          registers a service worker (/sw.js) whose activation opens a tracker socket
                    and sends the worker's URL on open
  /ws               the "vendor" end: says hello first, records every handshake ("OPEN <Host>")
                    and message ("MSG <text>")
  /ws-log           what /ws received since the last /ws-log, one line each
"""
from pixel_site import Handler, page, serve

PAGES = {
    "/widget/": page("Schedule a visit", """<h1>Schedule a visit</h1>
<iframe src="/widget/frame" style="width:500px;height:200px"></iframe>
<iframe id=portal style="width:500px;height:80px"></iframe>
<iframe id=ad style="width:300px;height:80px"></iframe>
<script>document.getElementById('ad').src='http://ads.test:'+location.port+'/widget/ad';</script>
<script>document.getElementById('portal').srcdoc=
'<!doctype html><p><a href="/portal/login" target="_top">Patient portal sign in</a></p>';
px('PageView');</script>"""),
    "/widget/frame": page("Scheduling widget", """<nav>
<div class=tab onclick="location.href='/widget/slots'" style="cursor:pointer">Open slots</div>
</nav><p><a href="/widget/book">Book a cardiology visit</a></p>
<button type=button onclick="px('Schedule',{slot:'cardiology-0900'})">Schedule now</button>"""),
    "/widget/ad": page("Ad", """<button type=button onclick="px('AdClick')">Book now</button>"""),
    "/widget/slots": page("Open slots", "<h1>Open slots</h1><script>px('PageView')</script>"),
    "/widget/book": page("Book cardiology", "<h1>Book</h1><script>px('PageView')</script>"),
    "/portal/login": page("Portal sign in", "<h1>Sign in</h1><script>px('PageView')</script>"),
    "/wshello/": page("Diabetes chat", """<h1>Diabetes care</h1>
<script>
var port=location.port;
var chat=new WebSocket('ws://ws.hotjar.com:'+port+'/ws?tag=chat');
chat.onmessage=function(){chat.send(JSON.stringify({chat:location.href}));};
var replay=new WebSocket('ws://ws.hotjar.com:'+port+'/ws?tag=replay');
replay.onopen=function(){replay.send(JSON.stringify({replay:location.href}));};
</script>"""),
    "/wsstream/": page("Diabetes stream", """<h1>Diabetes care</h1>
<script>
var st=new WebSocketStream('ws://ws.hotjar.com:'+location.port+'/ws?tag=stream');
st.opened.then(function(c){c.writable.getWriter().write(JSON.stringify({stream:location.href}));});
</script>"""),
    "/engaged/": page("Cancer care", """<h1>Cancer care</h1>
<script>setTimeout(function(){px('Engaged60',{t:'60'});},60000);
setTimeout(function(){px('Never');},1200000);</script>"""),
    "/swsock/": page("Diabetes worker", """<h1>Diabetes care</h1>
<script>navigator.serviceWorker.register('/sw.js');</script>"""),
}

SW = """self.addEventListener('install',function(){self.skipWaiting();});
self.addEventListener('activate',function(){
var ws=new WebSocket('ws://ws.hotjar.com:'+location.port+'/ws?tag=sw');
ws.onopen=function(){ws.send(JSON.stringify({sw:location.href}));};});
"""


class H(Handler):
    PAGES = PAGES
    SCRIPTS = {"/sw.js": SW}
    WS_HELLO = True


serve(H)
