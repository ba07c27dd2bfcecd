#!/usr/bin/env python3
"""spa_site.py — a loopback site of modern front-end shapes for scan_browser_spa.sh: single-page
apps, web components and their trackers. Each page has a tiny pixel, px(ev, extra), that sends
an image beacon to https://www.facebook.com/tr (a catalog endpoint: the scan contains it).

Usage: spa_site.py   (listens on 127.0.0.1, any port; prints "PORT <n>")
  /hash/            a hash router: "#/" written at load, links to #/find-a-doctor and
                    #!/conditions/hiv (each route sets its title and sends a PageView, and
                    ev=Leave by sendBeacon at pagehide)
  /routed/          a history router that rewrites its URL at load (/routed/home) and links to
                    /shadow/
  /held/            the same router, and a pagehide listener that stops the event: the scan's
                    unload marker, sent by the window's last listener, is never sent (a leave
                    that waits its cap, the control of the /routed/ check)
  /shadow/          an appointment form inside a web component's open shadow root; its submit
                    handler sends the typed values (ev=Lead)
  /consent-shadow/  a consent banner inside a shadow root (like Usercentrics): "Accept all" sends
                    ev=ConsentAccepted, "Deny" ev=ConsentRejected
  /consent-frame/   a consent banner inside an iframe (/consent-frame/cmp, like a consent manager's
                    frame): its buttons post "accept" or "reject" to the page, which sends
                    ev=ConsentAccepted or ev=ConsentRejected
  /steps/           a two-step appointment request without a <form>: name and e-mail, "Next",
                    then (rendered by the click) date of birth, reason and "Submit request",
                    whose handler sends what the steps' input events stored (ev=Lead)
  /jsform/          a contact form its script sends (fetch, no navigation): ev=Lead with the
                    address on submit, ev=Leave by sendBeacon at pagehide
  /ws/              sends the page URL and a typed e-mail address over a WebSocket to
                    ws://ws.hotjar.com:<this port>/ws (a session-replay tracker's transport)
  /ws-more/         the same socket opened from a dedicated worker (/ws-worker.js) and from a
                    cross-site iframe (http://frames.test:<this port>/ws-frame/; the scan maps
                    frames.test to 127.0.0.1), each sending its page URL
  /ws               the "vendor" end of that socket: it records every handshake ("OPEN <Host>")
                    and every message it receives ("MSG <text>")
  /ws-log           what /ws received since the last /ws-log, one line each (the test's proof of
                    what reached the vendor)
"""
from pixel_site import Handler, page, serve

