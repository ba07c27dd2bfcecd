/*
 * browser_settle.c — the network-aware settle of the browser scan. Each tab keeps the requests it
 * has in flight (Network.requestWillBeSent adds, loadingFinished/loadingFailed remove; a redirect
 * keeps its requestId and is counted once; a replaced document's and a detached frame's requests
 * are dropped, the browser never ends them) and the time of its last request start or end. After
 * a load or an interaction step the scan waits at least the settle time, then until every active
 * tab is quiet: no request started or ended within the quiet window, no document or script still
 * loading (its code may send beacons once it arrives), at most BX_FLIGHT_ALLOWED other requests
 * in flight (long polls, event streams, media may stay open). The wait is capped (logged with
 * the page that kept it waiting), and a request still in flight at the cap counts as long-lived
 * from then on, so a stuck request costs one capped wait, not one per step. A request never
 * turns long-lived by its age alone within a wait: which wait it holds would depend on timing.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "capture/browser_int.h"

#define BX_QUIET_MS      500  /* no request started or ended for this long: quiet */
#define BX_SETTLE_MAX_MS 5000 /* the cap is at least this, or 4 × the settle time */

/* ---- requests in flight ------------------------------------------------------------------- */

/* Documents (frames) and scripts run code when they arrive: a tracker loader still in flight is
 * what sends the next beacon, so the page is not quiet until it ended. */
static int holds_page(const char *type)
{
    return type && (strcmp(type, "Document") == 0 || strcmp(type, "Script") == 0);
}

static bx_flight *find_flight(bx_tab *t, const char *request_id)
{
    for (bx_flight *f = t->flights; f; f = f->next)
        if (strcmp(f->request_id, request_id) == 0)
            return f;
    return NULL;
}

static void flight_started(bx_tab *t, const cdp_msg *m)
{
    const char *id = cdp_str(m->params, "requestId");
    const char *url = cdp_str(m->params, "request.url");
    if (!id || !url || strncmp(url, "data:", 5) == 0 || strncmp(url, "blob:", 5) == 0)
        return;
    t->net_last_ms = cdp_now_ms();
    if (bx_is_unload_marker(url))
        return; /* phiwall's own, answered at its pause: one of a removed frame may never end */
    if (t->b && !t->b->tag_manager)
        t->b->tag_manager = bx_tag_manager_of(url);
    if (find_flight(t, id))
        return; /* a redirect: the same request goes on */
    bx_flight *f = t->flights_free;
    if (f)
        t->flights_free = f->next;
    else
        f = pw_arena_alloc(&t->arena, sizeof *f);
    if (!f)
        return;
    f->request_id = pw_arena_strdup(&t->arena, id);
    f->session = m->session ? pw_arena_strdup(&t->arena, m->session) : NULL;
    f->url = pw_arena_strdup(&t->arena, url);
    const char *loader = cdp_str(m->params, "loaderId");
    f->loader = loader ? pw_arena_strdup(&t->arena, loader) : NULL;
    f->holds = holds_page(cdp_str(m->params, "type"));
    f->long_lived = 0;
    if (!f->request_id) {
        f->next = t->flights_free;
        t->flights_free = f;
        return;
    }
    f->next = t->flights;
    t->flights = f;
    f->started_ms = t->net_last_ms;
    t->n_flight++;
}

static void flight_remove(bx_tab *t, bx_flight **link)
{
    bx_flight *f = *link;
    *link = f->next;
    t->n_flight--;
    f->next = t->flights_free;
    t->flights_free = f;
}

static void flight_ended(bx_tab *t, const cdp_msg *m)
{
    const char *id = cdp_str(m->params, "requestId");
    if (!id)
        return;
    for (bx_flight **link = &t->flights; *link; link = &(*link)->next) {
        if (strcmp((*link)->request_id, id) == 0) {
            flight_remove(t, link);
            t->net_last_ms = cdp_now_ms();
            return;
        }
    }
}

void bx_net_event(bx_tab *t, const cdp_msg *m)
{
    const char *ev = m->method;
    if (strcmp(ev, "Network.requestWillBeSent") == 0)
        flight_started(t, m);
    else if (strcmp(ev, "Network.loadingFinished") == 0 || strcmp(ev, "Network.loadingFailed") == 0)
        flight_ended(t, m);
}

void bx_net_session_gone(bx_tab *t, const char *session)
{
    bx_flight **link = &t->flights;
    while (*link) {
        if ((*link)->session && strcmp((*link)->session, session) == 0)
            flight_remove(t, link);
        else
            link = &(*link)->next;
    }
}

/* The browser reports no end for the requests of a document it replaced: when the top frame
 * commits a new document, the requests of every other document (the old page and its frames)
 * are gone. */
void bx_net_navigated(bx_tab *t, const char *loader)
{
    bx_flight **link = &t->flights;
    while (*link) {
        if (!loader || !(*link)->loader || strcmp((*link)->loader, loader) != 0)
            flight_remove(t, link);
        else
            link = &(*link)->next;
    }
}

/* ---- frames' unload markers ---------------------------------------------------------------- */

