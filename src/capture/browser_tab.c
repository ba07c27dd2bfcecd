/*
 * browser_tab.c — one tab of the scanning browser: created with Target.createTarget and attached
 * as a flattened session with Page, Network, Fetch and auto-attach (iframes, workers) enabled;
 * navigation, script evaluation, trusted mouse clicks, page facts (title, links, login form),
 * screenshots to PNG files, and the flush of one task's pages and requests to the sink.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "capture/browser_int.h"
#include "phiwall/text.h"
#include "phiwall/url.h"
#include "phiwall/json_tree.h"

static pw_status call(bx_tab *t, const char *session, const char *method, const char *params,
                      cdp_msg *resp, pw_err *err)
{
    return cdp_call(t->b->conn, session, method, params, BX_CALL_MS, resp, err);
}

static pw_status dup_result_str(cdp_msg *r, const char *path, char **out, const char *what,
                                pw_err *err)
{
    const char *s = cdp_str(r->result, path);
    *out = s ? strdup(s) : NULL;
    cdp_msg_free(r);
    if (!*out)
        return pw_err_set(err, PW_ERR_REMOTE, "%s: no %s in the answer", what, path);
    return PW_OK;
}

static pw_status set_cookies(bx_tab *t, pw_err *err)
{
    const pw_browser_opts *o = t->b->o;
    for (size_t i = 0; i < o->n_cookies; i++) {
        const pw_cookie *c = &o->cookies[i];
        pw_buf p;
        pw_buf_init(&p);
        pw_buf_puts(&p, "{\"name\":");
        pw_buf_json_string(&p, c->name, strlen(c->name));
        pw_buf_puts(&p, ",\"value\":");
        pw_buf_json_string(&p, c->value, strlen(c->value));
        if (c->domain) {
            pw_buf_puts(&p, ",\"domain\":");
            pw_buf_json_string(&p, c->domain, strlen(c->domain));
        } else {
            pw_buf_puts(&p, ",\"url\":");
            pw_buf_json_string(&p, t->b->start_url, strlen(t->b->start_url));
        }
        pw_buf_puts(&p, ",\"path\":");
        pw_buf_json_string(&p, c->path ? c->path : "/", strlen(c->path ? c->path : "/"));
        pw_buf_putc(&p, '}');
        int was_quiet = t->b->quiet;
        t->b->quiet = 1; /* cookie values are credentials: never logged */
        pw_status st =
            p.failed ? PW_ERR_NOMEM : call(t, t->session, "Network.setCookie", p.data, NULL, err);
        t->b->quiet = was_quiet;
        pw_buf_free(&p);
        if (st != PW_OK)
            return pw_err_prefix(err, "cookie %s: ", c->name);
    }
    return PW_OK;
}

/* {"userAgent":…} for Network.setUserAgentOverride; 0 when the scan sets none. */
static int agent_params(const bx_browser *b, pw_buf *p)
{
    if (!b->user_agent)
        return 0;
    pw_buf_puts(p, "{\"userAgent\":");
    pw_buf_json_string(p, b->user_agent, strlen(b->user_agent));
    pw_buf_putc(p, '}');
    return !p->failed;
}

void bx_agent_override(bx_browser *b, const char *session)
{
    pw_buf p;
    pw_buf_init(&p);
    if (agent_params(b, &p))
        cdp_send(b->conn, session, "Network.setUserAgentOverride", p.data, NULL, NULL, NULL);
    pw_buf_free(&p);
}

static pw_status emulate(bx_tab *t, pw_err *err)
{
    bx_browser *b = t->b;
    pw_buf p;
    pw_buf_init(&p);
    pw_status st = PW_OK;
    if (agent_params(b, &p))
        st = call(t, t->session, "Network.setUserAgentOverride", p.data, NULL, err);
    pw_buf_free(&p);
    if (st != PW_OK || b->o->device != PW_DEVICE_MOBILE)
        return st;
    st = call(t, t->session, "Emulation.setDeviceMetricsOverride",
              "{\"width\":412,\"height\":915,\"deviceScaleFactor\":2.625,\"mobile\":true}", NULL,
              err);
    if (st == PW_OK)
        st = call(t, t->session, "Emulation.setTouchEmulationEnabled",
                  "{\"enabled\":true,\"maxTouchPoints\":5}", NULL, err);
    return st;
}

/* The unload marker: a document's last pagehide listener sends a beacon of its own origin
 * (CSP's connect-src 'self' allows it) naming the document and how many beacons (sendBeacon,
 * fetch with keepalive, to an http(s) URL: a data: URL is never paused) the page's pagehide
 * listeners sent before it (counted from the first listener, the scan's own):
 * ".../__phiwall_unload__?<the document>&n=<beacons>". The leave waits for the marker's pause and
 * then for that many pauses of the top frame's unload (leave_pages in browser_scan.c) rather than
 * for a fixed time: the left document's pagehide runs only after the next document commits, and its
 * beacons reach the scan later still on a loaded machine. Earlier versions sent the marker first,
 * before the page's listeners, waited 300 ms and a quiet window after it, and lost a beacon whose
 * pause came later (once under ASan at load 40; every time for a listener that works 1 s before it
 * sends, scan_browser_gaps6's /slowleave/). The marker's listener stays the last of the window's
 * pagehide listeners: each one the page adds moves it back to the end. A handler set as
 * window.onpagehide or as a <body onpagehide> attribute runs before the marker too, also when set
 * after the page's last listener (measured with Chromium 156: the marker counts its beacon;
 * scan_browser_gaps7's /latehide/ and /bodyhide/). The document is named by its URL as it was
 * loaded (read before the page's scripts run): a router that rewrites it (history.pushState, a hash
 * router's "#/") does not make the marker a stranger the leave waits past until its cap — 5 s a
 * page before.
 *
 * A frame of the tab's own process (a same-origin widget) gets the marker too, ending
 * "&f=<id>" (BX_FRAME_MARKED), an id of its document, and announces it by a request of the same
 * kind, "…?<the document>&a=<id>" (BX_FRAME_ANNOUNCE), sent by its first pagehide listener. The
 * scan answers both itself, as it answers the top's marker (browser_contain.c): no Runtime
 * domain (whose being enabled bot checks notice) is needed, and no script of the page sees the
 * announce (one sent at pageshow was in the frame's performance timeline, measured with Chromium
 * 156: scan_browser_gaps8's /fhide/ reads it). A frame's pagehide runs after the top document's, in
 * the same task: the leave's settle after the top's marker sees the announces, and the leave
 * then waits for the marker of each (a listener that works before it sends was lost:
 * scan_browser_gaps8's /fhide/). A frame that runs no script (a sandbox without
 * allow-scripts), an about:blank or srcdoc frame (no http(s) URL of its own to send to),
 * another site's frame in its own process (the script is the top session's), a frame never
 * shown (no pagehide) or one whose CSP refuses its own origin never announces and is not
 * waited for; a frame removed before the leave, also in the page's own pagehide, sends both as
 * it goes. */
