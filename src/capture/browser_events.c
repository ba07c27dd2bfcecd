/*
 * browser_events.c — turns DevTools events into capture: attaches to every iframe and worker
 * (flattened sessions routed to their tab), records every Network.requestWillBeSent with its
 * POST body (fetching it with Network.getRequestPostData when the event omits it), the response
 * status, the top document's URL, load completion, crashes, and dismisses JavaScript dialogs so
 * no page blocks the scan.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture/browser_int.h"
#include "phiwall/text.h"

void bx_log(bx_browser *b, const char *fmt, ...)
{
    if (!b->o->hooks.log || b->quiet)
        return;
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    b->o->hooks.log(b->o->hooks.ctx, line);
}

/* ---- session → tab routing ---------------------------------------------------------------- */

int bx_tab_of_session(bx_browser *b, const char *session)
{
    if (!session)
        return -1;
    for (int i = 0; i < b->n_tabs; i++)
        if (b->tabs[i].session && strcmp(b->tabs[i].session, session) == 0)
            return i;
    for (size_t i = 0; i < b->n_sessions; i++)
        if (strcmp(b->sessions[i].session, session) == 0)
            return b->sessions[i].tab;
    return -1;
}

pw_status bx_session_add(bx_browser *b, const char *session, int tab)
{
    if (b->n_sessions == b->cap_sessions) {
        size_t cap = b->cap_sessions ? b->cap_sessions * 2 : 16;
        bx_session_map *p = realloc(b->sessions, cap * sizeof *p);
        if (!p)
            return PW_ERR_NOMEM;
        b->sessions = p;
        b->cap_sessions = cap;
    }
    char *s = strdup(session);
    if (!s)
        return PW_ERR_NOMEM;
    b->sessions[b->n_sessions++] = (bx_session_map){s, tab, 0};
    return PW_OK;
}

void bx_session_remove(bx_browser *b, const char *session)
{
    for (size_t i = 0; i < b->n_sessions; i++) {
        if (strcmp(b->sessions[i].session, session) != 0)
            continue;
        free(b->sessions[i].session);
        b->sessions[i] = b->sessions[--b->n_sessions];
        return;
    }
}

void bx_sessions_clear(bx_browser *b)
{
    for (size_t i = 0; i < b->n_sessions; i++)
        free(b->sessions[i].session);
    free(b->sessions);
    b->sessions = NULL;
    b->n_sessions = b->cap_sessions = 0;
}

/* A new iframe, worker or popup of a tab: capture it too, then let it run. */
static void on_attached(bx_browser *b, const cdp_msg *m)
{
    const char *child = cdp_str(m->params, "sessionId");
    const char *type = cdp_str(m->params, "targetInfo.type");
    int tab = bx_tab_of_session(b, m->session);
    if (!child || tab < 0)
        return;
    if (bx_session_add(b, child, tab) != PW_OK)
        return;
    b->sessions[b->n_sessions - 1].frame = type && strcmp(type, "iframe") == 0;
    bx_log(b, "attached %s session to tab %d: %s", type ? type : "?", tab,
           cdp_str(m->params, "targetInfo.url") ? cdp_str(m->params, "targetInfo.url") : "");
    cdp_send(b->conn, child, "Network.enable", "{}", NULL, NULL, NULL);
    bx_agent_override(b, child); /* before it runs: its requests and navigator.userAgent */
    cdp_send(b->conn, child, "Fetch.enable", "{\"patterns\":[{\"urlPattern\":\"*\"}]}", NULL, NULL,
             NULL);
    /* its sockets too: a frame's documents, or a worker's scope before its script runs */
    bx_socket_guard(b, child, !type || (strcmp(type, "iframe") != 0 && strcmp(type, "page") != 0));
    if (type && (strcmp(type, "iframe") == 0 || strcmp(type, "page") == 0))
        bx_page_shims(b, child); /* a cross-site booking widget's closed roots too */
    /* A worker's timers (a replay tag's worker flush): its scope has no setTimeout yet while it
     * waits for the debugger (Chromium 156: typeof setTimeout is "undefined" there, and a
     * property defined in its place keeps Blink from installing its own), so the timers' shim
     * runs at a pause before its first script instead (Debugger.paused below). */
    if (type && strcmp(type, "iframe") != 0 && strcmp(type, "page") != 0) {
        cdp_send(b->conn, child, "Debugger.enable", "{}", NULL, NULL, NULL);
        cdp_send(b->conn, child, "Debugger.setInstrumentationBreakpoint",
                 "{\"instrumentation\":\"beforeScriptExecution\"}", NULL, NULL, NULL);
    }
    if (type && (strcmp(type, "iframe") == 0 || strcmp(type, "page") == 0))
        cdp_send(b->conn, child, "Target.setAutoAttach",
                 "{\"autoAttach\":true,\"waitForDebuggerOnStart\":true,\"flatten\":true}", NULL,
                 NULL, NULL);
    cdp_send(b->conn, child, "Runtime.runIfWaitingForDebugger", "{}", NULL, NULL, NULL);
}

