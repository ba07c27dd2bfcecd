"""pixel_site.py — what the browser scan's loopback test sites share (gaps_site.py,
gaps2_site.py, spa_site.py): a tiny Meta-pixel stand-in for the pages, a threaded HTTP/1.1
server, and the "vendor" end of a tracker's WebSocket that records what reaches it.

A site subclasses Handler and sets what it serves:
  PAGES     path -> HTML (page(title, body) adds the pixel)
  SCRIPTS   path -> JavaScript
  PREFIXES  paths whose sub-paths are that page (client-side routes: "/app/x" is "/app/")
  FILL_PORT "PORT" in a page becomes the server's port
  WS_HELLO  the vendor end sends "hello" first, as a session-replay server greets its client
and calls serve(its Handler). Every site also answers:
  /ws       the vendor end: records every handshake ("OPEN <Host>") and message ("MSG <text>")
  /ws-log   what /ws received since the last /ws-log, one line each
  POST *    204
"""
import base64, hashlib, http.server, socketserver, threading

# px(ev, extra) sends an image beacon to https://www.facebook.com/tr (a catalog endpoint: the scan
# contains it)
PX = """<script>
function px(ev,o){o=Object.assign({id:'5550001',ev:ev,dl:location.href},o||{});
new Image().src='https://www.facebook.com/tr?'+new URLSearchParams(o);}
</script>"""

_ws_log = []
_ws_lock = threading.Lock()


def page(title, body):
    return ("<!doctype html><html><head><meta charset=utf-8><title>%s</title>%s</head>"
            "<body>%s</body></html>" % (title, PX, body))


def ws_record(line):
    with _ws_lock:
        _ws_log.append(line.replace("\n", " "))


def ws_take():
    """What the vendor end recorded since the last call, one line each."""
    with _ws_lock:
        got = "".join(l + "\n" for l in _ws_log)
        del _ws_log[:]
    return got


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


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    PAGES = {}
    SCRIPTS = {}
    PREFIXES = ()
    FILL_PORT = False
    WS_HELLO = False

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

    def websocket(self):  # the handshake, a hello if asked, then record each message
        ws_record("OPEN %s" % self.headers.get("Host", ""))
        key = self.headers.get("Sec-WebSocket-Key", "") + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
        self.send_response(101)
        self.send_header("Upgrade", "websocket")
        self.send_header("Connection", "Upgrade")
        self.send_header("Sec-WebSocket-Accept",
                         base64.b64encode(hashlib.sha1(key.encode()).digest()).decode())
        self.end_headers()
        if self.WS_HELLO:
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
            return self.send(200, ws_take(), "text/plain")
        if p in self.SCRIPTS:
            return self.send(200, self.SCRIPTS[p], "text/javascript")
        p = next((pre for pre in self.PREFIXES if p.startswith(pre)), p)
        if p not in self.PAGES:
            return self.send(404, "not found", "text/plain")
        html = self.PAGES[p]
        if self.FILL_PORT:
            html = html.replace("PORT", str(self.server.server_address[1]))
        return self.send(200, html)


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True


def serve(handler):
    """Listen on 127.0.0.1 (any port), print "PORT <n>" and serve until killed."""
    srv = Server(("127.0.0.1", 0), handler)
    print("PORT %d" % srv.server_address[1], flush=True)
    srv.serve_forever()