static const char unload_marker_js[] =
    "(function(){const W=window,fr=W!==W.top,u=location.href;let base;"
    "try{const m=new URL('" BX_UNLOAD_PATH "',u);if(!/^https?:$/.test(m.protocol))return;"
    "base=m.origin+'" BX_UNLOAD_PATH "?'+encodeURIComponent(u)}catch(e){return}"
    "const N=navigator,E=EventTarget.prototype,"
    "add=E.addEventListener,rm=E.removeEventListener,sb=Navigator.prototype.sendBeacon,"
    "fe=W.fetch;let gone=0,n=0,id='';"
    "const web=x=>{try{return/^https?:$/.test(new URL(String(x&&x.url||x),location.href)"
    ".protocol)}catch(e){return false}};"
    "add.call(W,'pagehide',function(){gone=1;n=0;if(!fr)return;"
    "id=Math.random().toString(36).slice(2,12)+Date.now().toString(36);"
    "try{sb.call(N,base+'" BX_FRAME_ANNOUNCE "'+id)}catch(e){}},true);"
    "Navigator.prototype.sendBeacon=function(x){const r=sb.apply(this,arguments);"
    "if(gone&&r&&web(x))n++;return r};"
    "if(fe)W.fetch=function(a,o){if(gone&&((o&&o.keepalive)||(a&&a.keepalive))&&web(a))n++;"
    "return fe.apply(this,arguments)};"
    "const last=function(){if(fr&&!id)return;try{sb.call(N,base+'&n='+n+"
    "(fr?'" BX_FRAME_MARKED "'+id:''))}catch(e){}id=''};add.call(W,'pagehide',last);"
    "E.addEventListener=function(t,l,o){const r=add.apply(this,arguments);"
    "if(this===W&&t==='pagehide'&&l!==last){rm.call(W,'pagehide',last);"
    "add.call(W,'pagehide',last)}return r}})()";

static pw_status add_unload_marker(bx_tab *t, pw_err *err)
{
    pw_buf p;
    pw_buf_init(&p);
    pw_buf_puts(&p, "{\"source\":");
    pw_buf_json_string(&p, unload_marker_js, strlen(unload_marker_js));
    pw_buf_putc(&p, '}');
    pw_status st =
        p.failed ? pw_err_set(err, PW_ERR_NOMEM, "unload marker: out of memory")
                 : call(t, t->session, "Page.addScriptToEvaluateOnNewDocument", p.data, NULL, err);
    pw_buf_free(&p);
    return st;
}

pw_status bx_tab_open(bx_browser *b, bx_tab *t, pw_err *err)
{
    cdp_msg r;
    t->b = b;
    t->nav_sent = t->nav_answered = 0; /* a new connection: the old one answered all of its own */
    t->idle_sent = t->idle_answered = 0;
    pw_status st = cdp_call(b->conn, NULL, "Target.createTarget", "{\"url\":\"about:blank\"}",
                            BX_CALL_MS, &r, err);
    if (st == PW_OK)
        st = dup_result_str(&r, "targetId", &t->target_id, "Target.createTarget", err);
    if (st != PW_OK)
        return st;
    pw_buf p;
    pw_buf_init(&p);
    pw_buf_puts(&p, "{\"flatten\":true,\"targetId\":");
    pw_buf_json_string(&p, t->target_id, strlen(t->target_id));
    pw_buf_putc(&p, '}');
    st = cdp_call(b->conn, NULL, "Target.attachToTarget", p.data, BX_CALL_MS, &r, err);
    pw_buf_free(&p);
    if (st == PW_OK)
        st = dup_result_str(&r, "sessionId", &t->session, "Target.attachToTarget", err);
    if (st != PW_OK)
        return st;
    static const char *const setup[][2] = {
        {"Page.enable", "{}"},
        {"Emulation.setFocusEmulationEnabled", "{\"enabled\":true}"},
        {"Network.enable", "{\"maxPostDataSize\":1048576}"},
        {"Target.setAutoAttach",
         "{\"autoAttach\":true,\"waitForDebuggerOnStart\":true,\"flatten\":true}"},
    };
    for (size_t i = 0; i < sizeof setup / sizeof setup[0] && st == PW_OK; i++)
        st = call(t, t->session, setup[i][0], setup[i][1], NULL, err);
    /* Always, also without containment or host maps: a request's pause is the only record of a
     * beacon sent while its document unloads (bx_answered). */
    if (st == PW_OK)
        st = call(t, t->session, "Fetch.enable", "{\"patterns\":[{\"urlPattern\":\"*\"}]}", NULL,
                  err);
    if (st == PW_OK)
        bx_socket_guard(b, t->session, 0); /* before any document: a tracker's socket never opens */
    if (st == PW_OK)
        bx_page_shims(b, t->session);
    if (st == PW_OK)
        st = emulate(t, err);
    if (st == PW_OK)
        st = set_cookies(t, err);
    if (st == PW_OK)
        st = add_unload_marker(t, err);
    return st;
}

/* What every document of the tab gets before its own scripts run (bx_page_shims):
 *
 * Closed shadow roots (attachShadow({mode:'closed'})): element.shadowRoot is null for them, so
 * the page scripts' deep() never entered one, and a booking widget's form, a care button or a
 * consent banner inside it was never found. Every attachShadow is made open (the component still
 * gets its root, which works as before; only host.shadowRoot now answers it). Chosen over
 * DOM.getDocument with pierce:true, which sees closed roots but not from the scripts that fill,
 * click and consent (they would need a second, CDP-side query engine, a round trip per node).
 * What it changes for the page: a script that tests host.shadowRoot === null to tell its closed
 * root from none.
 *
 * Timers: setTimeout and setInterval callbacks due within 185 s of the document's (or worker's)
 * start — an engagement or time-on-page beacon at 10-60 s, a tag manager's 60 s "engaged visitor"
 * timer, a 2-minute survey or chat invitation, a replay tag's periodic flush — are remembered,
 * string handlers too (setTimeout("fire()", 20000): run as the browser runs them, a global eval),
 * and the leave runs the still pending ones once each, in the order they were due
 * (Symbol.for('phiwall.timers'), leave_timers in browser_scan.c), on a clock of their own: while
 * a callback runs, the time is the time it was due, so a timer it sets (a chained tag: a 20 s
 * timer that arms the 30 s beacon; a heartbeat's next beat) is due from then and run too when
 * that is within the 185 s — once for each callback's source (a heartbeat re-arming itself beats
 * once more, not up to the horizon), at most 100 callbacks in all. What the page would have
 * sent had the visitor stayed three minutes is seen, with the payload it would carry then,
 * without the crawl staying on the page. Frames below the top run theirs when their document
 * gets the event "phiwall:timers" (the leave dispatches it from an isolated world: a same-process
 * frame of another origin is out of the top's reach). A navigation a run callback starts (an
 * idle timer sending the visitor home or to /logout) is cancelled (the Navigation API's navigate
 * event): the leave's about:blank would cut it anyway, but only after its request reached the
 * site. From the run until the document's pagehide (the guard; lifted by a capturing pagehide
 * listener, before the page's own), also later than the run (a logout that navigates once its
 * fetch() answered), navigations stay cancelled and writes to document.cookie, Storage
 * (setItem, removeItem, clear, and by property: localStorage.token = '', delete
 * sessionStorage.flag — window.localStorage and sessionStorage answer a Proxy of the real
 * storage from the run on, whose set, delete and define do nothing while guarded; installed only
 * then, so that a page reading or writing its storage before the leave deals with the real
 * object, and a reference a script kept from before still writes), cookieStore (set, delete),
 * IndexedDB (an object store's put, add, delete, clear and a cursor's update, delete answer a
 * count() of the same store instead — a real request, so the transaction completes as the page
 * expects; deleteDatabase a request that succeeds) and Cache Storage (caches.delete, a cache's
 * put, add, addAll, delete: a resolved promise) do nothing: a session timeout's
 * logout due within the 185 s would clear the session cookie, the token or the tab's
 * sessionStorage, and the next page the crawl visits in the same browser would be seen signed
 * out (its call to the site itself is held in browser_contain.c, held_at_leave). A worker has no
 * pagehide: its guard ends 3 s after the run (a service worker outlives the page). Timers due
 * later (a session timeout's warning and logout, 10-20 minutes on a patient portal) are not run,
 * nor delays under 1 s (the page's own work, run within the settle anyway). Before, the horizon
 * was 65 s, and a callback's own timers, string handlers, same-process frames and workers were
 * not run.
 *
 * Storage work in flight: indexedDB.open, deleteDatabase and databases(), a database's
 * transactions and the Cache Storage calls are counted until they ended (their success, error,
 * complete or abort event, or their promise settled) and a task later, so that the call a
 * handler chains on is counted before the count drops; Symbol.for('phiwall.idle')(cap) answers
 * nothing when none is in flight, else a promise of "idle" when the count reaches 0 or "busy"
 * after cap ms (the leave's first wait, wait_storage in browser_scan.c). A Cache Storage call
 * answers a promise chained on the real one (the same value or rejection). */