/* ---- popups ------------------------------------------------------------------------------- */

/* A window a page opens (window.open, a target=_blank link, also with noopener) is a target of
 * its own: no session of its tab's reports or pauses its requests. The browser-wide auto-attach
 * (bx_popup_watch) attaches it before it runs; it becomes a popup of the tab whose page (or popup)
 * opened it, captured and contained like the tab itself, its requests on its own page. */

bx_frame *bx_popup_of(const bx_tab *t, const char *frame)
{
    for (bx_frame *f = frame ? t->frames : NULL; f; f = f->next)
        if (f->popup && strcmp(f->id, frame) == 0)
            return f;
    return NULL;
}

/* The tab whose page or popup is target (a popup's popup is its tab's too), or -1. */
static int tab_of_target(bx_browser *b, const char *target)
{
    for (int i = 0; target && i < b->n_tabs; i++)
        if ((b->tabs[i].target_id && strcmp(b->tabs[i].target_id, target) == 0) ||
            bx_popup_of(&b->tabs[i], target))
            return i;
    return -1;
}

static void popup_attached(bx_browser *b, int tab, const char *session, const char *target,
                           const char *url)
{
    bx_tab *t = &b->tabs[tab];
    bx_frame *f = pw_arena_calloc(&t->arena, 1, sizeof *f);
    if (f && (f->id = pw_arena_strdup(&t->arena, target))) {
        f->popup = 1;
        f->page = url && strncmp(url, "http", 4) == 0 ? pw_arena_strdup(&t->arena, url) : NULL;
        if (!f->page)
            f->page = t->top_url;
        f->next = t->frames;
        t->frames = f;
    }
    bx_log(b, "attached popup session to tab %d: %s", tab, url ? url : "");
    cdp_send(b->conn, session, "Page.enable", "{}", NULL, NULL, NULL);
    cdp_send(b->conn, session, "Network.enable", "{\"maxPostDataSize\":1048576}", NULL, NULL, NULL);
    bx_agent_override(b, session);
    cdp_send(b->conn, session, "Fetch.enable", "{\"patterns\":[{\"urlPattern\":\"*\"}]}", NULL,
             NULL, NULL);
    bx_socket_guard(b, session, 0);
    bx_page_shims(b, session);
    cdp_send(b->conn, session, "Target.setAutoAttach",
             "{\"autoAttach\":true,\"waitForDebuggerOnStart\":true,\"flatten\":true}", NULL, NULL,
             NULL);
    cdp_send(b->conn, session, "Runtime.runIfWaitingForDebugger", "{}", NULL, NULL, NULL);
}

/* Target.attachedToTarget of the browser-wide auto-attach: a page opened by a tab's page (or its
 * popup) is that tab's popup. Anything else — the scan's own tabs (each has its own session),
 * service workers (attached by their tab's session), a window of no tab — is let go; a page of
 * no known opener is contained under the first active tab rather than left to reach vendors. */
static void on_attached_browser(bx_browser *b, const cdp_msg *m)
{
    const char *child = cdp_str(m->params, "sessionId");
    const char *type = cdp_str(m->params, "targetInfo.type");
    const char *target = cdp_str(m->params, "targetInfo.targetId");
    const char *opener = cdp_str(m->params, "targetInfo.openerId");
    const char *url = cdp_str(m->params, "targetInfo.url");
    if (!child || !target)
        return;
    int own = tab_of_target(b, target) >= 0;
    int tab = type && strcmp(type, "page") == 0 && !own ? tab_of_target(b, opener) : -1;
    for (int i = 0; tab < 0 && !own && type && strcmp(type, "page") == 0 && i < b->n_tabs; i++)
        if (b->tabs[i].active) {
            tab = i;
            bx_log(b, "a window of no known opener (%s): contained as tab %d's", url ? url : "", i);
        }
    if (tab >= 0 && bx_session_add(b, child, tab) == PW_OK) {
        popup_attached(b, tab, child, target, url);
        return;
    }
    cdp_send(b->conn, child, "Runtime.runIfWaitingForDebugger", "{}", NULL, NULL, NULL);
    if (own) /* a tab's (Target.attachToTarget reports its own session here too): kept */
        return;
    pw_buf p;
    pw_buf_init(&p);
    pw_buf_puts(&p, "{\"sessionId\":");
    pw_buf_json_string(&p, child, strlen(child));
    pw_buf_putc(&p, '}');
    if (!p.failed)
        cdp_send(b->conn, NULL, "Target.detachFromTarget", p.data, NULL, NULL, NULL);
    pw_buf_free(&p);
}

