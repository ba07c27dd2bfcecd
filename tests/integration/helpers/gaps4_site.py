#!/usr/bin/env python3
"""gaps4_site.py — a loopback site of what the browser scan still missed or miscounted after
gaps3_site.py, for scan_browser_gaps4.sh. Each beacon is px(ev, extra) of pixel_site.py (an image
beacon to https://www.facebook.com/tr, a catalog endpoint the scan contains).

Usage: gaps4_site.py   (listens on 127.0.0.1, any port; prints "PORT <n>")
  /swsock/          registers a service worker (/sw-sock.js) whose activation opens two plain
                    WebSockets: the hospital's own chat service on another host
                    (ws://chat.hosp.test:<port>/ws?tag=chat: no tracker, to be let through; it
                    answers the server's "hello" with "got:hello") and a replay tag's
                    (ws://ws.hotjar.com:<port>/ws?tag=replay: contained); a socket that fails
                    asks /sw-failed?tag=…
  /booking/         "Book a visit": a same-origin scheduling frame (/booking/frame) whose "Book
                    appointment" sends the whole page to /booking/confirm?slot=…&reason=…
                    (top.location)
  /booking/confirm  "Appointment confirmed" (ev=PageView): a link to /booking/parking (linked
                    from nowhere else) and a feedback form (e-mail, comments) posted to
                    /booking/feedback ("Thank you")
  /booking/parking  "Parking" (ev=PageView)
  /forms/           "Forms": links to /forms/a … /forms/d, each a page with a form whose
                    submission (GET) lands on /forms/thanks?f=<its letter>, a page of its own
  /portal/          "My chart" (served as http://www.hosp.test:<port>/portal/): at load sets the
                    session's cookie (sid=abc123), localStorage token and sessionStorage flag; a
                    2-minute session-timeout warning (ev=Warn120) arms the logout 60 s later, which
                    clears cookie and storage, POSTs /portal/api/session-end and then goes to
                    /portal/signed-out; links to /portal/next
  /portal/next      "Messages": reports the session state it finds (ev=State, c=cookie,
                    t=token, s=flag)
  /portal/log       the session-end calls and signed-out pages the site received, one a line
  /ws, /ws-log      pixel_site.py's vendor end and its log
"""
import threading

from pixel_site import Handler, page, serve

FORM = """<h1>Form %s</h1><form action="/forms/thanks" method="get">
<input type=hidden name=f value="%s"><label>Email <input type=email name=email></label>
<button type=submit>Send</button></form>"""

PAGES = {
    "/swsock/": page("Diabetes chat", """<h1>Diabetes care</h1>
<script>navigator.serviceWorker.register('/sw-sock.js');</script>"""),
    "/booking/": page("Book a visit", """<h1>Book a visit</h1>
<iframe src="/booking/frame" style="width:400px;height:80px"></iframe>"""),
    "/booking/frame": page("Scheduling", """<button type=button
onclick="top.location.href='/booking/confirm?slot=cardiology-0900&reason=chest+pain'">Book
appointment</button>"""),
    "/booking/confirm": page("Appointment confirmed", """<h1>Confirmed</h1>
<p><a href="/booking/parking">Parking</a></p>
<form action="/booking/feedback" method="post"><label>Email <input type=email name=email></label>
<label>Comments <textarea name=comments></textarea></label><button type=submit>Send</button></form>
<script>px('PageView');</script>"""),
    "/booking/parking": page("Parking", "<h1>Parking</h1><script>px('PageView');</script>"),
    "/forms/": page("Forms", "".join('<a href="/forms/%s">Form %s</a> ' % (c, c) for c in "abcd")),
    "/forms/thanks": page("Thanks", "<h1>Thanks</h1>"),
    "/portal/": page("My chart", """<h1>My chart</h1><a href="/portal/next">Messages</a>
<script>
document.cookie='sid=abc123; path=/';localStorage.setItem('token','t-1');
sessionStorage.setItem('flag','on');
function logout(){document.cookie='sid=; Max-Age=0; path=/';localStorage.removeItem('token');
sessionStorage.clear();
fetch('/portal/api/session-end',{method:'POST'}).then(function(){
location.href='/portal/signed-out';});}
setTimeout(function(){px('Warn120');setTimeout(logout,60000);},120000);
</script>"""),
    "/portal/next": page("Messages", """<h1>Messages</h1><script>
px('State',{c:document.cookie,t:localStorage.getItem('token'),s:sessionStorage.getItem('flag')});
</script>"""),
    "/portal/signed-out": page("Signed out", "<p>Signed out</p>"),
}
for c in "abcd":
    PAGES["/forms/" + c] = page("Form " + c.upper(), FORM % (c.upper(), c))

SW_SOCK = """self.addEventListener('install',function(){self.skipWaiting();});
self.addEventListener('activate',function(){['chat.hosp.test','ws.hotjar.com'].forEach(function(h){
var tag=h==='chat.hosp.test'?'chat':'replay';
var ws=new WebSocket('ws://'+h+':'+location.port+'/ws?tag='+tag);
ws.onopen=function(){ws.send(JSON.stringify({sw:tag,at:location.href,state:ws.readyState}));};
ws.onmessage=function(e){ws.send('got:'+e.data);};
ws.onerror=function(){fetch('/sw-failed?tag='+tag);};});});
"""

_log = []
_lock = threading.Lock()


class H(Handler):
    PAGES = PAGES
    SCRIPTS = {"/sw-sock.js": SW_SOCK}
    WS_HELLO = True

    def note(self, line):
        with _lock:
            _log.append(line)

    def do_POST(self):
        if self.path.startswith("/portal/api/session-end"):
            self.note("SESSION-END")
        if self.path.startswith("/booking/feedback"):
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            return self.send(200, page("Thank you", "<p>Thank you</p>"))
        return Handler.do_POST(self)

    def do_GET(self):
        p = self.path.split("?")[0]
        if p == "/portal/log":
            with _lock:
                got = "".join(l + "\n" for l in _log)
            return self.send(200, got, "text/plain")
        if p == "/portal/signed-out":
            self.note("SIGNED-OUT")
        return Handler.do_GET(self)


serve(H)