static const char shims_js[] =
    "(function(){var P=self.Element&&Element.prototype,A=P&&P.attachShadow;"
    "if(A&&!A.__phiwall){var W={attachShadow(o){var c={};for(var k in o)c[k]=o[k];"
    "if(c.mode==='closed')c.mode='open';return A.call(this,c)}}.attachShadow;"
    "Object.defineProperty(W,'__phiwall',{value:1});"
    "Object.defineProperty(P,'attachShadow',{value:W,writable:true,configurable:true,"
    "enumerable:false})}"
    "var K=Symbol.for('phiwall.timers');if(self[K]||typeof self.setTimeout!=='function')return;"
    "var ST=self.setTimeout,CT=self.clearTimeout,CI=self.clearInterval,Q=new Map(),H=185000,V=0;"
    "var SP=0,WQ=[],AE=EventTarget.prototype.addEventListener,PT=Promise.prototype.then;"
    "function end(){ST.call(self,function(){if(--SP>0)return;var w=WQ;WQ=[];"
    "w.forEach(function(f){f()})},0)}"
    "function track(r,ev){if(!r||typeof r!=='object')return r;SP++;if(r instanceof Promise)"
    "return PT.call(r,function(v){end();return v},function(x){end();throw x});"
    "var o=0,e=function(){if(!o){o=1;end()}};ev.forEach(function(n){AE.call(r,n,e)});return r}"
    "function busy(o,k,ev){var d=o&&Object.getOwnPropertyDescriptor(o,k);"
    "if(!d||typeof d.value!=='function')return;var f=d.value;"
    "o[k]={[k](){return track(f.apply(this,arguments),ev)}}[k]}"
    "['open','deleteDatabase','databases'].forEach(function(k){"
    "busy(self.IDBFactory&&IDBFactory.prototype,k,['success','error'])});"
    "busy(self.IDBDatabase&&IDBDatabase.prototype,'transaction',['complete','abort']);"
    "['open','has','delete','match','keys'].forEach(function(k){"
    "busy(self.CacheStorage&&CacheStorage.prototype,k,[])});"
    "['put','add','addAll','delete','match','matchAll','keys'].forEach(function(k){"
    "busy(self.Cache&&Cache.prototype,k,[])});"
    "function now(){return V||performance.now()}"
    "function wrap(N,rep){return{[N.name](f,d){var ms=+d||0,a=[].slice.call(arguments,2),"
    "s=typeof f==='string'?f:null;"
    "if((s===null&&typeof f!=='function')||ms<1000||now()+ms>H)return N.apply(self,arguments);"
    "var g=s===null?f:function(){(0,eval)(s)};"
    "var id=N.call(self,function(){if(!rep)Q.delete(id);return g.apply(this,a)},ms);"
    "Q.set(id,{f:g,s:s,a:a,rep:rep,due:now()+ms});return id}}[N.name]}"
    "function unwrap(N){return{[N.name](id){Q.delete(id);return N.apply(self,arguments)}}[N.name]}"
    "self.setTimeout=wrap(self.setTimeout,0);self.setInterval=wrap(self.setInterval,1);"
    "self.clearTimeout=unwrap(CT);self.clearInterval=unwrap(CI);"
    "function key(e){if(e.s!==null)return e.s;var t=Function.prototype.toString.call(e.f);"
    "return t.indexOf('[native code]')<0?t:e.f}"
    "function "
    "take(l,old){Q.forEach(function(e,id){(e.rep?CI:CT).call(self,id);e.old=old;l.push(e)});"
    "Q.clear()}"
    "function stop(e){if(G&&e.cancelable)e.preventDefault()}"
    "var G=0;function hold(o,k,w,r){var d=o&&Object.getOwnPropertyDescriptor(o,k);if(!d)return;"
    "if(w)Object.defineProperty(o,k,{get:d.get,set:function(v){if(!G)d.set.call(this,v)},"
    "configurable:true,enumerable:d.enumerable});"
    "else if(typeof d.value==='function')o[k]={[k](){return G?(r?r.call(this):undefined)"
    ":d.value.apply(this,arguments)}}[k]}"
    "function PR(){return Promise.resolve()}"
    "function CN(){return this.count()}"
    "function done(){var q=new EventTarget();q.readyState='done';q.result=undefined;q.error=null;"
    "ST.call(self,function(){var e=new Event('success');"
    "if(typeof q.onsuccess==='function')q.onsuccess.call(q,e);q.dispatchEvent(e)},0);return q}"
    "function shield(n){var h=self,d;while(h&&!(d=Object.getOwnPropertyDescriptor(h,n)))"
    "h=Object.getPrototypeOf(h);if(!d||!d.get||!d.configurable)return;var s;"
    "try{s=d.get.call(self)}catch(x){return}if(!s)return;var B=new Map(),p=new Proxy(s,{"
    "get:function(o,k){var v=o[k];if(typeof v!=='function')return v;"
    "if(!B.has(v))B.set(v,v.bind(o));return B.get(v)},"
    "set:function(o,k,v){if(!G)o[k]=v;return true},"
    "deleteProperty:function(o,k){if(!G)delete o[k];return true},"
    "defineProperty:function(o,k,e){return G||Reflect.defineProperty(o,k,e)}});"
    "Object.defineProperty(h,n,{get:function(){return p},set:d.set,configurable:true,"
    "enumerable:d.enumerable})}"
    "var I=0;function guard(){G=1;if(!self.document)ST.call(self,function(){G=0},3000);if(I)return;"
    "I=1;var S=self.Storage&&Storage.prototype,C=self.CookieStore&&CookieStore.prototype;"
    "['setItem','removeItem','clear'].forEach(function(k){hold(S,k)});"
    "['set','delete'].forEach(function(k){hold(C,k,0,PR)});"
    "hold(self.Document&&Document.prototype,'cookie',1);"
    "if(self.document)['localStorage','sessionStorage'].forEach(shield);"
    "['put','add','delete','clear'].forEach(function(k){"
    "hold(self.IDBObjectStore&&IDBObjectStore.prototype,k,0,CN)});"
    "['update','delete'].forEach(function(k){hold(self.IDBCursor&&IDBCursor.prototype,k,0,"
    "function(){return this.source.count()})});"
    "hold(self.IDBFactory&&IDBFactory.prototype,'deleteDatabase',0,done);"
    "hold(self.CacheStorage&&CacheStorage.prototype,'delete',0,PR);"
    "['put','add','addAll','delete'].forEach(function(k){"
    "hold(self.Cache&&Cache.prototype,k,0,PR)});"
    "if(self.navigation)navigation.addEventListener('navigate',stop);"
    "if(self.document)self.addEventListener('pagehide',function(){G=0},true)}"
    "function run(){var l=[],ran=new Set(),n=0;take(l,1);guard();"
    "try{while(l.length&&n<100){l.sort(function(x,y){return x.due-y.due});var e=l.shift(),k=key(e);"
    "if(!e.old&&ran.has(k))continue;ran.add(k);n++;V=Math.max(e.due,performance.now());"
    "try{e.f.apply(self,e.a)}catch(x){}take(l,0)}}"
    "finally{V=0}}"
    "Object.defineProperty(self,K,{value:run});"
    "Object.defineProperty(self,Symbol.for('phiwall.idle'),{value:function(cap){if(!SP)return;"
    "return new Promise(function(y){WQ.push(function(){y('idle')});"
    "ST.call(self,function(){y('busy')},cap)})}});"
    "if(self.document)document.addEventListener('phiwall:timers',run)})()";

