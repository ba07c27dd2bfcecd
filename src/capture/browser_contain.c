/*
 * browser_contain.c — answers each Fetch.requestPaused: tracker endpoints (as the decode stage
 * judges them through the is_tracker_endpoint hook) are fulfilled locally with 204 or a 1x1 GIF
 * so nothing reaches the vendor (the request was already captured by the Network domain, body
 * included); scripts still load; hosts named by --map-host are served from a local URL prefix;
 * everything else continues to the network unchanged.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "capture/browser_int.h"
#include "phiwall/text.h"
#include "phiwall/url.h"

/* The smallest transparent GIF (43 bytes), base64. */
static const char gif_1x1_b64[] = "R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7";

const pw_host_map *bx_host_map_find(const pw_browser_opts *o, const char *url)
{
    pw_url u;
    if (o->n_host_maps == 0 || pw_url_parse(url, strlen(url), &u, NULL) != PW_OK)
        return NULL;
    for (size_t i = 0; i < o->n_host_maps; i++) {
        const char *h = o->host_maps[i].host;
        if (strlen(h) == u.host.n && pw_strncaseeq(h, u.host.p, u.host.n))
            return &o->host_maps[i];
    }
    return NULL;
}

static void send_fulfill(bx_browser *b, const char *session, const char *id, int status,
                         const char *ctype, const char *body_b64)
{
    pw_buf p;
    pw_buf_init(&p);
    pw_buf_puts(&p, "{\"requestId\":");
    pw_buf_json_string(&p, id, strlen(id));
    pw_buf_printf(&p, ",\"responseCode\":%d,\"responseHeaders\":[", status);
    pw_buf_puts(&p, "{\"name\":\"Access-Control-Allow-Origin\",\"value\":\"*\"},"
                    "{\"name\":\"Cache-Control\",\"value\":\"no-store\"}");
    if (ctype) {
        pw_buf_puts(&p, ",{\"name\":\"Content-Type\",\"value\":");
        pw_buf_json_string(&p, ctype, strlen(ctype));
        pw_buf_putc(&p, '}');
    }
    pw_buf_putc(&p, ']');
    if (body_b64) {
        pw_buf_puts(&p, ",\"body\":\"");
        pw_buf_puts(&p, body_b64);
        pw_buf_putc(&p, '"');
    }
    pw_buf_putc(&p, '}');
    if (!p.failed)
        cdp_send(b->conn, session, "Fetch.fulfillRequest", p.data, NULL, NULL, NULL);
    pw_buf_free(&p);
}

/* 1 when a request's User-Agent is the browser's own ("HeadlessChrome") where the scan sends
 * another: a request no session's Network.setUserAgentOverride reaches (a beacon of a document
 * being unloaded, sent once its document is gone). */
static int headless_agent(const bx_browser *b, const char *name, const char *value)
{
    return b->user_agent && strcasecmp(name, "user-agent") == 0 && value &&
           strstr(value, "HeadlessChrome") != NULL;
}

/* ,"headers":[…] of the paused request with the scan's User-Agent, when it needs one. */
static void agent_override(bx_browser *b, const cdp_msg *m, pw_buf *p)
{
    yajl_val h = m ? cdp_get(m->params, "request.headers") : NULL;
    int needed = 0;
    for (size_t i = 0; h && YAJL_IS_OBJECT(h) && i < h->u.object.len; i++) {
        yajl_val v = h->u.object.values[i];
        needed |= YAJL_IS_STRING(v) && headless_agent(b, h->u.object.keys[i], v->u.string);
    }
    if (!needed)
        return;
    pw_buf_puts(p, ",\"headers\":[");
    for (size_t i = 0; i < h->u.object.len; i++) {
        const char *name = h->u.object.keys[i];
        yajl_val v = h->u.object.values[i];
        if (!YAJL_IS_STRING(v))
            continue;
        const char *value = headless_agent(b, name, v->u.string) ? b->user_agent : v->u.string;
        pw_buf_puts(p, p->data[p->len - 1] == '[' ? "{\"name\":" : ",{\"name\":");
        pw_buf_json_string(p, name, strlen(name));
        pw_buf_puts(p, ",\"value\":");
        pw_buf_json_string(p, value, strlen(value));
        pw_buf_putc(p, '}');
    }
    pw_buf_putc(p, ']');
}