pw_status bx_popup_watch(bx_browser *b, pw_err *err)
{
    return cdp_call(b->conn, NULL, "Target.setAutoAttach",
                    "{\"autoAttach\":true,\"waitForDebuggerOnStart\":true,\"flatten\":true}",
                    BX_CALL_MS, NULL, err);
}

void bx_popups_close(bx_tab *t)
{
    for (const bx_frame *f = t->frames; f; f = f->next) {
        if (!f->popup || f->gone)
            continue;
        pw_buf p;
        pw_buf_init(&p);
        pw_buf_puts(&p, "{\"targetId\":");
        pw_buf_json_string(&p, f->id, strlen(f->id));
        pw_buf_putc(&p, '}');
        if (!p.failed)
            cdp_send(t->b->conn, NULL, "Target.closeTarget", p.data, NULL, NULL, NULL);
        pw_buf_free(&p);
    }
}

/* Page.frameNavigated of a popup's own frame: its document is a page of the task. */
static void popup_navigated(bx_tab *t, const cdp_msg *m)
{
    yajl_val f = cdp_get(m->params, "frame");
    bx_frame *pf = cdp_str(f, "parentId") ? NULL : bx_popup_of(t, cdp_str(f, "id"));
    const char *url = cdp_str(f, "url");
    if (!pf || !url || strncmp(url, "http", 4) != 0)
        return;
    pf->page = pw_arena_strdup(&t->arena, url);
    for (bx_visit *v = t->visits; v; v = v->next)
        if (strcmp(v->url, url) == 0)
            return;
    bx_visit *v = pw_arena_calloc(&t->arena, 1, sizeof *v);
    if (!v || !pf->page)
        return;
    v->url = pf->page;
    v->next = t->visits;
    t->visits = v;
}

/* ---- requests ----------------------------------------------------------------------------- */

bx_req *bx_find_req(bx_tab *t, const char *request_id)
{
    bx_req *found = NULL;
    for (bx_req *r = t->reqs; r; r = r->next) /* the last one wins (redirect chains) */
        if (strcmp(r->request_id, request_id) == 0)
            found = r;
    return found;
}

static void copy_headers(pw_arena *a, yajl_val obj, bx_req *q)
{
    if (!obj || !YAJL_IS_OBJECT(obj) || obj->u.object.len == 0)
        return;
    size_t n = obj->u.object.len;
    q->headers = pw_arena_calloc(a, n, sizeof *q->headers);
    if (!q->headers)
        return;
    for (size_t i = 0; i < n; i++) {
        yajl_val v = obj->u.object.values[i];
        if (!v || !YAJL_IS_STRING(v))
            continue;
        q->headers[q->r.n_headers].name = pw_arena_strdup(a, obj->u.object.keys[i]);
        q->headers[q->r.n_headers].value = pw_arena_strdup(a, v->u.string);
        q->r.n_headers++;
    }
    q->r.headers = q->headers;
}

/* postData (text) or postDataEntries (base64 pieces) into the request body. */
static int copy_body(pw_arena *a, yajl_val request, bx_req *q)
{
    const char *text = cdp_str(request, "postData");
    if (text) {
        q->r.body = (const unsigned char *)pw_arena_strdup(a, text);
        q->r.body_len = strlen(text);
        return 1;
    }
    yajl_val entries = cdp_get(request, "postDataEntries");
    if (!entries || !YAJL_IS_ARRAY(entries) || entries->u.array.len == 0)
        return 0;
    pw_buf body;
    pw_buf_init(&body);
    for (size_t i = 0; i < entries->u.array.len; i++) {
        const char *b64 = cdp_str(entries->u.array.values[i], "bytes");
        size_t n = 0;
        unsigned char *bytes = b64 ? pw_base64_decode(a, b64, strlen(b64), &n) : NULL;
        if (bytes)
            pw_buf_append(&body, bytes, n);
    }
    if (body.len) {
        q->r.body = pw_arena_memdup(a, body.data, body.len);
        q->r.body_len = body.len;
    }
    pw_buf_free(&body);
    return q->r.body_len > 0;
}