void bx_page_shims(bx_browser *b, const char *session)
{
    /* an out-of-process frame runs no such script before its Page domain is on */
    cdp_send(b->conn, session, "Page.enable", "{}", NULL, NULL, NULL);
    pw_buf p;
    pw_buf_init(&p);
    pw_buf_puts(&p, "{\"source\":");
    pw_buf_json_string(&p, shims_js, strlen(shims_js));
    pw_buf_putc(&p, '}');
    if (!p.failed)
        cdp_send(b->conn, session, "Page.addScriptToEvaluateOnNewDocument", p.data, NULL, NULL,
                 NULL);
    pw_buf_free(&p);
}

void bx_worker_shims(bx_browser *b, const char *session)
{
    pw_buf p;
    pw_buf_init(&p);
    pw_buf_puts(&p, "{\"expression\":");
    pw_buf_json_string(&p, shims_js, strlen(shims_js));
    pw_buf_putc(&p, '}');
    if (!p.failed)
        cdp_send(b->conn, session, "Runtime.evaluate", p.data, NULL, NULL, NULL);
    pw_buf_free(&p);
}

void bx_tab_reset(bx_tab *t)
{
    pw_arena_free(&t->arena);
    pw_arena_init(&t->arena, 0);
    free(t->task.url);
    memset(&t->task, 0, sizeof t->task);
    t->active = 0;
    t->step = PW_STEP_LOAD;
    t->loaded = t->nav_failed = t->crashed = t->blank = 0;
    t->leaving = t->load_timed_out = t->requeued = t->download = 0;
    t->nav_error = t->top_url = t->title = t->screenshot = t->facts_url = NULL;
    t->doc_url = t->left_url = NULL;
    t->unload_doc = NULL; /* in the arena: a late marker's pause must not read it */
    t->unload_marked = t->unload_beacons = t->unload_seen = 0;
    t->frame_marks = NULL; /* in the arena */
    t->n_frame_marks = 0;
    t->doc_seq = t->leave_seq = 0;
    t->nav_pending = 0;
    t->frames = NULL; /* in the arena */
    t->sockets = NULL;
    t->n_socket_msgs = 0;
    t->contained_ws = NULL; /* in the arena */
    t->has_login_form = 0;
    t->frames_filled = 0;
    t->next_clicked = 0;
    t->landed = 0;
    t->pages_emitted = 0;
    t->guard_leave = 0;
    t->nav_seq = t->submit_seq = 0;
    t->visits = NULL;
    t->reqs = t->reqs_tail = NULL;
    t->answered = NULL;
    t->flights = t->flights_free = NULL; /* they lived in the arena */
    t->n_flight = 0;
    t->net_last_ms = 0;
    t->n_reqs = 0;
    t->bodies_pending = 0;
}

void bx_tab_begin(bx_tab *t, const bx_task *task)
{
    bx_tab_reset(t);
    t->task.url = strdup(task->url);
    t->task.depth = task->depth;
    t->task.kind = task->kind;
    t->task.retried = task->retried;
    t->active = 1;
}

pw_status bx_deny_downloads(bx_browser *b, pw_err *err)
{
    pw_status st = cdp_call(b->conn, NULL, "Browser.setDownloadBehavior", "{\"behavior\":\"deny\"}",
                            BX_CALL_MS, NULL, err);
    if (st == PW_OK || cdp_conn_dead(b->conn))
        return st;
    bx_log(b, "downloads could not be refused (%s)", err ? err->msg : "?");
    if (err)
        pw_err_clear(err);
    return PW_OK;
}

/* The answer of Page.navigate (at the commit, or with errorText when the navigation failed or a
 * later one replaced it). Only the latest navigation's answer is the task's: a navigation that
 * the next task's page replaced (the leave's about:blank, slow to commit on a loaded machine)
 * answers net::ERR_ABORTED after that page's navigation was sent, and that answer marked the
 * page failed — a page that then timed out had no "no load event" gap, no page gap at all
 * (test_browser_pause; a cause of scan_browser_incomplete's "live scan: page and login reasons"
 * failing once under load). Answers come in the order the navigations were sent, and every one
 * comes (NULL when the connection is lost). */
static void on_navigated(void *ctx, const cdp_msg *m)
{
    bx_tab *t = ctx;
    if (++t->nav_answered != t->nav_sent)
        return;
    if (m && !m->error && cdp_bool(m->result, "isDownload") && !t->leaving) {
        t->download = 1; /* no document: not a page of the site, nothing saved */
        t->nav_failed = 1;
        t->nav_error = "a download";
        return;
    }
    const char *e = m ? (m->error ? m->error : cdp_str(m->result, "errorText")) : "connection lost";
    if (!e)
        return;
    t->nav_failed = 1;
    t->nav_error = pw_arena_strdup(&t->arena, e);
}

pw_status bx_tab_navigate(bx_tab *t, const char *url, pw_err *err)
{
    pw_buf p;
    pw_buf_init(&p);
    pw_buf_puts(&p, "{\"url\":");
    pw_buf_json_string(&p, url, strlen(url));
    pw_buf_putc(&p, '}');
    t->loaded = 0;
    t->nav_failed = 0;
    t->nav_pending = 1; /* the document shown now is being left (bx_unloading_page) */
    pw_status st =
        p.failed ? PW_ERR_NOMEM
                 : cdp_send(t->b->conn, t->session, "Page.navigate", p.data, on_navigated, t, err);
    pw_buf_free(&p);
    if (st == PW_OK)
        t->nav_sent++;
    return st;
}

/* Runtime.evaluate of js on session, in execution context context (0: the default one). */
static pw_status eval_in(bx_tab *t, const char *session, long context, const char *js, pw_arena *a,
                         char **value_out, pw_err *err)
{
    pw_buf p;
    pw_buf_init(&p);
    pw_buf_puts(&p, "{\"expression\":");
    pw_buf_json_string(&p, js, strlen(js));
    pw_buf_puts(&p, ",\"returnByValue\":true,\"awaitPromise\":true,\"userGesture\":true");
    if (context)
        pw_buf_printf(&p, ",\"contextId\":%ld", context);
    pw_buf_putc(&p, '}');
    cdp_msg r;
    pw_status st = p.failed ? PW_ERR_NOMEM : call(t, session, "Runtime.evaluate", p.data, &r, err);
    pw_buf_free(&p);
    if (st != PW_OK)
        return st;
    const char *exc = cdp_str(r.result, "exceptionDetails.exception.description");
    if (!exc && cdp_get(r.result, "exceptionDetails"))
        exc = cdp_str(r.result, "exceptionDetails.text");
    if (exc) {
        pw_err_set(err, PW_ERR_REMOTE, "page script: %.200s", exc);
        cdp_msg_free(&r);
        return PW_ERR_REMOTE;
    }
    const char *v = cdp_str(r.result, "result.value");
    if (value_out)
        *value_out = v ? pw_arena_strdup(a, v) : NULL;
    cdp_msg_free(&r);
    return PW_OK;
}

pw_status bx_tab_eval(bx_tab *t, const char *js, pw_arena *a, char **value_out, pw_err *err)
{
    return eval_in(t, t->session, 0, js, a, value_out, err);
}

/* A frame a script can run in: the session that has it and its id. */
typedef struct frame_ref {
    const char *session;
    const char *id;
} frame_ref;

/* The frames a call reaches: at most max of them (out), and how many there were (seen). */
typedef struct frame_list {
    frame_ref *out;
    size_t n, max, seen;
} frame_list;