/* A paused request recorded from its pause says the User-Agent it was sent with. */
static void record_agent(const bx_browser *b, bx_req *q)
{
    for (size_t i = 0; q && i < q->r.n_headers; i++)
        if (headless_agent(b, q->headers[i].name, q->headers[i].value))
            q->headers[i].value = b->user_agent;
}

static void send_continue(bx_browser *b, const char *session, const char *id, const cdp_msg *m)
{
    pw_buf p;
    pw_buf_init(&p);
    pw_buf_puts(&p, "{\"requestId\":");
    pw_buf_json_string(&p, id, strlen(id));
    agent_override(b, m, &p);
    pw_buf_putc(&p, '}');
    if (!p.failed)
        cdp_send(b->conn, session, "Fetch.continueRequest", p.data, NULL, NULL, NULL);
    pw_buf_free(&p);
}

static void send_fail(bx_browser *b, const char *session, const char *id)
{
    pw_buf p;
    pw_buf_init(&p);
    pw_buf_puts(&p, "{\"requestId\":");
    pw_buf_json_string(&p, id, strlen(id));
    pw_buf_puts(&p, ",\"errorReason\":\"Failed\"}");
    if (!p.failed)
        cdp_send(b->conn, session, "Fetch.failRequest", p.data, NULL, NULL, NULL);
    pw_buf_free(&p);
}

/* The request as the pause shows it, when the Network domain has not given its body: a request
 * of the task (login requests carry credentials, and between tasks nothing is recorded). One the
 * Network domain never reports (no networkId) of the top frame was sent by a document being left:
 * it belongs to that page (bx_unloading_page), not to the one the tab shows when the pause
 * arrives, and to none of the task's when that document is about:blank or the page the tab left
 * as the task began. */
static bx_req *paused_request(bx_browser *b, bx_tab *t, const cdp_msg *m, const char *network_id)
{
    const char *url = cdp_str(m->params, "request.url");
    if (!t->active || !b->deliver || !url || strncmp(url, "http", 4) != 0)
        return NULL;
    const bx_req *seen = bx_find_req(t, network_id);
    const char *frame = cdp_str(m->params, "frameId");
    int top_frame = frame && t->target_id && strcmp(frame, t->target_id) == 0;
    const char *page = top_frame ? t->top_url : bx_frame_page(t, frame);
    if (!cdp_str(m->params, "networkId") && top_frame)
        page = bx_unloading_page(t);
    if (!seen && !page) {
        bx_log(b, "request seen only in its Fetch pause, sent by no page of this task: %s", url);
        return NULL;
    }
    if (seen && (seen->r.body || !cdp_bool(m->params, "request.hasPostData")))
        return NULL;
    bx_req_where w = {.type = cdp_str(m->params, "resourceType"), .frame = frame};
    w.wall_time = bx_wall_now();
    bx_req *q = bx_req_new(t, network_id, cdp_get(m->params, "request"), &w);
    record_agent(b, q);
    if (q && !seen)
        q->r.page_url = page;
    return q;
}

/* Remember the answer: the page may move on before the browser reports the response. A pause
 * without a networkId is of a request the Network domain never reports (a beacon of an
 * unloading document): its own id keys it. */
static void note_answered(bx_browser *b, bx_tab *t, const cdp_msg *m, int status)
{
    const char *network_id = cdp_str(m->params, "networkId");
    if (!network_id)
        network_id = cdp_str(m->params, "requestId");
    bx_answered *a = network_id ? pw_arena_calloc(&t->arena, 1, sizeof *a) : NULL;
    if (!a || !(a->network_id = pw_arena_strdup(&t->arena, network_id)))
        return;
    a->status = status;
    a->paused = paused_request(b, t, m, network_id);
    a->next = t->answered;
    t->answered = a;
}