typedef struct body_wait {
    bx_tab *tab;
    bx_req *req;
} body_wait;

static void on_post_data(void *ctx, const cdp_msg *m)
{
    body_wait *w = ctx;
    bx_tab *t = w->tab;
    if (t->bodies_pending)
        t->bodies_pending--;
    w->req->body_pending = 0;
    const char *data = m && !m->error ? cdp_str(m->result, "postData") : NULL;
    if (data && !w->req->r.body) {
        w->req->r.body = (const unsigned char *)pw_arena_strdup(&t->arena, data);
        w->req->r.body_len = strlen(data);
    }
}

static const char *initiator_of(pw_arena *a, yajl_val init)
{
    const char *url = cdp_str(init, "url");
    if (url)
        return pw_arena_strdup(a, url);
    yajl_val frames = cdp_get(init, "stack.callFrames");
    if (frames && YAJL_IS_ARRAY(frames) && frames->u.array.len > 0) {
        url = cdp_str(frames->u.array.values[0], "url");
        if (url && url[0])
            return pw_arena_strdup(a, url);
    }
    const char *type = cdp_str(init, "type");
    return type ? pw_arena_strdup(a, type) : NULL;
}

static const char *lower_type(pw_arena *a, const char *t)
{
    if (!t)
        return NULL;
    return pw_lower_dup(a, t, strlen(t), 0);
}

void bx_req_append(bx_tab *t, bx_req *q)
{
    if (t->reqs_tail)
        t->reqs_tail->next = q;
    else
        t->reqs = q;
    t->reqs_tail = q;
    t->n_reqs++;
}

/* url (in a) with fragment ("#…", as DevTools gives a frame's or request's urlFragment apart
 * from its URL) when that is a hash router's route: the page a single-page app shows there. */
static const char *with_route(pw_arena *a, const char *url, const char *fragment)
{
    if (!fragment || fragment[0] != '#' || !bx_hash_route(fragment + 1))
        return pw_arena_strdup(a, url);
    return pw_arena_sprintf(a, "%s%s", url, fragment);
}

/* The URL the top frame's document loader committed with (Page.frameNavigated), or NULL. */
static const char *committed_url(const bx_tab *t, const char *loader)
{
    for (const bx_visit *v = loader ? t->visits : NULL; v; v = v->next)
        if (v->loader && strcmp(v->loader, loader) == 0)
            return v->url;
    return NULL;
}

bx_req *bx_req_new(bx_tab *t, const char *id, yajl_val request, const bx_req_where *w)
{
    bx_browser *b = t->b;
    pw_arena *a = &t->arena;
    const char *url = cdp_str(request, "url");
    bx_req *q = url ? pw_arena_calloc(a, 1, sizeof *q) : NULL;
    if (!q)
        return NULL;
    const char *type = w->type;
    const char *frame = w->frame;
    int top_frame = frame && t->target_id && strcmp(frame, t->target_id) == 0;
    int top_doc = top_frame && type && strcmp(type, "Document") == 0;
    q->request_id = pw_arena_strdup(a, id);
    q->r.method =
        pw_arena_strdup(a, cdp_str(request, "method") ? cdp_str(request, "method") : "GET");
    q->r.url = pw_arena_strdup(a, url);
    copy_headers(a, cdp_get(request, "headers"), q);
    q->r.content_type = pw_request_header(&q->r, "Content-Type");
    q->r.frame_url = w->document_url ? pw_arena_strdup(a, w->document_url) : NULL;
    /* A request of the top frame belongs to the document that sent it, even when it arrives
     * while the tab is already leaving for the next page (pagehide beacons). */
    const bx_frame *popup = top_frame ? NULL : bx_popup_of(t, frame);
    if (top_doc)
        q->sent_from = t->top_url;
    if (top_doc || (popup && type && strcmp(type, "Document") == 0))
        q->r.page_url = with_route(a, q->r.url, cdp_str(request, "urlFragment"));
    else if (popup)
        q->r.page_url = popup->page;
    else if (top_frame && (q->r.page_url = committed_url(t, w->loader)) != NULL)
        ; /* its document as it loaded: a URL history.pushState gave it later is no page */
    else if (top_frame && q->r.frame_url && strncmp(q->r.frame_url, "http", 4) == 0)
        q->r.page_url = q->r.frame_url;
    else
        q->r.page_url = top_frame ? t->top_url : bx_frame_page(t, frame);
    q->r.resource_type = lower_type(a, type);
    q->r.initiator = w->initiator ? initiator_of(a, w->initiator) : NULL;
    q->r.timestamp = w->wall_time;
    q->r.step = t->step;
    q->r.source = PW_SOURCE_BROWSER;
    if (b->o->consent != PW_CONSENT_NONE) {
        q->r.before_consent = !b->consent_answered;
        q->r.after_reject = b->consent_rejected;
    }
    copy_body(a, request, q);
    return q;
}

