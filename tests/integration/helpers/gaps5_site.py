#!/usr/bin/env python3
"""gaps5_site.py — a loopback site of what the browser scan still missed or miscounted after
gaps4_site.py, for scan_browser_gaps5.sh. Each beacon is px(ev, extra) of pixel_site.py (an image
beacon to https://www.facebook.com/tr, a catalog endpoint the scan contains).

Usage: gaps5_site.py   (listens on 127.0.0.1, any port; prints "PORT <n>")
  /find/              "Find care": a link to /find/library (no other)
  /find/library       "Health library": the site's search box (GET /find/results?q=…), no link
  /find/results       "Search results" (ev=Search, with the query in dl)
  /embed/             "Patient education": a same-site iframe /embed/widget and a link to
                      /embed/classes
  /embed/widget       "Symptom checker widget" (ev=WidgetView): a link to /embed/widget-help
                      (linked from nowhere else)
  /embed/widget-help  "Widget help" (ev=PageView)
  /embed/classes      "Classes" (ev=PageView)
  /contact/           "Contact us": a form (e-mail, message) POSTed to /contact/send, which
                      answers 204 No Content (the browser stays on the form's page)
  /store/             "My chart": at load writes its session by property (localStorage.token,
                      localStorage['k'], sessionStorage['flag']), an IndexedDB record (db
                      "portal", store "s") and database "prefs", and a Cache Storage cache
                      "portal", reads all of it back (ev=Ready: what it read); a session timeout
                      120 s later overwrites and deletes each of them by property, clears the
                      store, deletes "prefs" and the cache, and POSTs /store/api/session-end;
                      links to /store/next
  /store/next         "Messages": what it finds of that state (ev=State: t, k, f, idb, prefs,
                      cache)
  /ws, /ws-log        pixel_site.py's vendor end and its log
"""
from pixel_site import Handler, page, serve

# Reads the page's stored state and calls back with it (async: IndexedDB and Cache Storage).
READ = """<script>
function readState(cb){var o={t:localStorage.token,k:localStorage['k'],f:sessionStorage.flag};
var r=indexedDB.open('portal',1);r.onupgradeneeded=function(){r.result.createObjectStore('s');};
r.onsuccess=function(){var db=r.result;var g=db.transaction('s').objectStore('s').get(1);
g.onsuccess=function(){o.idb=g.result||'none';db.close();
indexedDB.databases().then(function(l){o.prefs=l.some(function(d){return d.name==='prefs';})
?'yes':'no';return caches.has('portal');}).then(function(c){o.cache=c?'yes':'no';cb(o);});};};}
</script>"""

PAGES = {
    "/find/": page("Find care", '<h1>Find care</h1><a href="/find/library">Health library</a>'),
    "/find/library": page("Health library", """<h1>Health library</h1>
<form role=search action="/find/results" method=get><input type=search name=q>
<button type=submit>Search</button></form>"""),
    "/find/results": page("Search results", "<h1>Results</h1><script>px('Search');</script>"),
    "/embed/": page("Patient education", """<h1>Patient education</h1>
<a href="/embed/classes">Classes</a>
<iframe src="/embed/widget" style="width:400px;height:120px"></iframe>"""),
    "/embed/widget": page("Symptom checker widget", """<p>Check your symptoms</p>
<a href="/embed/widget-help">Help</a><script>px('WidgetView');</script>"""),
    "/embed/widget-help": page("Widget help", "<h1>Help</h1><script>px('PageView');</script>"),
    "/embed/classes": page("Classes", "<h1>Classes</h1><script>px('PageView');</script>"),
    "/contact/": page("Contact us", """<h1>Contact us</h1>
<form action="/contact/send" method=post><label>Email <input type=email name=email></label>
<label>Message <textarea name=message></textarea></label><button type=submit>Send</button></form>"""),
    "/store/": page("My chart", READ + """<h1>My chart</h1><a href="/store/next">Messages</a>
<script>
localStorage.token='t-1';localStorage['k']='v-1';sessionStorage['flag']='on';
var db;
var r=indexedDB.open('portal',1);r.onupgradeneeded=function(){r.result.createObjectStore('s');};
r.onsuccess=function(){db=r.result;var tx=db.transaction('s','readwrite');
tx.objectStore('s').put('rec-1',1);tx.oncomplete=function(){
var p=indexedDB.open('prefs',1);p.onsuccess=function(){p.result.close();
caches.open('portal').then(function(c){return c.put('/store/cached',new Response('x'));})
.then(function(){readState(function(o){px('Ready',o);});});};};};
function logout(){localStorage.token='';localStorage['k']='gone';delete localStorage.k;
sessionStorage['flag']='off';
if(db)db.transaction('s','readwrite').objectStore('s').clear();
indexedDB.deleteDatabase('prefs');caches.delete('portal');
fetch('/store/api/session-end',{method:'POST'});}
setTimeout(logout,120000);
</script>"""),
    "/store/next": page("Messages", READ + """<h1>Messages</h1>
<script>readState(function(o){px('State',o);});</script>"""),
}


class H(Handler):
    PAGES = PAGES


serve(H)