/* Serve url from the mapped local prefix: prefix + path + query of the original. */
static void serve_mapped(bx_browser *b, bx_tab *t, const cdp_msg *m, const char *id,
                         const char *url, const pw_host_map *map)
{
    pw_url u;
    if (pw_url_parse(url, strlen(url), &u, NULL) != PW_OK) {
        send_fail(b, m->session, id);
        note_answered(b, t, m, 0);
        return;
    }
    pw_buf local;
    pw_buf_init(&local);
    pw_buf_puts(&local, map->prefix);
    pw_buf_append(&local, u.path.n ? u.path.p : "/", u.path.n ? u.path.n : 1);
    if (u.query.n) {
        pw_buf_putc(&local, '?');
        pw_buf_append(&local, u.query.p, u.query.n);
    }
    bx_http_result res;
    pw_status st =
        local.failed ? PW_ERR_NOMEM : bx_http_get(local.data, 5000, 16u << 20, &res, NULL);
    bx_log(b, "map %s -> %s (%s)", url, local.data ? local.data : "?",
           st == PW_OK ? "ok" : "failed");
    pw_buf_free(&local);
    if (st != PW_OK) {
        send_fail(b, m->session, id);
        note_answered(b, t, m, 0);
        return;
    }
    pw_arena a;
    pw_arena_init(&a, 0);
    char *b64 = pw_base64_encode(&a, res.body, res.len);
    int status = res.status > 0 ? (int)res.status : 200;
    send_fulfill(b, m->session, id, status,
                 res.content_type ? res.content_type : "application/octet-stream", b64);
    note_answered(b, t, m, status);
    pw_arena_free(&a);
    bx_http_result_free(&res);
    b->stats->mapped++;
}

/* The query of a marker URL http(s)://host[:port]PATH?<query>, or NULL when url is no such
 * marker. */
static const char *marker_query(const char *url, const char *path)
{
    const char *p = strstr(url, "://");
    p = p ? strchr(p + 3, '/') : NULL;
    size_t n = strlen(path);
    if (!p || strncmp(p, path, n) != 0 || (p[n] != '?' && p[n] != '\0'))
        return NULL;
    return p + n + (p[n] == '?');
}

/* What a marker URL http(s)://host[:port]PATH?<percent-encoded> names, or NULL when url is no
 * such marker. */
static const char *marker_arg(pw_arena *a, const char *url, const char *path)
{
    const char *p = marker_query(url, path);
    if (!p)
        return NULL;
    char *doc = pw_pct_decode(a, p, strlen(p), 0, NULL);
    return doc ? doc : "";
}

/* The unload marker of BX_UNLOAD_PATH (browser_tab.c):
 * http(s)://host[:port]/__phiwall_unload__?<percent-encoded document>&n=<beacons>; the document
 * (encodeURIComponent leaves no '&' in it). */
const char *bx_unload_marker(pw_arena *a, const char *url)
{
    const char *p = marker_query(url, BX_UNLOAD_PATH);
    if (!p)
        return NULL;
    char *doc = pw_pct_decode(a, p, strcspn(p, "&"), 0, NULL);
    return doc ? doc : "";
}

int bx_unload_marker_beacons(const char *url)
{
    const char *p = marker_query(url, BX_UNLOAD_PATH);
    const char *n = p ? strstr(p, "&n=") : NULL;
    long v = n ? strtol(n + 3, NULL, 10) : 0;
    return v > 0 && v < 1000 ? (int)v : 0;
}

int bx_is_unload_marker(const char *url)
{
    return marker_query(url, BX_UNLOAD_PATH) != NULL;
}

/* A frame id as the marker script makes it (browser_tab.c: base-36 digits, at most ~18): one of
 * another shape is the page's own, refused so that what it sends cannot grow the tab's list of
 * frames (1,000 ids of 200 KB each: 200 MB, a walk of every id per announce). */
static int frame_id_ok(const char *id, size_t len)
{
    if (len == 0 || len > BX_FRAME_ID_MAX)
        return 0;
    for (size_t i = 0; i < len; i++)
        if (!((id[i] >= '0' && id[i] <= '9') || (id[i] >= 'a' && id[i] <= 'z')))
            return 0;
    return 1;
}

const char *bx_unload_marker_frame(const char *url, const char *key, size_t *len)
{
    const char *p = marker_query(url, BX_UNLOAD_PATH);
    const char *f = p ? strstr(p, key) : NULL;
    size_t k = strlen(key);
    if (!f || !frame_id_ok(f + k, *len = strcspn(f + k, "&")))
        return NULL;
    return f + k;
}

const char *bx_socket_marker(pw_arena *a, const char *url)
{
    return marker_arg(a, url, BX_SOCKET_PATH);
}

const char *bx_socket_msg_marker(pw_arena *a, const char *url)
{
    return marker_arg(a, url, BX_SOCKET_MSG_PATH);
}