static void on_request(bx_browser *b, bx_tab *t, const cdp_msg *m)
{
    yajl_val p = m->params;
    const char *id = cdp_str(p, "requestId");
    const char *url = cdp_str(p, "request.url");
    if (!id || !url || strncmp(url, "data:", 5) == 0 || strncmp(url, "blob:", 5) == 0 ||
        bx_unload_marker(&t->arena, url) || bx_socket_marker(&t->arena, url) ||
        bx_socket_msg_marker(&t->arena, url))
        return;
    yajl_val redirect = cdp_get(p, "redirectResponse");
    double st;
    if (redirect && cdp_num(redirect, "status", &st)) {
        bx_req *prev = bx_find_req(t, id);
        if (prev)
            prev->r.status = (int)st;
    }
    bx_req_where w = {.type = cdp_str(p, "type"),
                      .frame = cdp_str(p, "frameId"),
                      .document_url = cdp_str(p, "documentURL"),
                      .loader = cdp_str(p, "loaderId"),
                      .initiator = cdp_get(p, "initiator")};
    cdp_num(p, "wallTime", &w.wall_time);
    bx_req *q = bx_req_new(t, id, cdp_get(p, "request"), &w);
    if (!q)
        return;
    if (!q->r.body && cdp_bool(p, "request.hasPostData")) {
        pw_arena *a = &t->arena;
        body_wait *bw = pw_arena_calloc(a, 1, sizeof *bw);
        char params[256];
        snprintf(params, sizeof params, "{\"requestId\":\"%.200s\"}", id);
        if (bw) {
            bw->tab = t;
            bw->req = q;
            if (cdp_send(b->conn, m->session, "Network.getRequestPostData", params, on_post_data,
                         bw, NULL) == PW_OK) {
                q->body_pending = 1;
                t->bodies_pending++;
            }
        }
    }
    bx_req_append(t, q);
}

/* Network.webSocketCreated: remembered for its messages (bx_socket). A worker's or an iframe's
 * socket belongs to the page the tab shows. */
static void on_socket(bx_tab *t, const cdp_msg *m)
{
    pw_arena *a = &t->arena;
    const char *id = cdp_str(m->params, "requestId");
    const char *url = cdp_str(m->params, "url");
    bx_socket *s = id && url ? pw_arena_calloc(a, 1, sizeof *s) : NULL;
    if (!s)
        return;
    s->id = pw_arena_strdup(a, id);
    s->url = pw_arena_strdup(a, url);
    s->page = t->top_url;
    yajl_val init = cdp_get(m->params, "initiator");
    s->initiator = init ? initiator_of(a, init) : NULL;
    if (!s->id || !s->url)
        return;
    s->next = t->sockets;
    t->sockets = s;
}

bx_req *bx_socket_req_new(bx_browser *b, bx_tab *t, const char *request_id, const char *url,
                          const char *page)
{
    bx_req *q = request_id && url ? pw_arena_calloc(&t->arena, 1, sizeof *q) : NULL;
    if (!q)
        return NULL;
    q->request_id = request_id;
    q->r.method = "WEBSOCKET";
    q->r.url = url;
    q->r.page_url = page;
    q->r.frame_url = page;
    q->r.resource_type = "websocket";
    q->r.timestamp = bx_wall_now();
    q->r.step = t->step;
    q->r.source = PW_SOURCE_BROWSER;
    if (b->o->consent != PW_CONSENT_NONE) {
        q->r.before_consent = !b->consent_answered;
        q->r.after_reject = b->consent_rejected;
    }
    return q;
}

/* Network.webSocketFrameSent: a message the page sent, captured as a request of its socket's page
 * with the message as its body (a text frame as it is; a binary one as DevTools gives it, base64)
 * — a session-replay or chat tag that streams keystrokes and page URLs over a WebSocket sends no
 * HTTP request at all, and earlier versions saw none of it. */
