#!/usr/bin/env python3
"""gaps7_site.py — a loopback site of what the browser scan still missed after gaps6_site.py, for
scan_browser_gaps7.sh. Each beacon is px(ev, extra) of pixel_site.py (an image beacon to
https://www.facebook.com/tr, a catalog endpoint the scan contains).

Usage: gaps7_site.py   (listens on 127.0.0.1, any port; prints "PORT <n>")
  /slowstore/       "My chart": at load a chain of IndexedDB requests (db "portal", store "s")
                    that lasts 1.5 s (no request to the network in it: an app syncing its records),
                    then writes the record, a Cache Storage cache "portal" and reads both back
                    (ev=Ready: idb, cache); a session timeout 120 s later clears the store and
                    deletes the cache; links to /slowstore/next
  /slowstore/next   "Messages": what it finds of that state (ev=State: idb, cache)
  /latehide/        "Visit summary": a pagehide listener, then a handler set as window.onpagehide
                    (after the page's last listener) that works 1 s before it sends its beacon
                    (sendBeacon, a Blob: ev=LateHide with a canary address)
  /bodyhide/        "Discharge notes": the same handler as a <body onpagehide> attribute
                    (ev=BodyHide)
  /rframes/         "Clinic calendar": 12 same-origin iframes /rframes/f1 … /rframes/f12, no link;
                    frame 11 has a control that is no link (a role=link span whose click sets
                    location to /rframes/p11: a route)
  /rframes/p11      "Day 11" (ev=PageView)
"""
from pixel_site import PX, Handler, page, serve

# Reads the record and the cache and calls back with them.
READ = """<script>
function readState(cb){var o={};var r=indexedDB.open('portal',1);
r.onupgradeneeded=function(){r.result.createObjectStore('s');};
r.onsuccess=function(){var db=r.result;var g=db.transaction('s').objectStore('s').get(1);
g.onsuccess=function(){o.idb=g.result||'none';db.close();
caches.has('portal').then(function(c){o.cache=c?'yes':'no';cb(o);});};};}
</script>"""

# A pagehide handler's body: works 1 s, then sends its beacon (ev=%s, a canary address).
SLOW_BEACON = ("var t=Date.now();while(Date.now()-t<1000);navigator.sendBeacon("
               "'https://www.facebook.com/tr',new Blob(['id=5550001&ev=%s&udff[em]='"
               "+'hide.canary%%40example.org'],{type:'application/x-www-form-urlencoded'}));")

PAGES = {
    "/slowstore/": page("My chart", READ + """<h1>My chart</h1><a href="/slowstore/next">Messages</a>
<script>
var db,t0=performance.now();
var r=indexedDB.open('portal',1);r.onupgradeneeded=function(){r.result.createObjectStore('s');};
r.onsuccess=function(){db=r.result;var s=db.transaction('s','readwrite').objectStore('s');
(function spin(){if(performance.now()-t0<1500){s.count().onsuccess=spin;return;}
s.put('rec-1',1).onsuccess=function(){
caches.open('portal').then(function(c){return c.put('/slowstore/cached',new Response('x'));})
.then(function(){readState(function(o){px('Ready',o);});});};})();};
function logout(){if(db)db.transaction('s','readwrite').objectStore('s').clear();
caches.delete('portal');}
setTimeout(logout,120000);
</script>"""),
    "/slowstore/next": page("Messages", READ + """<h1>Messages</h1>
<script>readState(function(o){px('State',o);});</script>"""),
    "/latehide/": page("Visit summary", """<h1>Visit summary</h1><script>
addEventListener('pagehide',function(){});
window.onpagehide=function(){""" + SLOW_BEACON % "LateHide" + """};</script>"""),
    "/bodyhide/": ("<!doctype html><html><head><meta charset=utf-8><title>Discharge notes</title>"
                   + PX + "</head><body onpagehide=\"" + SLOW_BEACON % "BodyHide"
                   + "\"><h1>Discharge notes</h1></body></html>"),
    "/rframes/": page("Clinic calendar", "<h1>Clinic calendar</h1>" + "".join(
        '<iframe src="/rframes/f%d" style="width:120px;height:40px"></iframe>' % i
        for i in range(1, 13))),
    "/rframes/p11": page("Day 11", "<h1>Day 11</h1><script>px('PageView');</script>"),
}
for i in range(1, 13):
    PAGES["/rframes/f%d" % i] = page("Frame %d" % i, "<p>Day %d</p>" % i if i != 11 else
                                     "<span role=link onclick=\"location.href='/rframes/p11'\">"
                                     "Day 11</span>")


class H(Handler):
    PAGES = PAGES


serve(H)
