#!/usr/bin/env python3
"""gaps6_site.py — a loopback site of what the browser scan still missed after gaps5_site.py, for
scan_browser_gaps6.sh. Each beacon is px(ev, extra) of pixel_site.py (an image beacon to
https://www.facebook.com/tr, a catalog endpoint the scan contains).

Usage: gaps6_site.py   (listens on 127.0.0.1, any port; prints "PORT <n>")
  /find1/           "Find a doctor": the site's search box (GET /find1/results?q=…), no link
  /find1/results    "Search results" (ev=Search)
  /frames/          "Clinic calendar": 12 same-site iframes /frames/f1 … /frames/f12, no link
  /frames/fN        "Frame N": a link to /frames/pN (linked from nowhere else)
  /frames/pN        "Page N" (ev=PageView)
  /manyframes/      "Ad farm": 100 srcdoc iframes, each with a link to /manyframes/pK
  /manyframes/pK    "Ad K"
  /slowleave/       "Visit summary": a tracker's pagehide listener that works 1 s before it sends
                    its batch (sendBeacon, a Blob: ev=SlowLeave with the canary address), as every
                    listener's beacon comes late from a renderer on a loaded machine
"""
from pixel_site import Handler, page, serve

FRAMES = 12
MANY = 100

PAGES = {
    "/find1/": page("Find a doctor", """<h1>Find a doctor</h1>
<form role=search action="/find1/results" method=get><input type=search name=q>
<button type=submit>Search</button></form>"""),
    "/find1/results": page("Search results", "<h1>Results</h1><script>px('Search');</script>"),
    "/frames/": page("Clinic calendar", "<h1>Clinic calendar</h1>" + "".join(
        '<iframe src="/frames/f%d" style="width:120px;height:40px"></iframe>' % i
        for i in range(1, FRAMES + 1))),
    "/manyframes/": page("Ad farm", "<h1>Ad farm</h1>" + "".join(
        '<iframe srcdoc="<a href=/manyframes/p%d>%d</a>" width=20 height=20></iframe>' % (i, i)
        for i in range(1, MANY + 1))),
    "/slowleave/": page("Visit summary", """<h1>Visit summary</h1><script>
addEventListener('pagehide',function(){var t=Date.now();while(Date.now()-t<1000);
navigator.sendBeacon('https://www.facebook.com/tr',new Blob(['id=5550001&ev=SlowLeave&udff[em]='
+'leave.canary%40example.org'],{type:'application/x-www-form-urlencoded'}));});</script>"""),
}
for i in range(1, FRAMES + 1):
    PAGES["/frames/f%d" % i] = page("Frame %d" % i, '<a href="/frames/p%d">Day %d</a>' % (i, i))
    PAGES["/frames/p%d" % i] = page("Page %d" % i, "<h1>Day %d</h1><script>px('PageView');</script>" % i)
for i in range(1, MANY + 1):
    PAGES["/manyframes/p%d" % i] = page("Ad %d" % i, "<h1>Ad %d</h1>" % i)


class H(Handler):
    PAGES = PAGES


serve(H)