static void on_socket_sent(bx_browser *b, bx_tab *t, const cdp_msg *m)
{
    const char *id = cdp_str(m->params, "requestId");
    const char *data = cdp_str(m->params, "response.payloadData");
    const bx_socket *s = t->sockets;
    while (s && id && strcmp(s->id, id) != 0)
        s = s->next;
    if (!s || !data)
        return;
    /* a stream (media, a chat's polling, a replay tag's batches) must not fill memory: the
     * first messages of a page say what it sends */
    if (t->n_socket_msgs >= BX_SOCKET_MSGS_MAX) {
        if (t->n_socket_msgs++ == BX_SOCKET_MSGS_MAX)
            bx_log(b, "%s: more than %d WebSocket messages: the rest are not kept", t->task.url,
                   BX_SOCKET_MSGS_MAX);
        return;
    }
    t->n_socket_msgs++;
    size_t n = strnlen(data, BX_SOCKET_MSG_MAX);
    bx_req *q = bx_socket_req_new(b, t, pw_arena_sprintf(&t->arena, "%s.ws%zu", id, t->n_reqs),
                                  s->url, s->page ? s->page : t->top_url);
    if (!q)
        return;
    q->r.initiator = s->initiator;
    q->r.body = (const unsigned char *)pw_arena_strndup(&t->arena, data, n);
    q->r.body_len = q->r.body ? n : 0;
    q->r.status = 101; /* the socket's handshake answer: the message went out on it */
    bx_req_append(t, q);
}

static void on_response(bx_tab *t, const cdp_msg *m)
{
    const char *id = cdp_str(m->params, "requestId");
    double st;
    bx_req *q = id ? bx_find_req(t, id) : NULL;
    if (q && cdp_num(m->params, "response.status", &st))
        q->r.status = (int)st;
    /* A form posted to an endpoint answering 204: Chromium shows nothing and the form's page
     * stays, loaded — no commit, no load event. Without this, the submission's wait ran to half
     * of --timeout for a load that never comes, and the page counted as being left. */
    const char *type = cdp_str(m->params, "type");
    const char *frame = cdp_str(m->params, "frameId");
    if (q && bx_no_document(q->r.status) && type && strcmp(type, "Document") == 0 && frame &&
        t->target_id && strcmp(frame, t->target_id) == 0 && t->doc_url) {
        t->nav_pending = 0;
        t->loaded = 1;
    }
}

/* Network.loadingFailed: why the request failed ("net::ERR_NAME_NOT_RESOLVED", "blocked: csp
 * (net::ERR_BLOCKED_BY_CLIENT)"); a request the scan cancelled by leaving the page says so. */
static void on_failed(bx_tab *t, const cdp_msg *m)
{
    const char *id = cdp_str(m->params, "requestId");
    bx_req *q = id ? bx_find_req(t, id) : NULL;
    if (!q)
        return;
    const char *type = cdp_str(m->params, "type");
    if (bx_no_document(q->r.status) && type && strcmp(type, "Document") == 0)
        return; /* net::ERR_ABORTED: how Chromium ends a navigation answered 204, not a failure */
    const char *text = cdp_str(m->params, "errorText");
    const char *blocked = cdp_str(m->params, "blockedReason");
    const char *cors = cdp_str(m->params, "corsErrorStatus.corsError");
    if (!text || !text[0])
        text = "failed";
    pw_arena *a = &t->arena;
    if (blocked)
        q->r.error = pw_arena_sprintf(a, "blocked: %s (%s)", blocked, text);
    else if (cors)
        q->r.error = pw_arena_sprintf(a, "CORS: %s (%s)", cors, text);
    else if (cdp_bool(m->params, "canceled") && t->leaving)
        q->r.error = pw_arena_sprintf(a, "%s: still loading when the scan left the page", text);
    else
        q->r.error = pw_arena_strdup(a, text);
}

/* ---- page lifecycle ----------------------------------------------------------------------- */

/* A beacon sent at pagehide reaches the scan only as a Fetch pause without a networkId: its
 * document's Network agent is gone, so no Network.requestWillBeSent gives its documentURL or
 * loaderId, and the pause carries neither. Its frameId is the tab's for every document the tab
 * shows, and its Referer is the origin alone under the default referrer policy
 * (strict-origin-when-cross-origin) for the cross-site endpoints trackers use, so neither tells
 * the documents of one site apart. What does is the order of the top frame's navigations:
 * pagehide runs when the next document commits, so the sender is the document being left — the
 * one shown now while a navigation to another document is under way (Page.frameStartedNavigating,
 * sent by the browser before the navigation's request, so always before the pause), else the one
 * the last commit replaced (Page.frameNavigated can overtake the pause: a page of another site
 * commits in another process before the old one runs its pagehide, and even within a process the
 * pause takes a longer path). Only a beacon sent two navigations earlier, after a page that
 * stayed less than a pause's delay, would be misplaced. */
