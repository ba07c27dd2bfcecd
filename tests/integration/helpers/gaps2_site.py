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
                    (ev=Engaged60) and a 2-minute one (ev=Never: beyond any horizon)
  /swsock/          registers a service worker (/sw.js) whose activation opens a tracker socket
                    and sends the worker's URL on open
  /ws               the "vendor" end: says hello first, records every handshake ("OPEN <Host>")
                    and message ("MSG <text>")
  /ws-log           what /ws received since the last /ws-log, one line each
"""
import base64, hashlib, http.server, socketserver, threading

WS_LOG = []
WS_LOCK = threading.Lock()


def ws_record(line):
    with WS_LOCK:
        WS_LOG.append(line.replace("\n", " "))


def ws_frames(rfile):  # yield (opcode, payload) of each frame a client sends (masked)
    while True:
        head = rfile.read(2)
        if len(head) < 2:
            return
        n = head[1] & 0x7F
        if n == 126:
            n = int.from_bytes(rfile.read(2), "big")
        elif n == 127:
            n = int.from_bytes(rfile.read(8), "big")
        mask = rfile.read(4) if head[1] & 0x80 else b"\0\0\0\0"
        data = rfile.read(n)
        if len(data) < n:
            return
        yield head[0] & 0x0F, bytes(b ^ mask[i % 4] for i, b in enumerate(data))


PX = """<script>
function px(ev,o){o=Object.assign({id:'5550001',ev:ev,dl:location.href},o||{});
new Image().src='https://www.facebook.com/tr?'+new URLSearchParams(o);}
</script>"""


def page(title, body):
    return ("<!doctype html><html><head><meta charset=utf-8><title>%s</title>%s</head>"
            "<body>%s</body></html>" % (title, PX, body))


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
setTimeout(function(){px('Never');},120000);</script>"""),
    "/swsock/": page("Diabetes worker", """<h1>Diabetes care</h1>
<script>navigator.serviceWorker.register('/sw.js');</script>"""),
}

SW = """self.addEventListener('install',function(){self.skipWaiting();});
self.addEventListener('activate',function(){
var ws=new WebSocket('ws://ws.hotjar.com:'+location.port+'/ws?tag=sw');
ws.onopen=function(){ws.send(JSON.stringify({sw:location.href}));};});
"""


class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *a):
        pass

    def send(self, code, body, ctype="text/html; charset=utf-8"):
        body = body.encode("utf-8")
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def websocket(self):  # the handshake, a hello, then record each message until the client goes
        ws_record("OPEN %s" % self.headers.get("Host", ""))
        key = self.headers.get("Sec-WebSocket-Key", "") + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
        self.send_response(101)
        self.send_header("Upgrade", "websocket")
        self.send_header("Connection", "Upgrade")
        self.send_header("Sec-WebSocket-Accept",
                         base64.b64encode(hashlib.sha1(key.encode()).digest()).decode())
        self.end_headers()
        self.wfile.write(b"\x81\x05hello")
        self.wfile.flush()
        try:
            for op, data in ws_frames(self.rfile):
                if op == 8:  # close
                    break
                if op in (0, 1, 2):
                    ws_record("MSG %s" % data.decode("utf-8", "replace"))
        except OSError:
            pass
        self.close_connection = True

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.send(204, "", "text/plain")

    def do_GET(self):
        p = self.path.split("?")[0]
        if p == "/ws":
            return self.websocket()
        if p == "/ws-log":
            with WS_LOCK:
                got = "".join(l + "\n" for l in WS_LOG)
                del WS_LOG[:]
            return self.send(200, got, "text/plain")
        if p == "/sw.js":
            return self.send(200, SW, "text/javascript")
        if p in PAGES:
            return self.send(200, PAGES[p])
        return self.send(404, "not found", "text/plain")


class S(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True


srv = S(("127.0.0.1", 0), H)
print("PORT %d" % srv.server_address[1], flush=True)
srv.serve_forever()