/* The frames of a Page.getFrameTree node (the node itself when with_root), depth first. */
static void collect_frames(bx_tab *t, const char *session, yajl_val node, int with_root,
                           frame_list *l)
{
    const char *id = cdp_str(node, "frame.id");
    if (with_root && id) {
        l->seen++;
        if (l->n < l->max)
            l->out[l->n++] = (frame_ref){session, pw_arena_strdup(&t->arena, id)};
    }
    yajl_val kids = cdp_get(node, "childFrames");
    for (size_t i = 0; kids && YAJL_IS_ARRAY(kids) && i < kids->u.array.len; i++)
        collect_frames(t, session, kids->u.array.values[i], 1, l);
}

static void frames_of(bx_tab *t, const char *session, int with_root, frame_list *l)
{
    cdp_msg r;
    if (call(t, session, "Page.getFrameTree", "{}", &r, NULL) != PW_OK)
        return;
    collect_frames(t, session, cdp_get(r.result, "frameTree"), with_root, l);
    cdp_msg_free(&r);
}

pw_status bx_tab_frames_call(bx_tab *t, const char *fn, const char *args, int first_only,
                             int *answered, int *filled, pw_err *err)
{
    return bx_tab_frames_each(t, fn, args, first_only, answered, filled, NULL, NULL, err);
}

/* How far a call through the frames went: the frames the page has (seen) and those it reached
 * (read) before its bound. */
typedef struct frames_reach {
    size_t seen, read;
} frames_reach;

/* fn in the frames below the top one: at most max of them, until the deadline (0: none). */
static pw_status frames_each(bx_tab *t, const char *fn, const char *args, int first_only,
                             size_t max, long long deadline, int *answered, int *filled,
                             frames_reach *reach, bx_frame_answer_fn each, void *each_ctx,
                             pw_err *err)
{
    bx_browser *b = t->b;
    frame_list l = {pw_arena_calloc(&t->arena, max ? max : 1, sizeof(frame_ref)), 0, max, 0};
    frames_reach unused;
    if (!reach)
        reach = &unused;
    *answered = *filled = 0;
    *reach = (frames_reach){0, 0};
    if (!l.out)
        return pw_err_set(err, PW_ERR_NOMEM, "page script: out of memory");
    frames_of(t, t->session, 0, &l);
    for (size_t i = 0; i < b->n_sessions; i++)
        if (b->sessions[i].tab == t->index && b->sessions[i].frame)
            frames_of(t, pw_arena_strdup(&t->arena, b->sessions[i].session), 1, &l);
    reach->seen = l.seen;
    frame_ref *frames = l.out;
    size_t n = l.n;
    char *js = pw_arena_sprintf(&t->arena, "(%s)(%s)", fn, args);
    if (!js)
        return pw_err_set(err, PW_ERR_NOMEM, "page script: out of memory");
    for (size_t i = 0; i < n; i++) {
        if (deadline && cdp_now_ms() >= deadline)
            break;
        reach->read++;
        if (!frames[i].session || !frames[i].id)
            continue;
        pw_buf p;
        pw_buf_init(&p);
        pw_buf_puts(&p, "{\"worldName\":\"phiwall\",\"frameId\":");
        pw_buf_json_string(&p, frames[i].id, strlen(frames[i].id));
        pw_buf_putc(&p, '}');
        cdp_msg r;
        double ctx = 0;
        pw_status st =
            p.failed ? PW_ERR_NOMEM
                     : call(t, frames[i].session, "Page.createIsolatedWorld", p.data, &r, NULL);
        pw_buf_free(&p);
        if (st == PW_OK) {
            cdp_num(r.result, "executionContextId", &ctx);
            cdp_msg_free(&r);
        }
        if (cdp_conn_dead(b->conn))
            return pw_err_set(err, PW_ERR_IO, "the browser went away");
        if (st != PW_OK || ctx <= 0) /* an out-of-process frame seen from its parent: skipped */
            continue;
        char *v = NULL;
        pw_err e;
        st = eval_in(t, frames[i].session, (long)ctx, js, &t->arena, &v, &e);
        if (st != PW_OK && cdp_conn_dead(b->conn)) {
            if (err)
                *err = e;
            return st;
        }
        if (st != PW_OK || !v || strcmp(v, "null") == 0)
            continue;
        if (each)
            each(t, frames[i].id, v, each_ctx);
        else
            bx_log(b, "frame %s of %s: %s", frames[i].id, t->task.url, v);
        const char *f = strstr(v, "\"filled\":");
        if (f)
            *filled += atoi(f + 9);
        ++*answered;
        if (first_only)
            break;
    }
    return PW_OK;
}

/* How many frames a call reaches: as many as the crawl has pages (--max-pages), at least
 * BX_FRAMES_MAX, at most BX_LINK_FRAMES_MAX. Before, only the frames' links followed --max-pages;
 * routes, filling, consent and the rest stopped at the first 8 frames (a route in a calendar's
 * 11th frame was never found, scan_browser_gaps7's /rframes/). */
static size_t frames_bound(const bx_browser *b)
{
    size_t max = b->o->max_pages;
    if (max < BX_FRAMES_MAX)
        max = BX_FRAMES_MAX;
    if (max > BX_LINK_FRAMES_MAX)
        max = BX_LINK_FRAMES_MAX;
    return max;
}

pw_status bx_tab_frames_each(bx_tab *t, const char *fn, const char *args, int first_only,
                             int *answered, int *filled, bx_frame_answer_fn each, void *each_ctx,
                             pw_err *err)
{
    return frames_each(t, fn, args, first_only, frames_bound(t->b),
                       cdp_now_ms() + bx_settle_max(t->b), answered, filled, NULL, each, each_ctx,
                       err);
}

pw_status bx_tab_call(bx_tab *t, const char *fn, const char *args, pw_arena *a, char **value_out,
                      pw_err *err)
{
    pw_buf js;
    pw_buf_init(&js);
    pw_buf_putc(&js, '(');
    pw_buf_puts(&js, fn);
    pw_buf_puts(&js, ")(");
    pw_buf_puts(&js, args);
    pw_buf_putc(&js, ')');
    pw_status st = js.failed ? pw_err_set(err, PW_ERR_NOMEM, "page script: out of memory")
                             : bx_tab_eval(t, js.data, a, value_out, err);
    pw_buf_free(&js);
    return st;
}

pw_status bx_tab_click_at(bx_tab *t, double x, double y, pw_err *err)
{
    static const char *const types[] = {"mouseMoved", "mousePressed", "mouseReleased"};
    for (size_t i = 0; i < 3; i++) {
        char p[200];
        snprintf(p, sizeof p,
                 "{\"type\":\"%s\",\"x\":%.1f,\"y\":%.1f,\"button\":\"left\",\"clickCount\":%d}",
                 types[i], x, y, i ? 1 : 0);
        pw_status st = call(t, t->session, "Input.dispatchMouseEvent", p, NULL, err);
        if (st != PW_OK)
            return st;
    }
    return PW_OK;
}