const char *bx_unloading_page(const bx_tab *t)
{
    return t->nav_pending ? t->doc_url : t->left_url;
}

const char *bx_frame_page(const bx_tab *t, const char *frame)
{
    for (const bx_frame *f = frame ? t->frames : NULL; f; f = f->next)
        if (strcmp(f->id, frame) == 0)
            return f->page;
    return t->top_url;
}

bx_tab *bx_gone_frame_tab(bx_browser *b, const char *frame)
{
    for (int i = 0; frame && i < b->n_tabs; i++)
        for (const bx_frame *f = b->tabs[i].frames; f; f = f->next)
            if (f->gone && strcmp(f->id, frame) == 0)
                return &b->tabs[i];
    return NULL;
}

/* An out-of-process iframe's session detached (its target id is its frame id): the frame is
 * unloading, and what it sends now (a beacon at pagehide) reaches the browser-wide Fetch only. */
static void frame_session_gone(bx_tab *t, const char *target)
{
    for (bx_frame *f = target ? t->frames : NULL; f; f = f->next)
        if (strcmp(f->id, target) == 0)
            f->gone = 1;
}

/* Page.frameAttached: a frame below the top one belongs to the page shown now, the document that
 * created it (a frame's id stays while it navigates; a new top document makes new frames). A
 * frame of a frame belongs to its parent's page. */
static void on_frame_attached(bx_tab *t, const cdp_msg *m)
{
    const char *id = cdp_str(m->params, "frameId");
    const char *parent = cdp_str(m->params, "parentFrameId");
    const char *page = parent && t->target_id && strcmp(parent, t->target_id) != 0
                           ? bx_frame_page(t, parent)
                           : t->top_url;
    if (!id || !page)
        return;
    bx_frame *f = pw_arena_calloc(&t->arena, 1, sizeof *f);
    if (!f || !(f->id = pw_arena_strdup(&t->arena, id)))
        return;
    f->page = page;
    f->next = t->frames;
    t->frames = f;
}

/* 1 if url is the document now with another fragment: a navigation within the document. */
static int same_document(const bx_tab *t, const char *url)
{
    if (!url || !t->doc_url || !strchr(url, '#'))
        return 0;
    size_t n = strcspn(url, "#");
    return strlen(t->doc_url) >= n && strncmp(url, t->doc_url, n) == 0 &&
           (t->doc_url[n] == '\0' || t->doc_url[n] == '#');
}

/* A navigation of the top frame to another document begins: Page.frameStartedNavigating (the
 * browser's), Page.frameRequestedNavigation (a form submission or script in the page, also in
 * browsers without the former) and the scan's own Page.navigate (bx_tab_navigate). */
static void on_nav_started(bx_tab *t, const cdp_msg *m)
{
    const char *frame = cdp_str(m->params, "frameId");
    const char *type = cdp_str(m->params, "navigationType");
    const char *disposition = cdp_str(m->params, "disposition");
    if (!frame || !t->target_id || strcmp(frame, t->target_id) != 0)
        return;
    if ((type && (strcmp(type, "sameDocument") == 0 || strcmp(type, "historySameDocument") == 0)) ||
        same_document(t, cdp_str(m->params, "url")))
        return; /* (history)sameDocument, a fragment: the document stays */
    if (disposition && strcmp(disposition, "currentTab") != 0)
        return; /* a new tab or window, a download */
    t->nav_pending = 1;
    t->nav_seq++;
}

