#!/usr/bin/env python3
"""crawl_site.py — a loopback site for the crawl tests (scan_browser_traps.sh): crawler traps
and sites a crawl cannot go past the start page of.

Usage: crawl_site.py VENDOR_DIR   (listens on 127.0.0.1, any port; prints "PORT <n>")
/vendor/<host>/<path> serves the demo's vendor scripts (for --map-host).
  /cal/        an events calendar (each month 28 day links and "Next month", endless) beside a
               condition page with the Meta pixel 3 links deep (/cal/health/diabetes)
  /consent/    a banner (a custom one, no known CMP) whose accept button loads the pixel; ?a= and
               ?r= name the buttons ("Accept all cookies", "Reject all")
  /xs          redirects to http://localhost:<port>/cal/ (another site for the crawl)
  /sitemap.xml with SITE_SITEMAP=N: an index of N child sitemaps that answer after 30 s
  /robots.txt  with SITE_ROBOTS: that text ("\\n" for newlines)
"""
import http.server, os, socketserver, sys, time, urllib.parse

VENDOR = os.path.abspath(sys.argv[1])

META = """<script>
!function(f,b,e,v,n,t,s){if(f.fbq)return;n=f.fbq=function(){n.callMethod?
n.callMethod.apply(n,arguments):n.queue.push(arguments)};if(!f._fbq)f._fbq=n;
n.push=n;n.loaded=!0;n.version='2.0';n.queue=[];t=b.createElement(e);t.async=!0;
t.src=v;s=b.getElementsByTagName(e)[0];s.parentNode.insertBefore(t,s)}(window,
document,'script','https://connect.facebook.net/en_US/fbevents.js');
fbq('init', '493027145822310');
fbq('track', 'PageView');
</script>"""


def page(title, body):
    return "<!doctype html><html><head><meta charset=utf-8><title>%s</title></head><body>%s</body></html>" % (title, body)


def links(*pairs):
    return "<ul>" + "".join('<li><a href="%s">%s</a></li>' % p for p in pairs) + "</ul>"


class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"

    def log_message(self, fmt, *a):
        pass

    def send(self, code, body, ctype="text/html; charset=utf-8", headers=()):
        if isinstance(body, str):
            body = body.encode("utf-8")
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        try:
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def do_GET(self):
        u = urllib.parse.urlsplit(self.path)
        p, q = u.path, urllib.parse.parse_qs(u.query)
        if p.startswith("/vendor/"):
            f = os.path.normpath(VENDOR + p[len("/vendor"):])
            if f.startswith(VENDOR) and os.path.isfile(f):
                return self.send(200, open(f, "rb").read(), "application/javascript")
            return self.send(404, "no", "text/plain")
        if p == "/sitemap.xml" and os.environ.get("SITE_SITEMAP"):
            n, host = int(os.environ["SITE_SITEMAP"]), self.headers.get("Host")
            return self.send(200, "<?xml version='1.0'?><sitemapindex>" + "".join(
                "<sitemap><loc>http://%s/sitemaps/%d.xml</loc></sitemap>" % (host, i)
                for i in range(n)) + "</sitemapindex>", "application/xml")
        if p.startswith("/sitemaps/"):
            print("child sitemap %s asked" % p, file=sys.stderr, flush=True)  # the test waits for it
            time.sleep(30)
            return self.send(200, "<urlset></urlset>", "application/xml")
        if p == "/robots.txt" and os.environ.get("SITE_ROBOTS"):
            return self.send(200, os.environ["SITE_ROBOTS"].replace("\\n", "\n"), "text/plain")
        if p in ("/robots.txt", "/sitemap.xml"):
            return self.send(404, "not found", "text/plain")
        if p == "/xs":
            self.send_response(301)
            self.send_header("Location", "http://localhost:%d/cal/" % self.server.server_address[1])
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if p.startswith("/cal/"):
            return self.cal(p)
        if p.startswith("/consent/"):
            return self.consent(p, q)
        return self.send(404, page("Not found", "<h1>404</h1>"))

    def cal(self, p):
        parts = p.strip("/").split("/")
        nav = links(("/cal/", "Home"), ("/cal/events/2026/12", "Events"), ("/cal/about", "About"))
        if len(parts) == 1:
            return self.send(200, page("Home", nav))
        if p == "/cal/about":
            return self.send(200, page("About", nav + links(("/cal/about/history", "History"))))
        if p == "/cal/about/history":
            return self.send(200, page("History", nav + links(("/cal/health/diabetes", "Diabetes"))))
        if p == "/cal/health/diabetes":
            return self.send(200, page("Diabetes", nav + META))
        if parts[1] == "events" and len(parts) >= 4:
            y, m = int(parts[2]), int(parts[3])
            ny, nm = (y + 1, 1) if m == 12 else (y, m + 1)
            days = "".join('<a href="/cal/events/%d/%d/%d">%d</a> ' % (y, m, d, d) for d in range(1, 29))
            return self.send(200, page("Events %d-%d" % (y, m), nav + days +
                                       '<a href="/cal/events/%d/%d">Next month</a>' % (ny, nm)))
        return self.send(404, page("Not found", nav))

    def consent(self, p, q):
        acc = q.get("a", ["Accept all cookies"])[0]
        rej = q.get("r", ["Reject all"])[0]
        pix = META.replace("<script>", "").replace("</script>", "")
        body = """<div id=cc class="cookie-banner"><p>We use cookies.</p>
<button id=agree onclick="document.cookie='ok=1;path=/';loadPixel();this.parentNode.remove()">%s</button>
<button onclick="document.cookie='ok=0;path=/';this.parentNode.remove()">%s</button></div>
<script>
function loadPixel(){ var s=document.createElement('script'); s.textContent=%r; document.head.appendChild(s); }
if(document.cookie.indexOf('ok=1')>=0) loadPixel();
</script>""" % (acc, rej, pix)
        return self.send(200, page("Cancer care", body))


class S(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True


srv = S(("127.0.0.1", 0), H)
print("PORT %d" % srv.server_address[1], flush=True)
srv.serve_forever()