/* The WebSocket guard (bx_socket_guard). WebSocket (and WebSocketStream) become a Proxy of the
 * browser's own constructor that first asks phiwall, synchronously, whether the URL may connect:
 * a socket of a tracker endpoint is never created — no handshake, no byte leaves the machine.
 * The page gets a stand-in instead that opens (readyState OPEN, an open event) and takes every
 * send(): each message goes to phiwall as a request of the page's own origin (BX_SOCKET_MSG_PATH,
 * the socket's URL in its query, the message as its body; a binary one base64, as DevTools gives a
 * binary frame), answered locally and captured as a message of that socket — what the tracker
 * would have streamed (a replay tag's page URL and keystrokes) is seen, not sent. Before, the
 * stand-in failed to connect (error, close 1006) and nothing the tracker meant to send was
 * observed. The messages go through the fetch() the document had before its scripts ran (a tag
 * that wraps fetch sees none of them), keepalive while small so a message sent at pagehide
 * arrives. A question that gets no answer (sync XHR refused, CSP connect-src without 'self')
 * blocks, and so does a socket of a document whose origin is no http(s) one (a sandboxed frame):
 * containment fails closed (that stand-in fails to connect, as before: nothing to send to). The
 * question goes to self.origin, which an about:blank frame inherits from its parent (its
 * location.origin is "null"). A socket of the document's own host asks nothing (no tracker
 * endpoint is first party to its page). A scope without XMLHttpRequest (a service worker) cannot
 * ask synchronously: its socket starts CONNECTING, asks with fetch(), and opens as a stand-in
 * when the answer is "block"; on "allow" (the hospital's chat service on another host) the real
 * socket is made then, behind the object the worker holds — readyState, protocol, extensions,
 * bufferedAmount and binaryType read the real one's, send() and close() go to it, and its open,
 * message, error and close events are fired again on the worker's object (a copy each: an event
 * is dispatched once); without an answer it fails to connect. Before, every socket of a service
 * worker to another host failed, its messages never observed; later the tracker's became a
 * stand-in but an allowed one still failed, under a containment meant for trackers only.
 * WebSocketStream gets the same stand-in in its shape: opened resolves with a writable whose writes
 * are captured like send()'s and a readable that yields nothing (opened rejects where the WebSocket
 * stand-in fails); before, its blocked socket failed to connect and its messages were never
 * observed. Its answer is a promise anyway, so a service worker's WebSocketStream that would have
 * been allowed (a chat or portal service of another host) is the real one, made once the answer
 * "allow" came: opened, closed and close() are the real stream's (before, it failed to connect
 * like the WebSocket, under a containment that was meant to stop trackers only). */