void bx_frame_marker(bx_tab *t, const char *id, size_t len, int marked)
{
    bx_frame_mark *f = t->frame_marks;
    while (f && (strlen(f->id) != len || memcmp(f->id, id, len) != 0))
        f = f->next;
    if (!f) { /* announced (or its marker came first: the pauses may cross) */
        if (t->n_frame_marks >= BX_FRAME_MARKS_MAX)
            return; /* a page of thousands of frames: the others are not waited for */
        f = pw_arena_calloc(&t->arena, 1, sizeof *f);
        if (!f || !(f->id = pw_arena_strndup(&t->arena, id, len)))
            return;
        f->doc_seq = t->doc_seq;
        f->next = t->frame_marks;
        t->frame_marks = f;
        t->n_frame_marks++;
    }
    if (marked)
        f->marked = 1;
    else
        f->ran = 1;
}

/* ---- the wait ----------------------------------------------------------------------------- */

/* Tag managers (the catalog's Google Tag Manager and gtag.js, Tealium iQ, Adobe Launch) start tags
 * on their own timers, later than any settle may wait: a scan that saw one says so in its report.
 */
const char *bx_tag_manager_of(const char *url)
{
    static const struct {
        const char *needle, *name;
    } tms[] = {{"googletagmanager.com/gtm.js", "Google Tag Manager"},
               {"googletagmanager.com/gtag/js", "Google Tag Manager (gtag.js)"},
               {"tags.tiqcdn.com/", "Tealium iQ"},
               {"assets.adobedtm.com/", "Adobe Launch"}};
    for (size_t i = 0; i < sizeof tms / sizeof tms[0]; i++)
        if (strstr(url, tms[i].needle))
            return tms[i].name;
    return NULL;
}

int bx_settle_base(const bx_browser *b)
{
    return b->o->settle_ms > 0 ? b->o->settle_ms : 1000;
}

int bx_settle_max(const bx_browser *b)
{
    int four = bx_settle_base(b) > INT_MAX / 4 ? INT_MAX : bx_settle_base(b) * 4;
    return four > BX_SETTLE_MAX_MS ? four : BX_SETTLE_MAX_MS;
}

/* Half the settle time, at most BX_QUIET_MS: a short --settle asks for a fast scan. */
static int quiet_ms(const bx_browser *b)
{
    int half = bx_settle_base(b) / 2;
    return half < BX_QUIET_MS ? half : BX_QUIET_MS;
}

static int counts(const bx_tab *t)
{
    return t->active && !t->crashed && !t->nav_failed;
}

long long bx_net_quiet_at(const bx_tab *t, int quiet)
{
    size_t others = 0;
    for (const bx_flight *f = t->flights; f; f = f->next) {
        if (f->long_lived)
            continue;
        if (f->holds || ++others > BX_FLIGHT_ALLOWED)
            return LLONG_MAX;
    }
    return t->net_last_ms + quiet;
}

static long long all_quiet_at(bx_browser *b, int quiet)
{
    long long at = 0;
    for (int i = 0; i < b->n_tabs; i++) {
        long long q = counts(&b->tabs[i]) ? bx_net_quiet_at(&b->tabs[i], quiet) : 0;
        if (q > at)
            at = q;
    }
    return at;
}

/* The cap: log each tab still busy with the page that kept it waiting; what is in flight now
 * is long-lived from here on. */
static void cap_reached(bx_browser *b, int waited, int quiet)
{
    long long now = cdp_now_ms();
    for (int i = 0; i < b->n_tabs; i++) {
        bx_tab *t = &b->tabs[i];
        if (!counts(t))
            continue;
        if (bx_net_quiet_at(t, quiet) > now) {
            size_t docs = 0;
            for (const bx_flight *f = t->flights; f; f = f->next)
                docs += f->holds != 0;
            const char *page = t->top_url ? t->top_url : t->task.url;
            const char *busy = t->flights ? t->flights->url : "(requests starting and ending)";
            bx_log(b,
                   "settle: %s: network still busy after %d ms (%zu requests in flight, %zu "
                   "documents or scripts; last: %.200s): going on",
                   page ? page : "?", waited, t->n_flight, docs, busy);
        }
        for (bx_flight *f = t->flights; f; f = f->next)
            f->long_lived = 1;
    }
}

void bx_settle(bx_browser *b, int min_ms, int max_ms)
{
    long long start = cdp_now_ms();
    long long min_end = start + min_ms;
    long long cap = start + (max_ms > min_ms ? max_ms : min_ms);
    int quiet = quiet_ms(b);
    while (!cdp_conn_dead(b->conn)) {
        long long now = cdp_now_ms();
        long long wake = min_end;
        if (now >= min_end) {
            wake = all_quiet_at(b, quiet);
            if (wake <= now) {
                if (now - min_end > quiet)
                    bx_log(b, "settle: the network was quiet after %lld ms", now - start);
                return;
            }
            if (now >= cap) {
                cap_reached(b, (int)(now - start), quiet);
                return;
            }
        }
        cdp_pump(b->conn, wake < cap ? wake : cap, NULL);
    }
}