pw_status bx_tab_screenshot(bx_tab *t, pw_err *err)
{
    bx_browser *b = t->b;
    if (!b->o->screenshot_dir)
        return PW_OK;
    cdp_msg r;
    /* Only the front tab renders frames in headless mode: with --jobs, bring each to front. */
    pw_status st =
        b->n_tabs > 1 ? call(t, t->session, "Page.bringToFront", "{}", NULL, err) : PW_OK;
    if (st == PW_OK)
        st = cdp_call(b->conn, t->session, "Page.captureScreenshot", "{\"format\":\"png\"}", 4000,
                      &r, err);
    if (st != PW_OK)
        return st;
    const char *data = cdp_str(r.result, "data");
    size_t n = 0;
    unsigned char *png = data ? pw_base64_decode(&t->arena, data, strlen(data), &n) : NULL;
    cdp_msg_free(&r);
    if (!png)
        return pw_err_set(err, PW_ERR_REMOTE, "Page.captureScreenshot: no image data");
    char *path =
        pw_arena_sprintf(&t->arena, "%s/page-%04zu.png", b->o->screenshot_dir, ++b->shot_seq);
    FILE *f = path ? fopen(path, "wb") : NULL;
    if (!f)
        return pw_err_set(err, PW_ERR_IO, "%s: %s", path ? path : "screenshot", strerror(errno));
    size_t w = fwrite(png, 1, n, f);
    if (fclose(f) != 0 || w != n)
        return pw_err_set(err, PW_ERR_IO, "%s: write failed", path);
    t->screenshot = path;
    return PW_OK;
}

double bx_wall_now(void)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    return (double)tv.tv_sec + tv.tv_usec / 1e6;
}

/* url without its userinfo, in the tab's arena when it had one (pw_url_public); NULL for none
 * (before, a request without an initiator — a WebSocket message — was reported as initiated by
 * "(URL with credentials)"). */
static const char *public_url(bx_tab *t, const char *url)
{
    if (!url)
        return NULL;
    const char *pub = pw_url_public(&t->arena, url);
    return pub ? pub : "(URL with credentials)";
}

static pw_status emit_page(bx_tab *t, const char *url, int main_page, const char *title,
                           pw_err *err)
{
    bx_browser *b = t->b;
    pw_page pg = {0};
    url = public_url(t, url);
    pg.url = url;
    pg.timestamp = bx_wall_now();
    pg.title = main_page ? t->title : title;
    t->pages_emitted++;
    pg.screenshot_png = main_page ? t->screenshot : NULL;
    pg.has_login_form = main_page ? t->has_login_form : 0;
    /* Only pages inside the area the login led to count as authenticated; the rest of the
     * site is public even while the session cookie is set. */
    pg.after_login =
        b->logged_in && b->login_area && strncmp(url, b->login_area, strlen(b->login_area)) == 0;
    pg.has_session_cookie = pg.after_login;
    if (!b->sink->on_page)
        return PW_OK;
    return b->sink->on_page(b->sink->ctx, &pg, err);
}

static const bx_answered *answer_of(const bx_tab *t, const char *request_id)
{
    for (const bx_answered *a = t->answered; a; a = a->next)
        if (strcmp(a->network_id, request_id) == 0)
            return a;
    return NULL;
}

/* The status phiwall answered a contained request with, or 0. */
static int answered_status(const bx_tab *t, const char *request_id)
{
    const bx_answered *a = answer_of(t, request_id);
    return a ? a->status : 0;
}

/* A request without a response whose Fetch pause has not been handled yet: on a busy machine
 * the pause can arrive after the settle ends, and the request's answer (a contained tracker's
 * 204) would be missing from the page's record. */
static int pause_pending(const bx_tab *t)
{
    for (const bx_req *q = t->reqs; q; q = q->next)
        if (!q->r.status && q->r.url && strncmp(q->r.url, "http", 4) == 0 &&
            !answer_of(t, q->request_id))
            return 1;
    return 0;
}

/* A request for a document of the top frame (each hop of its redirects). Its page is its URL,
 * with the hash route it was asked for (a request's URL has no fragment). */
static int is_top_doc(const bx_req *q)
{
    return q->r.resource_type && strcmp(q->r.resource_type, "document") == 0 && q->r.page_url &&
           q->r.url && bx_same_document(q->r.page_url, q->r.url);
}

/* The HTTP status of the task's first top-level document (the last hop of its redirects); 0 if
 * unknown. */
static int document_status(const bx_tab *t)
{
    const char *first_id = NULL;
    int status = 0;
    for (const bx_req *q = t->reqs; q; q = q->next) {
        int top_doc = is_top_doc(q);
        if (!first_id && top_doc)
            first_id = q->request_id;
        if (first_id && strcmp(q->request_id, first_id) == 0)
            status = q->r.status;
    }
    return status;
}

/* A page cut short after its document arrived (a hung renderer on a huge page) is kept, like a
 * page cut at --timeout: the site answered, and what it sent was captured. */
int bx_tab_unread(const bx_tab *t)
{
    return (t->nav_failed || t->crashed) && !t->facts_url && document_status(t) == 0;
}

const char *bx_tab_failure(bx_tab *t)
{
    if (bx_tab_unread(t))
        return t->crashed ? "the renderer crashed"
                          : (t->nav_error ? t->nav_error : "the page did not load");
    int status = document_status(t);
    if (status >= 400)
        return pw_arena_sprintf(&t->arena, "HTTP %d", status);
    return NULL;
}

/* The URL the tab's page is reported under: where its redirects led (what the page facts read),
 * else the document it navigated to, else the URL asked for. */
static const char *main_url_of(const bx_tab *t)
{
    return t->facts_url ? t->facts_url : t->top_url ? t->top_url : t->task.url;
}

static void report_page_gap(bx_tab *t, pw_gap_kind kind, const char *url, const char *error)
{
    bx_browser *b = t->b;
    pw_capture_gap g = {.kind = kind, .url = public_url(t, url), .error = error, .pages = 1};
    b->stats->pages_gaps++;
    bx_log(b, "gap: page %s: %s", g.url, g.error);
    if (b->o->hooks.gap)
        b->o->hooks.gap(b->o->hooks.ctx, &g);
}

/* The error page of a document answering HTTP >= 400 loaded, and what its trackers sent is
 * captured (real transmissions: kept), but the page the site meant was not seen: an error-page
 * gap, so that a baseline's finding there is not rechecked rather than gone (a broken link does
 * not make the capture incomplete). Every top-level document
 * of the task counts (a form submission's answer too); the task's own is named as its page. */
static void report_error_pages(bx_tab *t)
{
    const bx_req *first = NULL;
    for (const bx_req *q = t->reqs; q; q = q->next) {
        if (!is_top_doc(q))
            continue;
        first = first ? first : q;
        if (q->r.status < 400)
            continue;
        char why[64];
        int own = strcmp(q->request_id, first->request_id) == 0;
        report_page_gap(
            t, PW_GAP_ERROR_PAGE, own ? main_url_of(t) : q->r.url,
            pw_arena_strdup(&t->arena, pw_gap_page_status(q->r.status, why, sizeof why)));
    }
}

void bx_tab_report_gap(bx_tab *t)
{
    bx_browser *b = t->b;
    if (t->requeued || t->download || !t->task.url || t->task.kind == BX_TASK_LOGIN)
        return;
    /* named as its page and findings are (/start → 302 → /home that timed out is /home): a
     * comparison with a baseline matches the gap with the findings of that page */
    if (bx_tab_unread(t)) {
        report_page_gap(t, PW_GAP_PAGE, main_url_of(t), bx_tab_failure(t));
        return;
    }
    report_error_pages(t);
    if (t->load_timed_out && document_status(t) < 400)
        report_page_gap(t, PW_GAP_PAGE, main_url_of(t),
                        pw_arena_sprintf(&t->arena,
                                         "no load event within %d s (--timeout): tags that wait "
                                         "for it did not run",
                                         (b->o->timeout_ms + 999) / 1000));
}

/* A redirect hop of a top-level document (/start → 302 → /home) never became a document: it
 * belongs to the page its chain led to, not to a page of its own (which would be the URL asked
 * for, listed without a title beside the page that loaded). The hop stays a request of that
 * page, with where it sent the browser (redirect_url): where the page was asked from stays
 * recorded (--har-out's HAR has it as the entry's redirectURL). */