static const char socket_js[] =
    "(function(){"
    "var F=self.fetch,O=self.origin;"
    "function ok(u){try{if(!/^https?:/.test(O))return 0;"
    "if(new URL(u).hostname===new URL(O).hostname)return 2;"
    "if(typeof XMLHttpRequest==='undefined')return F?3:0;"
    "var x=new XMLHttpRequest();"
    "x.open('GET',O+'" BX_SOCKET_PATH "?'+encodeURIComponent(u),false);x.send();"
    "return x.responseText==='allow'?2:x.responseText==='block'?1:0}catch(e){return 0}}"
    "function abs(a){var u=new URL(a,location.href);"
    "if(u.protocol==='http:')u.protocol='ws:';if(u.protocol==='https:')u.protocol='wss:';"
    "return u.href}"
    "function b64(buf){var a=new Uint8Array(buf),s='';for(var i=0;i<a.length;i+=8192)"
    "s+=String.fromCharCode.apply(null,a.subarray(i,i+8192));return btoa(s)}"
    "function post(u,d){var t=O+'" BX_SOCKET_MSG_PATH "?'+encodeURIComponent(u);"
    "function go(b){try{F.call(self,t,{method:'POST',body:b,keepalive:b.length<60000,"
    "credentials:'omit',cache:'no-store',headers:{'Content-Type':'text/plain'}})"
    ".catch(function(){})}catch(e){}}"
    "if(typeof d==='string')go(d);"
    "else if(typeof Blob!=='undefined'&&d instanceof "
    "Blob)d.arrayBuffer().then(function(b){go(b64(b))});"
    "else if(d instanceof ArrayBuffer)go(b64(d));"
    "else if(ArrayBuffer.isView(d))go(b64(d.buffer.slice(d.byteOffset,d.byteOffset+d.byteLength)));"
    "else go(String(d))}"
    "function fire(s,t,e){s.dispatchEvent(e);if(typeof s['on'+t]==='function')s['on'+t](e)}"
    "function stub(N,u,open,T,a,nt){var s=new EventTarget(),st=0,bt='blob',real=null;"
    "Object.setPrototypeOf(s,N.prototype);"
    "Object.defineProperty(s,'url',{value:u,enumerable:true});"
    "['onopen','onmessage','onerror','onclose'].forEach(function(k){"
    "Object.defineProperty(s,k,{value:null,writable:true,enumerable:true})});"
    "[['readyState',function(){return st}],['protocol',''],['extensions',''],"
    "['bufferedAmount',0]].forEach(function(p){Object.defineProperty(s,p[0],{enumerable:true,"
    "get:function(){return real?real[p[0]]:typeof p[1]==='function'?p[1]():p[1]}})});"
    "Object.defineProperty(s,'binaryType',{enumerable:true,get:function(){return real?"
    "real.binaryType:bt},set:function(v){if(real)real.binaryType=v;else bt=v}});"
    "Object.defineProperty(s,'send',{value:function(m){if(real)return real.send(m);"
    "if(st===0)throw new DOMException("
    "\"Failed to execute 'send' on 'WebSocket': Still in CONNECTING state.\","
    "'InvalidStateError');if(st===1)post(u,m)}});"
    "Object.defineProperty(s,'close',{value:function(c,r){if(real)return real.close.apply(real,"
    "arguments);if(st>1)return;"
    "st=2;setTimeout(function(){st=3;fire(s,'close',new CloseEvent('close',"
    "{code:c||1005,reason:r||'',wasClean:true}))},0)}});"
    "function relay(t){real.addEventListener(t,function(e){fire(s,t,t==='message'?"
    "new MessageEvent(t,{data:e.data,origin:e.origin,lastEventId:e.lastEventId}):t==='close'?"
    "new CloseEvent(t,{code:e.code,reason:e.reason,wasClean:e.wasClean}):new Event(t))})}"
    "setTimeout(function(){Promise.resolve(open).then(function(open){if(st!==0)return;"
    "if(open===2&&T){try{real=Reflect.construct(T,a,nt);real.binaryType=bt}catch(x){real=null}"
    "if(real){['open','message','error','close'].forEach(relay);return}}"
    "if(open===true||open===1){st=1;fire(s,'open',new Event('open'));return}"
    "st=3;fire(s,'error',new Event('error'));"
    "fire(s,'close',new CloseEvent('close',{code:1006,wasClean:false}))})},0);return s}"
    "function later(u){return F.call(self,O+'" BX_SOCKET_PATH "?'+encodeURIComponent(u),"
    "{credentials:'omit',cache:'no-store'}).then(function(r){return r.text()})"
    ".then(function(t){return t==='block'?1:t==='allow'?2:0},function(){return 0})}"
    "function stream(N,u,open,T,a,nt){var s=Object.create(N.prototype),done,real=null,shut=0,"
    "closed=new Promise(function(r){done=r}),"
    "w=new WritableStream({write:function(m){post(u,m)},"
    "close:function(){done({closeCode:1000,reason:''})}}),"
    "r=new ReadableStream({}),o={url:u,closed:closed,"
    "opened:Promise.resolve(open).then(function(k){"
    "if(k===2&&!shut){real=Reflect.construct(T,a,nt);done(real.closed);return real.opened}"
    "if(k!==true&&k!==1){done(Promise.reject(new DOMException("
    "'WebSocket connection failed','NetworkError')));throw new DOMException("
    "'WebSocket connection failed','NetworkError')}"
    "return {readable:r,writable:w,extensions:'',protocol:''}}),"
    "close:function(i){if(real)return real.close(i);shut=1;"
    "done({closeCode:i&&i.closeCode||1000,reason:i&&i.reason||''})}};"
    "for(var k in o)Object.defineProperty(s,k,{value:o[k]});return s}"
    "function guard(name,blocked){var N=self[name];if(typeof N!=='function'||N.__phiwall)return;"
    "var W=new Proxy(N,{construct:function(T,a,nt){var u;try{u=abs(String(a[0]))}"
    "catch(e){return Reflect.construct(T,a,nt)}"
    "var v=ok(u);return v===2?Reflect.construct(T,a,nt):"
    "blocked(N,u,T,a,nt,v===3?later(u):v===1&&!!F)}});"
    "Object.defineProperty(N,'__phiwall',{value:1});self[name]=W}"
    "guard('WebSocket',function(N,u,T,a,nt,open){return stub(N,u,open,T,a,nt)});"
    "guard('WebSocketStream',function(N,u,T,a,nt,open){if(open)return stream(N,u,open,T,a,nt);"
    "return Reflect.construct(T,['wss://blocked-by-phiwall.invalid/'].concat(a.slice(1)),nt)})"
    "})()";

