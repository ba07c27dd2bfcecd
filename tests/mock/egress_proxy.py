#!/usr/bin/env python3
"""egress_proxy.py LOG PORT_FILE [USER:PASSWORD [basic|digest]] — a loopback forward proxy for
the gateway's integration tests (gateway_proxy.sh, gateway_proxy_auth.sh).

Absolute-form requests ("POST http://127.0.0.1:…/path") are forwarded; CONNECT host:port opens a
byte tunnel. With USER:PASSWORD every request must carry a Proxy-Authorization of it (Basic, or
Digest MD5 qop=auth answering this proxy's nonce), else the answer is 407 with that
Proxy-Authenticate challenge (the connection then closes, as corporate proxies do). One line per request goes to LOG: "METHOD TARGET auth=ok|bad|none" ("auth=" only
when credentials are demanded); the credentials themselves are never written. The port is
written to PORT_FILE (atomically) once listening.
"""
import base64
import hashlib
import http.client
import os
import re
import select
import socket
import sys
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

log, port_file = sys.argv[1], sys.argv[2]
want = None
scheme = sys.argv[4] if len(sys.argv) > 4 else "basic"
if len(sys.argv) > 3:
    want = "Basic " + base64.b64encode(sys.argv[3].encode()).decode()
REALM, NONCE = "hospital-egress", "4f2a9c0d1e7b"


def md5(s):
    return hashlib.md5(s.encode()).hexdigest()


def digest_ok(method, got):
    """RFC 7616 MD5 with qop=auth: the response the client computed must be ours."""
    if not got or not got.startswith("Digest "):
        return False
    f = dict((k.strip(), v.strip().strip('"'))
             for k, _, v in (p.partition("=") for p in re.split(r",\s*(?=\w+=)", got[7:])))
    user, _, pw = sys.argv[3].partition(":")
    if f.get("username") != user or f.get("nonce") != NONCE or f.get("qop") != "auth":
        return False
    ha1 = md5("%s:%s:%s" % (user, REALM, pw))
    ha2 = md5("%s:%s" % (method, f.get("uri", "")))
    return f.get("response") == md5(":".join([ha1, NONCE, f.get("nc", ""), f.get("cnonce", ""),
                                              "auth", ha2]))


class H(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def _note(self):
        line = "%s %s" % (self.command, self.path)
        ok = True
        if want is not None:
            got = self.headers.get("Proxy-Authorization")
            ok = digest_ok(self.command, got) if scheme == "digest" else got == want
            line += " auth=" + ("ok" if ok else "none" if got is None else "bad")
        with open(log, "a") as f:
            f.write(line + "\n")
        if not ok:
            body = b"proxy authentication required"
            self.send_response(407)
            self.send_header("Proxy-Authenticate",
                             'Digest realm="%s", nonce="%s", qop="auth", algorithm=MD5'
                             % (REALM, NONCE) if scheme == "digest"
                             else 'Basic realm="%s"' % REALM)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(body)
            self.close_connection = True
        return ok

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if not self._note():
            return
        u = urllib.parse.urlsplit(self.path)
        try:
            c = http.client.HTTPConnection(u.hostname, u.port, timeout=5)
            c.request("POST", u.path + ("?" + u.query if u.query else ""), body,
                      {"Content-Type": self.headers.get("Content-Type", "application/json")})
            r = c.getresponse()
            status, ctype, data = r.status, r.getheader("Content-Type", "application/json"), r.read()
        except OSError:  # the upstream is down: a gateway error, as a real proxy answers
            status, ctype, data = 502, "text/plain", b"bad gateway"
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_CONNECT(self):
        if not self._note():
            return
        host, _, port = self.path.rpartition(":")
        try:
            up = socket.create_connection((host, int(port)), timeout=5)
        except OSError:
            self.send_response(502)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_response(200, "Connection established")
        self.end_headers()
        self.wfile.flush()
        a = self.connection
        try:
            while True:
                r, _, _ = select.select([a, up], [], [], 10)
                if not r:
                    break
                for s in r:
                    data = s.recv(65536)
                    if not data:
                        raise EOFError
                    (up if s is a else a).sendall(data)
        except (EOFError, OSError):
            pass
        up.close()
        self.close_connection = True

    def log_message(self, *a):
        pass


s = ThreadingHTTPServer(("127.0.0.1", 0), H)
with open(port_file + ".tmp", "w") as f:
    f.write(str(s.server_address[1]))
os.rename(port_file + ".tmp", port_file)
s.serve_forever()