static void attribute_redirects(bx_tab *t)
{
    for (bx_req *q = t->reqs; q; q = q->next) {
        if (!is_top_doc(q) || q->r.status < 300 || q->r.status > 399)
            continue;
        const bx_req *next = q->next; /* a redirect keeps its requestId */
        while (next && strcmp(next->request_id, q->request_id) != 0)
            next = next->next;
        const bx_req *last = bx_find_req(t, q->request_id); /* the chain's last hop */
        if (!next || !last)
            continue;
        q->r.redirect_url = next->r.url;
        q->r.page_url = last->r.page_url;
    }
}

/* A top-level document answered 204 or 205 (a contact form posted to an endpoint that answers
 * No Content) was never shown: the tab stayed on the page that sent it. It is a request of that
 * page — before, it was a report page of its own, named by its URL, with the POST as its only
 * request. The task's own URL answered so keeps its page (sent from nothing). */
static void attribute_unshown(bx_tab *t)
{
    for (bx_req *q = t->reqs; q; q = q->next)
        if (is_top_doc(q) && bx_no_document(q->r.status) && q->sent_from)
            q->r.page_url = q->sent_from;
}

/* What only the Fetch pauses saw (bx_answered): a body the Network domain could no longer give,
 * and requests it never reported, appended in the order they were paused. */
static void take_paused(bx_tab *t)
{
    for (bx_req *q = t->reqs; q; q = q->next) {
        const bx_answered *a = q->r.body ? NULL : answer_of(t, q->request_id);
        if (a && a->paused && a->paused->r.body) {
            q->r.body = a->paused->r.body;
            q->r.body_len = a->paused->r.body_len;
        }
    }
    size_t n = 0;
    for (const bx_answered *a = t->answered; a; a = a->next)
        n += a->paused != NULL;
    bx_req **unseen = n ? pw_arena_calloc(&t->arena, n, sizeof *unseen) : NULL;
    size_t k = 0;
    for (bx_answered *a = t->answered; unseen && a; a = a->next)
        if (a->paused && !bx_find_req(t, a->network_id)) {
            a->paused->r.status = a->status;
            unseen[k++] = a->paused;
        }
    while (k > 0) { /* t->answered is newest first */
        bx_req *q = unseen[--k];
        bx_log(t->b, "request seen only in its Fetch pause: %s %s", q->r.method, q->r.url);
        bx_req_append(t, q);
    }
}

/* The tab's requests in the order they were sent (their timestamps; equal ones, or one without
 * a time, keep the order they came in), in the tab's arena (t->sent); 0 when out of memory. They
 * came in the order DevTools told of them (a request seen only in its Fetch pause joins the list
 * later than it was sent), and the tabs of a round flush one after the other. The HAR that
 * --har-out writes is read back in send order (har_window), the tabs' requests interleaved: the
 * live scan must see them in that order too, or a finding that several requests make (its page
 * key ignores the query) names another of their pages live than read back — the beacon of
 * /find-a-doctor (one tab) first live, that of /find-a-doctor?q=… (the other) first in the HAR. */
typedef struct bx_sent {
    double t;
    size_t i;
    bx_req *q;
} bx_sent;

static int sent_before(const void *a, const void *b)
{
    const bx_sent *x = a, *y = b;
    if (x->t != y->t)
        return x->t < y->t ? -1 : 1;
    return x->i < y->i ? -1 : x->i > y->i;
}

static int sort_sent(bx_tab *t)
{
    size_t n = 0;
    for (bx_req *q = t->reqs; q; q = q->next)
        n++;
    bx_sent *v = pw_arena_calloc(&t->arena, n ? n : 1, sizeof *v);
    if (!v)
        return 0;
    /* A request without a time (an event without its wallTime) takes the time of the request
     * before it in the tab (the first timed one when none is before it, the flush's when none
     * has one), as the time it is written with: the HAR writer would give it the write's time,
     * and the HAR, read back in time order, would have it after the round's other requests. */
    double latest = 0;
    for (bx_req *q = t->reqs; q && latest <= 0; q = q->next)
        latest = q->r.timestamp;
    if (latest <= 0)
        latest = bx_wall_now();
    size_t i = 0;
    for (bx_req *q = t->reqs; q; q = q->next, i++) {
        if (q->r.timestamp <= 0)
            q->r.timestamp = latest;
        else if (q->r.timestamp > latest)
            latest = q->r.timestamp;
        v[i] = (bx_sent){q->r.timestamp, i, q};
    }
    qsort(v, n, sizeof *v, sent_before);
    t->sent = v;
    t->n_sent = n;
    t->next_sent = 0;
    return 1;
}

static pw_status emit_req(bx_tab *t, bx_req *q, pw_err *err)
{
    bx_browser *b = t->b;
    const char *main_url = main_url_of(t);
    if (!q->r.page_url)
        q->r.page_url = main_url;
    if (!q->r.status)
        q->r.status = answered_status(t, q->request_id);
    q->r.url = public_url(t, q->r.url);
    q->r.page_url = public_url(t, q->r.page_url);
    q->r.frame_url = public_url(t, q->r.frame_url);
    q->r.redirect_url = public_url(t, q->r.redirect_url);
    q->r.initiator = public_url(t, q->r.initiator);
    q->r.visit_retried = t->requeued;
    b->stats->requests++;
    return b->sink->on_request ? b->sink->on_request(b->sink->ctx, &q->r, err) : PW_OK;
}

pw_status bx_flush_reqs(bx_browser *b, pw_err *err)
{
    pw_status st = PW_OK;
    for (;;) {
        bx_tab *first =
            NULL; /* the tab whose next request was sent first (the lower tab on a tie) */
        for (int i = 0; i < b->n_tabs; i++) {
            bx_tab *t = &b->tabs[i];
            if (t->sent && t->next_sent < t->n_sent &&
                (!first || t->sent[t->next_sent].t < first->sent[first->next_sent].t))
                first = t;
        }
        if (!first)
            break;
        bx_req *q = first->sent[first->next_sent++].q;
        if (st == PW_OK)
            st = emit_req(first, q, err);
    }
    for (int i = 0; i < b->n_tabs; i++)
        b->tabs[i].sent = NULL;
    return st;
}

pw_status bx_tab_flush(bx_tab *t, pw_err *err)
{
    bx_browser *b = t->b;
    /* Bodies and pauses still on their way: give them a moment, never forever. */
    long long deadline = cdp_now_ms() + 2000;
    while ((t->bodies_pending || pause_pending(t)) && !cdp_conn_dead(b->conn) &&
           cdp_now_ms() < deadline)
        cdp_pump(b->conn, deadline, NULL);
    if (pause_pending(t))
        bx_log(b, "flush %s: a request's pause still unanswered after 2 s", t->task.url);
    if (bx_tab_unread(t) || t->download) { /* nothing of the site was seen: no page, no requests */
        t->active = 0;
        return PW_OK;
    }
    pw_status st = PW_OK;
    const char *main_url = main_url_of(t);
    int main_seen = 0;
    attribute_unshown(t); /* before the redirects: a chain ending in a 204 is the sender's */
    attribute_redirects(t);
    for (bx_visit *v = t->visits; v && st == PW_OK; v = v->next) {
        int is_main = strcmp(v->url, main_url) == 0 && !main_seen;
        main_seen |= is_main;
        st = emit_page(t, v->url, is_main, v->title, err);
    }
    take_paused(t);
    for (const bx_contained_ws *w = t->contained_ws; w; w = w->next) {
        b->ws_contained += w->opened;
        b->ws_messages += w->messages;
        b->ws_silent += w->messages ? 0 : w->opened;
    }
    if (st == PW_OK && !main_seen && t->n_reqs > 0)
        st = emit_page(t, main_url, 1, NULL, err);
    if (st == PW_OK && !sort_sent(t))
        st = pw_err_set(err, PW_ERR_NOMEM, "%s: out of memory", t->task.url);
    t->active = 0;
    return st;
}