void bx_socket_guard(bx_browser *b, const char *session, int worker)
{
    const pw_browser_opts *o = b->o;
    if (!o->contain || !o->hooks.is_tracker_endpoint)
        return;
    /* an out-of-process frame's target runs no script added before its Page domain is on
     * (measured: without it, a cross-site iframe's socket reached the vendor) */
    if (!worker)
        cdp_send(b->conn, session, "Page.enable", "{}", NULL, NULL, NULL);
    pw_buf p;
    pw_buf_init(&p);
    pw_buf_puts(&p, worker ? "{\"expression\":" : "{\"source\":");
    pw_buf_json_string(&p, socket_js, strlen(socket_js));
    pw_buf_putc(&p, '}');
    if (!p.failed)
        cdp_send(b->conn, session,
                 worker ? "Runtime.evaluate" : "Page.addScriptToEvaluateOnNewDocument", p.data,
                 NULL, NULL, NULL);
    pw_buf_free(&p);
}

/* The header each request of a contained socket carries: the report says what phiwall did. */
#define SOCKET_CONTAINED                                                                       \
    "WebSocket contained: no handshake, phiwall's stand-in socket took its messages; each is " \
    "captured, none was sent"

/* A contained socket (its stand-in's opening, or one of its messages) as a request of its page,
 * with the header saying it was contained; NULL when nothing is recorded (between tasks, while
 * logging in) or there is no memory. */
static bx_req *contained_socket_req(bx_browser *b, bx_tab *t, const char *id, const char *ws,
                                    const char *page)
{
    pw_arena *a = &t->arena;
    pw_header *h = t->active && b->deliver ? pw_arena_calloc(a, 1, sizeof *h) : NULL;
    bx_req *q = h ? bx_socket_req_new(b, t, id, pw_arena_strdup(a, ws), page) : NULL;
    if (!q)
        return NULL;
    h->name = "X-Phiwall-Contained";
    h->value = SOCKET_CONTAINED;
    q->headers = h;
    q->r.headers = h;
    q->r.n_headers = 1;
    return q;
}

/* The page a socket marker's pause (a question or a message) belongs to: its frame's. */
static const char *socket_page(bx_browser *b, bx_tab *t, const cdp_msg *m)
{
    const char *frame = cdp_str(m->params, "frameId");
    int top_frame = frame && t->target_id && strcmp(frame, t->target_id) == 0;
    const char *page = top_frame ? t->top_url : bx_frame_page(t, frame);
    if (!page)
        page = t->top_url ? t->top_url : b->start_url;
    return page;
}

/* The task's record of contained sockets of url (created with create), or NULL. */
static bx_contained_ws *contained_ws_of(bx_tab *t, const char *url, int create)
{
    for (bx_contained_ws *w = t->contained_ws; w; w = w->next)
        if (strcmp(w->url, url) == 0)
            return w;
    bx_contained_ws *w = create ? pw_arena_calloc(&t->arena, 1, sizeof *w) : NULL;
    if (!w || !(w->url = pw_arena_strdup(&t->arena, url)))
        return NULL;
    w->next = t->contained_ws;
    t->contained_ws = w;
    return w;
}

/* A message the page sent on a contained socket's stand-in: captured as the socket's message
 * (method WEBSOCKET, the message as its body, as a message of an open socket is), answered 204
 * here — nothing leaves the machine. */
static void socket_message(bx_browser *b, bx_tab *t, const cdp_msg *m, const char *id,
                           const char *ws)
{
    send_fulfill(b, m->session, id, 204, NULL, NULL);
    pw_arena *a = &t->arena;
    bx_contained_ws *w = t->active && b->deliver ? contained_ws_of(t, ws, 1) : NULL;
    if (w)
        w->messages++;
    if (t->n_socket_msgs >= BX_SOCKET_MSGS_MAX) {
        if (t->n_socket_msgs++ == BX_SOCKET_MSGS_MAX)
            bx_log(b, "%s: more than %d WebSocket messages: the rest are not kept",
                   t->task.url ? t->task.url : "?", BX_SOCKET_MSGS_MAX);
        return;
    }
    bx_req *q =
        contained_socket_req(b, t, pw_arena_sprintf(a, "%s.wsmsg", id), ws, socket_page(b, t, m));
    if (!q)
        return;
    t->n_socket_msgs++;
    pw_buf body;
    pw_buf_init(&body);
    const char *text = cdp_str(m->params, "request.postData");
    yajl_val entries = cdp_get(m->params, "request.postDataEntries");
    if (text)
        pw_buf_puts(&body, text);
    for (size_t i = 0; !text && entries && YAJL_IS_ARRAY(entries) && i < entries->u.array.len;
         i++) {
        const char *b64 = cdp_str(entries->u.array.values[i], "bytes");
        size_t n = 0;
        unsigned char *bytes = b64 ? pw_base64_decode(a, b64, strlen(b64), &n) : NULL;
        if (bytes)
            pw_buf_append(&body, bytes, n);
    }
    size_t n = body.len < BX_SOCKET_MSG_MAX ? body.len : BX_SOCKET_MSG_MAX;
    if (!body.failed && n) {
        q->r.body = pw_arena_memdup(a, body.data, n);
        q->r.body_len = q->r.body ? n : 0;
    }
    pw_buf_free(&body);
    bx_log(b, "contain WebSocket %s: message of %zu bytes captured, not sent", ws, q->r.body_len);
    bx_req_append(t, q);
}