PAGES = {
    "/hash/": page("Hash Hospital", """<main id=view></main>
<a href="#/find-a-doctor">Find a doctor</a> <a href="#!/conditions/hiv">HIV care</a>
<script>
function render(){var r=location.hash.replace(/^#!?/,'')||'/';var v=document.getElementById('view');
if(r==='/conditions/hiv'){document.title='HIV care';v.innerHTML='<h1>HIV treatment</h1>';}
else if(r==='/find-a-doctor'){document.title='Find a doctor';v.innerHTML='<h1>Find a doctor</h1>';}
else{document.title='Hash Hospital';v.innerHTML='<h1>Home</h1>';}
px('PageView');}
if(!location.hash)history.replaceState(null,'','#/');
addEventListener('pagehide',function(){navigator.sendBeacon('https://www.facebook.com/tr?'+
new URLSearchParams({id:'5550001',ev:'Leave',dl:location.href}));});
addEventListener('hashchange',render);render();
</script>"""),
    "/routed/": page("Routed Hospital", """<h1>Home</h1><a href="/shadow/">Book online</a>
<script>history.replaceState(null,'','/routed/home');px('PageView');</script>"""),
    "/held/": page("Held Hospital", """<h1>Home</h1><a href="/shadow/">Book online</a>
<script>addEventListener('pagehide',function(e){e.stopImmediatePropagation();});
history.replaceState(null,'','/held/home');px('PageView');</script>"""),
    "/shadow/": page("Shadow booking", """<h1>Book online</h1><appt-form></appt-form>
<script>
customElements.define('appt-form',class extends HTMLElement{constructor(){super();
var s=this.attachShadow({mode:'open'});s.innerHTML='<form><label>First name <input name=first></label>'+
'<label>Email <input type=email name=email></label><label>Phone <input type=tel name=phone></label>'+
'<button type=submit>Request appointment</button></form>';
s.querySelector('form').addEventListener('submit',function(e){e.preventDefault();var f=e.target;
px('Lead',{'udff[em]':f.email.value,'udff[ph]':f.phone.value,'udff[fn]':f.first.value});});}});
</script>"""),
    "/consent-shadow/": page("Cancer care", """<h1>Cancer care</h1><div id=usercentrics-root></div>
<script>
var h=document.getElementById('usercentrics-root').attachShadow({mode:'open'});
h.innerHTML='<div role=dialog><p>We use cookies.</p><button id=a>Accept all</button><button id=r>Deny</button></div>';
h.getElementById('a').onclick=function(){px('ConsentAccepted');h.innerHTML='';};
h.getElementById('r').onclick=function(){px('ConsentRejected');h.innerHTML='';};
</script>"""),
    "/consent-frame/": page("Cancer care", """<h1>Cancer care</h1>
<iframe id=cmp src="/consent-frame/cmp" style="position:fixed;bottom:0;width:600px;height:120px"></iframe>
<script>addEventListener('message',function(e){if(e.data==='accept')px('ConsentAccepted');
if(e.data==='reject')px('ConsentRejected');document.getElementById('cmp').remove();});</script>"""),
    "/consent-frame/cmp": """<!doctype html><html><body><p>We use cookies.</p>
<button onclick="parent.postMessage('accept','*')">Accept all</button>
<button onclick="parent.postMessage('reject','*')">Reject all</button></body></html>""",
    "/steps/": page("Request an appointment", """<h1>Request an appointment</h1><div id=wiz>
<label>First name <input id=fn></label><label>Email <input id=em type=email></label>
<button type=button id=next>Next</button></div>
<script>
var st={};document.getElementById('wiz').addEventListener('input',function(e){st[e.target.id]=e.target.value;});
document.getElementById('next').onclick=function(){var w=document.getElementById('wiz');
w.innerHTML='<label>Date of birth <input id=dob></label><label>Reason for visit <textarea id=reason></textarea></label>'+
'<button type=button id=send>Submit request</button>';
document.getElementById('send').onclick=function(){
px('Lead',{'udff[em]':st.em||'','udff[db]':st.dob||'','cd[reason]':st.reason||''});};};
</script>"""),
    "/jsform/": page("Contact us", """<h1>Contact us</h1><form id=f><label>Email
<input type=email name=email></label><button type=submit>Send message</button></form>
<script>
document.getElementById('f').addEventListener('submit',function(e){e.preventDefault();
px('Lead',{'udff[em]':this.email.value});fetch('/api/contact',{method:'POST',body:new FormData(this)});});
addEventListener('pagehide',function(){navigator.sendBeacon('https://www.facebook.com/tr?'+
new URLSearchParams({id:'5550001',ev:'Leave',dl:location.href}));});
</script>"""),
    "/ws/": page("Diabetes care", """<h1>Diabetes care</h1><input id=em type=email>
<script>
var ws=new WebSocket('ws://ws.hotjar.com:'+location.port+'/ws');
ws.onopen=function(){ws.send(JSON.stringify({url:location.href,title:document.title}));
document.getElementById('em').addEventListener('change',function(e){
ws.send(JSON.stringify({input:e.target.value}));});};
</script>"""),
    "/ws-more/": page("Cardiology", """<h1>Cardiology</h1>
<iframe src="http://frames.test:PORT/ws-frame/"></iframe>
<script>new Worker('/ws-worker.js');</script>"""),
    "/ws-frame/": page("Chat", """<script>
var ws=new WebSocket('ws://ws.hotjar.com:'+location.port+'/ws');
ws.onopen=function(){ws.send(JSON.stringify({frame:location.href}));};
</script>"""),
}

WS_WORKER = """var ws=new WebSocket('ws://ws.hotjar.com:'+location.port+'/ws');
ws.onopen=function(){ws.send(JSON.stringify({worker:location.href}));};"""


class H(Handler):
    PAGES = PAGES
    SCRIPTS = {"/ws-worker.js": WS_WORKER}
    PREFIXES = ("/routed/", "/held/")
    FILL_PORT = True


serve(H)