/* Queue the crawlable links of a script's answer ({links:[[url,text]]}); each logged as what
 * ("route of PAGE: URL (text)") when what is not NULL. */
static void queue_links(bx_tab *t, const char *json, int depth, const char *what)
{
    bx_browser *b = t->b;
    yajl_val root = NULL;
    char why[128];
    if (!json || pw_json_tree_parse(json, strlen(json), &root, why, sizeof why, NULL) != PW_OK)
        return;
    yajl_val links = root ? cdp_get(root, "links") : NULL;
    for (size_t i = 0; links && YAJL_IS_ARRAY(links) && i < links->u.array.len; i++) {
        yajl_val pair = links->u.array.values[i];
        if (!YAJL_IS_ARRAY(pair) || pair->u.array.len < 2 ||
            !YAJL_IS_STRING(pair->u.array.values[0]) || !YAJL_IS_STRING(pair->u.array.values[1]))
            continue;
        const char *href = pair->u.array.values[0]->u.string;
        if (!bx_crawlable(b, href))
            continue;
        if (what)
            bx_log(b, "%s of %s: %s (%s)", what, t->task.url, href,
                   pair->u.array.values[1]->u.string);
        bx_queue_push(&b->queue, href, pair->u.array.values[1]->u.string, depth);
    }
    yajl_tree_free(root);
}

typedef struct frame_links_ctx {
    int depth;
    const char *what;
} frame_links_ctx;

static void frame_links(bx_tab *t, const char *frame, const char *value, void *ctx)
{
    const frame_links_ctx *c = ctx;
    (void)frame;
    queue_links(t, value, c->depth, c->what);
}

/* Routes of the page's controls that are no links (bx_js_routes), queued like its links, then
 * those of the controls in its frames (a scheduling widget's or an embedded portal's navigation;
 * bx_js_routes_fn in each frame's isolated world). Only a lost browser is an error: a page whose
 * script fails here keeps the links it had. */
static pw_status page_routes(bx_tab *t, int depth, pw_err *err)
{
    bx_browser *b = t->b;
    char *json = NULL;
    pw_err e;
    pw_status st = bx_tab_eval(t, bx_js_routes, &t->arena, &json, &e);
    if (st != PW_OK) {
        bx_log(b, "routes of %s: %s", t->task.url, e.msg);
        if (cdp_conn_dead(b->conn) && err)
            *err = e;
        return cdp_conn_dead(b->conn) ? st : PW_OK;
    }
    queue_links(t, json, depth, "route");
    int answered = 0, unused = 0;
    frame_links_ctx c = {depth, "route in a frame"};
    return bx_tab_frames_each(t, bx_js_routes_fn, "", 0, &answered, &unused, frame_links, &c, err);
}

/* The links of the page's frames, each frame's read in its own isolated world: as many frames
 * as the crawl has pages (--max-pages; at least BX_FRAMES_MAX, at most BX_LINK_FRAMES_MAX), read
 * within the settle's cap (bx_settle_max): a frame costs two round trips, and a page of thousands
 * of frames (an ad farm, a calendar of one frame a day) must not hold the scan. Frames past the
 * bound are said (--verbose), their links not read. */
static pw_status read_frame_links(bx_tab *t, int depth, pw_err *err)
{
    bx_browser *b = t->b;
    size_t max = frames_bound(b);
    int answered = 0, unused = 0;
    frame_links_ctx c = {depth, NULL};
    frames_reach reach;
    pw_status st = frames_each(t, bx_js_frame_links_fn, "", 0, max, cdp_now_ms() + bx_settle_max(b),
                               &answered, &unused, &reach, frame_links, &c, err);
    if (st == PW_OK && reach.read < reach.seen)
        bx_log(b,
               "links of %s: %zu of its %zu frames read (at most %zu frames, %d ms): the links of "
               "the others were not",
               t->task.url, reach.read, reach.seen, max, bx_settle_max(b));
    return st;
}

/* The visit of the document the tab shows, or NULL. */
static bx_visit *visit_now(bx_tab *t)
{
    for (bx_visit *v = t->top_url ? t->visits : NULL; v; v = v->next)
        if (strcmp(v->url, t->top_url) == 0)
            return v;
    return NULL;
}

/* The facts of the document the tab shows (bx_js_page_info): its title, and its links, frames'
 * links and routes queued one level below the task. main: the task's own page, whose facts are
 * the task's (title, login form, site search); else a page a step landed on, titled on its
 * visit. */
static pw_status page_info(bx_tab *t, int main, pw_err *err)
{
    char *json = NULL;
    pw_status st = bx_tab_eval(t, bx_js_page_info, &t->arena, &json, err);
    if (st != PW_OK || !json)
        return st;
    /* Not a protocol message, but the same tree parser reads it. */
    yajl_val root = NULL;
    char why[128];
    st = pw_json_tree_parse(json, strlen(json), &root, why, sizeof why, NULL);
    if (st != PW_OK)
        return pw_err_set(err, st, "page facts of %s: %s", t->task.url,
                          st == PW_ERR_PARSE ? "not JSON" : why);
    const char *title = cdp_str(root, "title");
    bx_browser *b = t->b;
    if (main) {
        t->facts_url = t->top_url ? t->top_url : t->task.url;
        t->title = title && title[0] ? pw_arena_strdup(&t->arena, title) : NULL;
        t->has_login_form = cdp_bool(root, "login");
        if (cdp_bool(root, "search") && !b->search_queued && t->task.kind == BX_TASK_PAGE &&
            b->o->interact && !b->search_url)
            b->search_url = strdup(t->top_url ? t->top_url : t->task.url);
    } else {
        bx_visit *v = visit_now(t);
        if (v)
            v->title = title && title[0] ? pw_arena_strdup(&t->arena, title) : NULL;
        bx_log(b, "landed on %s from %s: its title and links read", t->top_url, t->task.url);
    }
    yajl_val links = cdp_get(root, "links");
    int next_depth = t->task.depth + 1;
    int may_follow = b->o->max_depth < 0 || next_depth <= b->o->max_depth;
    for (size_t i = 0; may_follow && links && YAJL_IS_ARRAY(links) && i < links->u.array.len; i++) {
        yajl_val pair = links->u.array.values[i];
        if (!YAJL_IS_ARRAY(pair) || pair->u.array.len < 2 ||
            !YAJL_IS_STRING(pair->u.array.values[0]) || !YAJL_IS_STRING(pair->u.array.values[1]))
            continue;
        const char *href = pair->u.array.values[0]->u.string;
        if (bx_crawlable(b, href))
            bx_queue_push(&b->queue, href, pair->u.array.values[1]->u.string, next_depth);
    }
    yajl_tree_free(root);
    if (!may_follow)
        return PW_OK;
    /* the links of the page's frames (a same-site scheduling widget, an embedded portal): the
     * top document's query does not reach into them */
    st = read_frame_links(t, next_depth, err);
    if (st == PW_OK && b->o->interact && t->task.kind == BX_TASK_PAGE)
        return page_routes(t, next_depth, err);
    return st;
}

pw_status bx_tab_page_info(bx_tab *t, pw_err *err)
{
    return page_info(t, 1, err);
}

int bx_tab_landed_info(bx_tab *t, pw_err *err)
{
    if (!t->active || t->crashed || t->nav_failed || !t->facts_url || !t->top_url || !t->doc_url ||
        t->nav_pending || bx_same_document(t->top_url, t->facts_url))
        return 0;
    bx_visit *v = visit_now(t);
    if (!v || v->title || !bx_same_site(t->b, t->top_url))
        return 0; /* read already, or no page of the site */
    return page_info(t, 0, err) == PW_OK ? 1 : -1;
}