/* A socket marker's pause: the hook's verdict on the socket, as the page that opens it asks. */
static void answer_socket(bx_browser *b, bx_tab *t, const cdp_msg *m, const char *id,
                          const char *ws)
{
    const pw_browser_opts *o = b->o;
    const char *page = socket_page(b, t, m);
    int block = o->contain && o->hooks.is_tracker_endpoint &&
                o->hooks.is_tracker_endpoint(o->hooks.ctx, page, ws, "WebSocket");
    send_fulfill(b, m->session, id, 200, "text/plain", block ? "YmxvY2s=" : "YWxsb3c=");
    if (!block)
        return;
    bx_log(b, "contain WebSocket %s: no handshake, a stand-in socket takes its messages", ws);
    b->stats->contained++;
    bx_contained_ws *w = t->active && b->deliver ? contained_ws_of(t, ws, 1) : NULL;
    if (w)
        w->opened++;
    /* the socket itself is a request of its page (no message): the tracker is reported from its
     * host even when the page sends nothing on it */
    bx_req *q =
        contained_socket_req(b, t, pw_arena_sprintf(&t->arena, "%s.wsblocked", id), ws, page);
    if (q)
        bx_req_append(t, q);
}

static int is_loaded_resource(const char *rtype)
{
    return rtype && (strcmp(rtype, "Script") == 0 || strcmp(rtype, "Stylesheet") == 0 ||
                     strcmp(rtype, "Font") == 0);
}

/* A request the page's timers sent the site itself while the leave ran them (leave_timers in
 * browser_scan.c), before the document's pagehide (its unload marker): a call, a beacon or a
 * ping (XHR, fetch, sendBeacon, EventSource) to a host of the scanned site. It is answered
 * here (204) and captured like any request, never sent: a portal's session-timeout warning
 * due within the leave's 185 s, or the logout it arms, ends the session on the server
 * (POST /api/session/end) or tells the site the visitor went idle, and the next page the crawl
 * visits in the same browser — logged in through --login — would be seen signed out, which no
 * visitor who left the page after seconds causes. A tracker's request is contained before
 * (is_tracker_endpoint); scripts, styles, images and documents go on (a survey's script the
 * timer loads, whose beacon is then seen). What pagehide sends is the visitor's own leave:
 * sent. */
static int held_at_leave(bx_browser *b, const bx_tab *t, const char *rtype, const char *url)
{
    static const char *const calls[] = {"XHR", "Fetch", "Ping", "EventSource", "Other"};
    if (!t->guard_leave || t->unload_marked || !rtype)
        return 0;
    int call = 0;
    for (size_t i = 0; i < sizeof calls / sizeof calls[0]; i++)
        call |= strcmp(rtype, calls[i]) == 0;
    return call && bx_same_site(b, url);
}