static void on_frame_navigated(bx_tab *t, const cdp_msg *m)
{
    yajl_val f = cdp_get(m->params, "frame");
    if (cdp_str(f, "parentId"))
        return;
    const char *url = cdp_str(f, "url");
    bx_net_navigated(t, cdp_str(f, "loaderId"));
    t->nav_seq++;
    t->doc_seq++; /* frames announced from now on are the new document's (bx_frame_marker) */
    t->left_url = t->doc_url;
    t->doc_url = url && strncmp(url, "http", 4) == 0
                     ? with_route(&t->arena, url, cdp_str(f, "urlFragment"))
                     : NULL; /* named as its page: a hash route's beacons are on its route */
    t->nav_pending = 0;
    if (url && strcmp(url, "about:blank") == 0)
        t->blank = 1;
    if (url && strncmp(url, "chrome-error:", 13) == 0 && !t->nav_failed) {
        t->nav_failed = 1; /* the browser's own error page: DNS, refused, redirect loop… */
        t->nav_error = "the browser showed its error page";
    }
    if (!url || strcmp(url, "about:blank") == 0 || strncmp(url, "chrome-error:", 13) == 0)
        return;
    t->top_url = with_route(&t->arena, url, cdp_str(f, "urlFragment"));
    if (!t->top_url)
        return;
    const char *loader = cdp_str(f, "loaderId");
    for (bx_visit *v = t->visits; v; v = v->next)
        if (strcmp(v->url, t->top_url) == 0) {
            if (loader) /* loaded again (a reload, a form answered by its own URL) */
                v->loader = pw_arena_strdup(&t->arena, loader);
            return;
        }
    bx_visit *v = pw_arena_calloc(&t->arena, 1, sizeof *v);
    if (!v)
        return;
    v->url = t->top_url;
    v->loader = loader ? pw_arena_strdup(&t->arena, loader) : NULL;
    v->next = t->visits;
    t->visits = v;
}

void bx_on_event(void *ctx, const cdp_msg *m)
{
    bx_browser *b = ctx;
    const char *ev = m->method;
    if (strcmp(ev, "Target.attachedToTarget") == 0) {
        if (m->session)
            on_attached(b, m);
        else
            on_attached_browser(b, m);
        return;
    }
    if (strcmp(ev, "Target.detachedFromTarget") == 0) {
        const char *s = cdp_str(m->params, "sessionId");
        int gone = s ? bx_tab_of_session(b, s) : -1;
        if (gone >= 0) { /* a removed frame or ended worker: its requests will not end */
            bx_net_session_gone(&b->tabs[gone], s);
            frame_session_gone(&b->tabs[gone], cdp_str(m->params, "targetId"));
        }
        if (s)
            bx_session_remove(b, s);
        return;
    }
    if (!m->session && strcmp(ev, "Fetch.requestPaused") == 0) {
        bx_fetch_paused_browser(b, m);
        return;
    }
    int ti = bx_tab_of_session(b, m->session);
    if (ti < 0)
        return;
    bx_tab *t = &b->tabs[ti];
    int top = t->session && m->session && strcmp(t->session, m->session) == 0;
    int record = t->active && b->deliver; /* login requests carry credentials: not kept */
    if (strcmp(ev, "Fetch.requestPaused") == 0) {
        bx_fetch_paused(b, t, m);
        return;
    }
    if (strcmp(ev, "Debugger.paused") == 0) { /* a worker before its first script (on_attached):
                                               * it is let go whatever the shim does */
        bx_worker_shims(b, m->session);
        cdp_send(b->conn, m->session, "Debugger.resume", "{}", NULL, NULL, NULL);
        cdp_send(b->conn, m->session, "Debugger.disable", "{}", NULL, NULL, NULL);
        return;
    }
    if (strcmp(ev, "Page.javascriptDialogOpening") == 0) {
        cdp_send(b->conn, m->session, "Page.handleJavaScriptDialog", "{\"accept\":true}", NULL,
                 NULL, NULL);
        return;
    }
    if (!t->active)
        return; /* between tasks: nothing is recorded */
    if (strncmp(ev, "Network.", 8) == 0)
        bx_net_event(t, m); /* requests in flight, for the settle (login included) */
    if (record && strcmp(ev, "Network.requestWillBeSent") == 0)
        on_request(b, t, m);
    else if (record && strcmp(ev, "Network.responseReceived") == 0)
        on_response(t, m);
    else if (record && strcmp(ev, "Network.loadingFailed") == 0)
        on_failed(t, m);
    else if (record && strcmp(ev, "Network.webSocketCreated") == 0)
        on_socket(t, m);
    else if (record && strcmp(ev, "Network.webSocketFrameSent") == 0)
        on_socket_sent(b, t, m);
    else if (top && strcmp(ev, "Page.loadEventFired") == 0)
        t->loaded = 1;
    else if (strcmp(ev, "Page.frameAttached") == 0)
        on_frame_attached(t, m);
    else if (top && strcmp(ev, "Page.frameNavigated") == 0)
        on_frame_navigated(t, m);
    else if (strcmp(ev, "Page.frameNavigated") == 0)
        popup_navigated(t, m);
    else if (top && (strcmp(ev, "Page.frameStartedNavigating") == 0 ||
                     strcmp(ev, "Page.frameRequestedNavigation") == 0))
        on_nav_started(t, m);
    else if (top && strcmp(ev, "Inspector.targetCrashed") == 0)
        t->crashed = 1;
}
