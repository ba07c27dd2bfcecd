#!/usr/bin/env python3
"""gaps8_site.py — a loopback site of frames' unload beacons, for scan_browser_gaps8.sh. Each
beacon goes to https://www.facebook.com/tr (a catalog endpoint: the scan contains it).

Usage: gaps8_site.py   (listens on 127.0.0.1, any port; prints "PORT <n>")
  /fhide/       "Care team": a same-origin iframe /fhide/f whose pagehide listener works 1 s
                before it sends its beacon (sendBeacon, a Blob: ev=FrameHide, a canary address);
                at load the frame sends ev=Timing with the names of the resources its
                performance timeline lists (rt=…)
  /quiet/       "Directions": frames that send no unload marker: a sandbox frame without
                scripts (/quiet/f, whose script would send ev=Sandboxed), an about:blank frame
                the page writes into, a srcdoc frame and another site's frame (localhost/quiet/x:
                its own process, ev=OtherSite at load); ev=PageView at load
  /fremove/     "Billing": a same-origin iframe /fremove/f with a script of its own, removed by
                the page's pagehide listener; ev=PageView at load
  /unshown/     "Lab results": after its load, the page adds a same-origin frame /unshown/f whose
                image (/hang) never ends: the frame's document is never shown (no load event, so
                no pageshow and no pagehide); ev=PageView at load
  /fcsp/        "Pharmacy": a same-origin frame /fcsp/f whose CSP (a meta) refuses every request
                to its own origin (connect-src https://www.facebook.com); ev=PageView at load
  /forge/       "Forms": the page itself sends what a frame's announce looks like
                (/__phiwall_unload__?…&a=forged) and a frame's marker; ev=PageView at load
  /hang         an answer that never comes (60 s, then 204)
"""
import time

from pixel_site import PX, Handler, page, serve

SLOW_BEACON = ("var t=Date.now();while(Date.now()-t<1000);navigator.sendBeacon("
               "'https://www.facebook.com/tr',new Blob(['id=5550001&ev=%s&udff[em]='"
               "+'hide.canary%%40example.org'],{type:'application/x-www-form-urlencoded'}));")

PAGES = {
    "/fhide/": page("Care team", '<h1>Care team</h1><iframe src="/fhide/f"></iframe>'),
    "/fhide/f": page("Care team widget", """<p>Dr. Who</p><script>
addEventListener('pagehide',function(){""" + SLOW_BEACON % "FrameHide" + """});
addEventListener('load',function(){setTimeout(function(){px('Timing',{rt:performance
.getEntriesByType('resource').map(function(e){return e.name.replace(/\\?.*/,'')}).join(' ')})},300)});
</script>"""),
    "/quiet/": page("Directions", """<h1>Directions</h1>
<iframe sandbox src="/quiet/f"></iframe><iframe id=w></iframe>
<iframe srcdoc="<p>Parking</p>"></iframe><iframe id=x></iframe>
<script>var d=document.getElementById('w').contentDocument;d.open();
d.write('<p>Map</p><script>addEventListener(\\'pagehide\\',function(){})<\\/script>');d.close();
document.getElementById('x').src='http://localhost:'+location.port+'/quiet/x';
px('PageView');</script>"""),
    "/quiet/f": page("Map", "<p>Map</p><script>px('Sandboxed');</script>"),
    "/quiet/x": page("Reviews", "<p>Reviews</p><script>px('OtherSite');</script>"),
    "/fremove/": page("Billing", """<h1>Billing</h1><iframe id=f src="/fremove/f"></iframe>
<script>addEventListener('pagehide',function(){var f=document.getElementById('f');
if(f)f.remove();});px('PageView');</script>"""),
    "/fremove/f": page("Billing widget", "<p>Balance</p><script>var x=1;</script>"),
    "/unshown/": page("Lab results", """<h1>Lab results</h1><script>
addEventListener('load',function(){var f=document.createElement('iframe');f.src='/unshown/f';
document.body.appendChild(f);});px('PageView');</script>"""),
    "/unshown/f": page("Lab viewer", '<p>Loading</p><img src="/hang">'),
    "/fcsp/": page("Pharmacy", '<h1>Pharmacy</h1><iframe src="/fcsp/f"></iframe>'
                   "<script>px('PageView');</script>"),
    "/fcsp/f": ("<!doctype html><html><head><meta http-equiv=Content-Security-Policy "
                "content=\"connect-src https://www.facebook.com\"><title>Refills</title></head>"
                "<body><p>Refills</p></body></html>"),
    "/forge/": page("Forms", """<h1>Forms</h1><script>
navigator.sendBeacon('/__phiwall_unload__?'+encodeURIComponent(location.href)+'&a=forged');
navigator.sendBeacon('/__phiwall_unload__?'+encodeURIComponent(location.href)+'&n=0&f=other');
px('PageView');</script>"""),
}


class H(Handler):
    PAGES = PAGES

    def do_GET(self):
        if self.path.split("?")[0] == "/hang":
            time.sleep(60)
            return self.send(204, "", "text/plain")
        return Handler.do_GET(self)


serve(H)