void bx_fetch_paused(bx_browser *b, bx_tab *t, const cdp_msg *m)
{
    const char *id = cdp_str(m->params, "requestId");
    const char *url = cdp_str(m->params, "request.url");
    const char *rtype = cdp_str(m->params, "resourceType");
    const char *frame = cdp_str(m->params, "frameId");
    if (!id)
        return;
    /* A request starting: the settle's quiet window runs from here too, since a beacon of an
     * unloading document is seen only here (note_answered). */
    if (t->active)
        t->net_last_ms = cdp_now_ms();
    if (!url) {
        send_continue(b, m->session, id, m);
        note_answered(b, t, m, 0);
        return;
    }
    const char *socket = bx_socket_marker(&t->arena, url);
    if (socket) { /* phiwall's own: the WebSocket guard's question, no request of the page */
        answer_socket(b, t, m, id, socket);
        return;
    }
    const char *message = bx_socket_msg_marker(&t->arena, url);
    if (message) { /* phiwall's own: a message of a contained socket's stand-in */
        socket_message(b, t, m, id, message);
        return;
    }
    const char *unloading = bx_unload_marker(&t->arena, url);
    if (unloading) { /* phiwall's own: answered here, no request of the page */
        send_fulfill(b, m->session, id, 204, NULL, NULL);
        int top_frame = frame && t->target_id && strcmp(frame, t->target_id) == 0;
        size_t flen = 0;
        const char *fid = NULL;
        if ((fid = bx_unload_marker_frame(url, BX_FRAME_ANNOUNCE, &flen)) != NULL) {
            if (!top_frame) /* a frame's pagehide began: the leave waits for its marker */
                bx_frame_marker(t, fid, flen, 0);
        } else if ((fid = bx_unload_marker_frame(url, BX_FRAME_MARKED, &flen)) != NULL) {
            bx_frame_marker(t, fid, flen, 1); /* any time (a frame removed), the leave's too */
        } else if (t->unload_doc && bx_same_document(t->unload_doc, unloading)) {
            t->unload_marked = 1;
            t->unload_beacons = bx_unload_marker_beacons(url);
        }
        return;
    }
    /* a request of the top frame's unloading document (the browser reports it by its pause
     * alone): one of the beacons its marker counts */
    if (t->leaving && frame && t->target_id && strcmp(frame, t->target_id) == 0 &&
        !cdp_str(m->params, "networkId"))
        t->unload_seen++;
    int top_doc = rtype && strcmp(rtype, "Document") == 0 && frame && t->target_id &&
                  strcmp(frame, t->target_id) == 0;
    const pw_browser_opts *o = b->o;
    const char *page = t->top_url ? t->top_url : b->start_url;
    if (o->contain && !top_doc && !is_loaded_resource(rtype) && o->hooks.is_tracker_endpoint &&
        o->hooks.is_tracker_endpoint(o->hooks.ctx, page, url, rtype ? rtype : "")) {
        int image = rtype && strcmp(rtype, "Image") == 0;
        bx_log(b, "contain %s %s", rtype ? rtype : "?", url);
        send_fulfill(b, m->session, id, image ? 200 : 204, image ? "image/gif" : NULL,
                     image ? gif_1x1_b64 : NULL);
        note_answered(b, t, m, image ? 200 : 204);
        b->stats->contained++;
        return;
    }
    if (held_at_leave(b, t, rtype, url)) {
        bx_log(b, "hold %s %s: sent to the site by a timer the leave ran, answered here", rtype,
               url);
        send_fulfill(b, m->session, id, 204, NULL, NULL);
        note_answered(b, t, m, 204);
        return;
    }
    const pw_host_map *map = bx_host_map_find(o, url);
    if (map) {
        serve_mapped(b, t, m, id, url, map);
        return;
    }
    send_continue(b, m->session, id, m);
    note_answered(b, t, m, 0);
}

void bx_fetch_paused_browser(bx_browser *b, const cdp_msg *m)
{
    const char *id = cdp_str(m->params, "requestId");
    bx_tab *t = bx_gone_frame_tab(b, cdp_str(m->params, "frameId"));
    if (!id)
        return;
    if (!t) { /* a session of its tab pauses it too (the top frame's, a live frame's) */
        send_continue(b, NULL, id, m);
        return;
    }
    bx_fetch_paused(b, t, m);
}

pw_status bx_unload_watch(bx_browser *b, pw_err *err)
{
    /* keepalive requests only: every other request is paused by its own session alone */
    pw_status st = cdp_call(b->conn, NULL, "Fetch.enable",
                            "{\"patterns\":[{\"urlPattern\":\"*\",\"resourceType\":\"Ping\"},"
                            "{\"urlPattern\":\"*\",\"resourceType\":\"Fetch\"}]}",
                            BX_CALL_MS, NULL, err);
    if (st == PW_OK || cdp_conn_dead(b->conn))
        return st;
    /* a browser without Fetch on its own target: the scan runs as before, without those */
    bx_log(b, "no browser-wide Fetch (%s): beacons of cross-site frames at pagehide are not seen",
           err ? err->msg : "?");
    if (err)
        pw_err_clear(err);
    return PW_OK;
}
