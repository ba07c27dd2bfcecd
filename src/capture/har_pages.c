/*
 * har_pages.c — the HAR reader's page table: log.pages[] records (id, title, startedDateTime)
 * and the page URL each entry is attributed to. Chrome writes the page URL as the page's title;
 * Firefox and Safari write the document title, so the URL comes from the page's first document
 * request. A page is delivered to the sink once, as soon as its URL is known. Also the site
 * comparison that keeps a vendor's iframe document from starting a page of its own.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "capture/har_internal.h"
#include "phiwall/url.h"

void har_pages_init(har_pages *t)
{
    memset(t, 0, sizeof *t);
    pw_arena_init(&t->arena, 0);
}

static void free_hops(har_page *p);

void har_pages_free(har_pages *t)
{
    for (size_t i = 0; i < t->n; i++) /* pages the read never delivered (an error, a cut log) */
        free_hops(t->v[i]);
    free(t->v);
    free(t->by_id);
    pw_arena_free(&t->arena);
    memset(t, 0, sizeof *t);
}

static har_page *push_page(har_pages *t)
{
    if (t->n == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 16;
        har_page **v = realloc(t->v, cap * sizeof *v);
        if (!v)
            return NULL;
        t->v = v;
        t->cap = cap;
    }
    har_page *p = pw_arena_calloc(&t->arena, 1, sizeof *p);
    if (!p)
        return NULL;
    t->last = t->n;
    t->v[t->n++] = p;
    return p;
}

static size_t id_hash(const char *id) /* FNV-1a */
{
    uint64_t h = 14695981039346656037u;
    for (const unsigned char *c = (const unsigned char *)id; *c; c++)
        h = (h ^ *c) * 1099511628211u;
    return (size_t)(h ^ (h >> 29));
}

/* The slot of id in the index: the one holding it, or the empty one where it would go. */
static uint32_t *id_slot(const har_pages *t, const char *id)
{
    size_t mask = t->by_id_cap - 1;
    for (size_t i = id_hash(id) & mask;; i = (i + 1) & mask) {
        uint32_t *slot = &t->by_id[i];
        if (!*slot || strcmp(t->v[*slot - 1]->id, id) == 0)
            return slot;
    }
}

/* Room in the index for one more id (rebuilt twice as large past half full). */
static int index_reserve(har_pages *t)
{
    if (t->n >= UINT32_MAX - 1)
        return 0;
    if ((t->n_ids + 1) * 2 <= t->by_id_cap)
        return 1;
    size_t cap = t->by_id_cap ? t->by_id_cap * 2 : 64;
    uint32_t *old = t->by_id;
    t->by_id = calloc(cap, sizeof *t->by_id);
    if (!t->by_id) {
        t->by_id = old;
        return 0;
    }
    free(old);
    t->by_id_cap = cap;
    for (size_t i = 0; i < t->n; i++)
        if (t->v[i]->id)
            *id_slot(t, t->v[i]->id) = (uint32_t)(i + 1);
    return 1;
}

har_page *har_pages_get(har_pages *t, const char *id, int create)
{
    if (t->last < t->n && t->v[t->last]->id && strcmp(t->v[t->last]->id, id) == 0)
        return t->v[t->last];
    uint32_t *slot = t->by_id_cap ? id_slot(t, id) : NULL;
    if (slot && *slot) {
        t->last = *slot - 1;
        return t->v[t->last];
    }
    if (!create || !index_reserve(t))
        return NULL;
    har_page *p = push_page(t);
    if (!p || !(p->id = pw_arena_strdup(&t->arena, id)))
        return NULL;
    *id_slot(t, id) = (uint32_t)t->n;
    t->n_ids++;
    return p;
}

har_page *har_pages_add_anonymous(har_pages *t, const char *url, double ts)
{
    har_page *p = push_page(t);
    if (!p || !(p->url = pw_arena_strdup(&t->arena, url)))
        return NULL;
    p->ts = ts;
    return p;
}

void har_pages_note(har_pages *t, har_page *p)
{
    for (size_t i = 0; i < t->n_recent; i++) /* the latest first: most entries stop there */
        if (t->recent[(t->next + HAR_RECENT - 1 - i) % HAR_RECENT].p == p &&
            t->recent[(t->next + HAR_RECENT - 1 - i) % HAR_RECENT].url == p->url)
            return;
    t->recent[t->next] = (har_recent){p, p->url};
    t->next = (t->next + 1) % HAR_RECENT;
    if (t->n_recent < HAR_RECENT)
        t->n_recent++;
}

size_t har_origin_len(const char *u)
{
    const char *host = strncmp(u, "https://", 8) == 0  ? u + 8
                       : strncmp(u, "http://", 7) == 0 ? u + 7
                                                       : NULL;
    return host ? (size_t)(host + strcspn(host, "/?#") - u) : 0;
}

const har_recent *har_pages_find(const har_pages *t, const har_page *only, const char *url,
                                 size_t origin_len)
{
    for (size_t i = 0; i < t->n_recent; i++) {
        const har_recent *r = &t->recent[(t->next + HAR_RECENT - 1 - i) % HAR_RECENT];
        if ((only && r->p != only) || r->p->fixed_url)
            continue;
        if (origin_len
                ? har_origin_len(r->url) == origin_len && strncmp(r->url, url, origin_len) == 0
                : strcmp(r->url, url) == 0)
            return r;
    }
    return NULL;
}

int har_page_hold(har_page *p, const pw_request *r)
{
    har_held *hop = har_held_copy(r, NULL, NULL, NULL);
    if (!hop)
        return 0;
    hop->next = NULL;
    if (!p->hops_tail)
        p->hops_tail = &p->hops;
    *p->hops_tail = hop;
    p->hops_tail = &hop->next;
    return 1;
}

static void free_hops(har_page *p)
{
    for (har_held *h = p->hops, *next; h; h = next) {
        next = h->next;
        free(h);
    }
    p->hops = NULL;
    p->hops_tail = NULL;
}

pw_status har_page_emit(har_page *p, const pw_capture_sink *sink, size_t *n_emitted, pw_err *err)
{
    if (p->emitted || !p->url)
        return PW_OK;
    p->emitted = 1;
    (*n_emitted)++;
    pw_page page = {.url = p->url,
                    .title = p->title,
                    .timestamp = p->ts,
                    .has_login_form = p->has_login_form,
                    .after_login = p->after_login,
                    .has_session_cookie = p->has_session_cookie};
    pw_status st = sink->on_page ? sink->on_page(sink->ctx, &page, err) : PW_OK;
    for (har_held *h = p->hops; h && st == PW_OK; h = h->next) {
        h->r.page_url = p->url;
        st = sink->on_request ? sink->on_request(sink->ctx, &h->r, err) : PW_OK;
    }
    free_hops(p);
    return st;
}

/* ---- the time-order window ---- */

static size_t str_size(const char *s)
{
    return s ? strlen(s) + 1 : 0;
}

/* Copy s to *w (moved on past it); NULL stays NULL. */
static const char *put_str(char **w, const char *s)
{
    if (!s)
        return NULL;
    size_t n = strlen(s) + 1;
    char *d = memcpy(*w, s, n);
    *w += n;
    return d;
}

har_held *har_held_copy(const pw_request *r, const char *pageref, const char *content_mime,
                        const char *init_type)
{
    size_t size = sizeof(har_held) + r->n_headers * sizeof(pw_header) + r->body_len +
                  str_size(r->method) + str_size(r->url) + str_size(r->content_type) +
                  str_size(r->frame_url) + str_size(r->resource_type) + str_size(r->initiator) +
                  str_size(r->error) + str_size(r->redirect_url) + str_size(pageref) +
                  str_size(content_mime) + str_size(init_type);
    for (size_t i = 0; i < r->n_headers; i++)
        size += str_size(r->headers[i].name) + str_size(r->headers[i].value);
    har_held *x = malloc(size);
    if (!x)
        return NULL;
    x->r = *r;
    x->r.page_url = NULL;
    pw_header *hd = (pw_header *)(x + 1);
    char *w = (char *)(hd + r->n_headers);
    x->r.headers = r->n_headers ? hd : NULL;
    for (size_t i = 0; i < r->n_headers; i++)
        hd[i] = (pw_header){put_str(&w, r->headers[i].name), put_str(&w, r->headers[i].value)};
    if (r->body_len) {
        x->r.body = memcpy(w, r->body, r->body_len);
        w += r->body_len;
    } else {
        x->r.body =
            r->body ? (const unsigned char *)"" : NULL; /* an empty body is no body-less request */
    }
    x->r.method = put_str(&w, r->method);
    x->r.url = put_str(&w, r->url);
    x->r.content_type = put_str(&w, r->content_type);
    x->r.frame_url = put_str(&w, r->frame_url);
    x->r.resource_type = put_str(&w, r->resource_type);
    x->r.initiator = put_str(&w, r->initiator);
    x->r.error = put_str(&w, r->error);
    x->r.redirect_url = put_str(&w, r->redirect_url);
    x->pageref = put_str(&w, pageref);
    x->content_mime = put_str(&w, content_mime);
    x->init_type = put_str(&w, init_type);
    x->cost = size;
    x->t = 0;
    x->serial = 0;
    return x;
}

static int held_before(const har_held *a, const har_held *b)
{
    return a->t < b->t || (a->t == b->t && a->serial < b->serial);
}

int har_window_push(har_window *w, har_held *x)
{
    if (w->n == w->cap) {
        size_t cap = w->cap ? w->cap * 2 : 64;
        har_held **v = realloc(w->v, cap * sizeof *v);
        if (!v) {
            free(x);
            return 0;
        }
        w->v = v;
        w->cap = cap;
    }
    /* a time the recorder did not give (or one outside 1990–2200: a placeholder) sorts as the
     * latest before it: the entry keeps its place among its neighbours */
    double t = x->r.timestamp;
    if (!(t >= 631152000.0 && t < 7258118400.0))
        t = w->latest;
    else if (t > w->latest)
        w->latest = t;
    x->t = t;
    x->serial = w->serial++;
    size_t i = w->n++;
    for (; i > 0 && held_before(x, w->v[(i - 1) / 2]); i = (i - 1) / 2)
        w->v[i] = w->v[(i - 1) / 2];
    w->v[i] = x;
    w->bytes += x->cost;
    return 1;
}

int har_window_full(const har_window *w)
{
    return w->n > HAR_WINDOW_MAX || w->bytes > HAR_WINDOW_BYTES;
}

har_held *har_window_pop(har_window *w)
{
    if (!w->n)
        return NULL;
    har_held *top = w->v[0], *last = w->v[--w->n];
    size_t i = 0;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= w->n)
            break;
        if (c + 1 < w->n && held_before(w->v[c + 1], w->v[c]))
            c++;
        if (!held_before(w->v[c], last))
            break;
        w->v[i] = w->v[c];
        i = c;
    }
    if (w->n)
        w->v[i] = last;
    w->bytes -= top->cost;
    return top;
}

void har_window_free(har_window *w)
{
    for (size_t i = 0; i < w->n; i++)
        free(w->v[i]);
    free(w->v);
    memset(w, 0, sizeof *w);
}

int har_looks_like_url(const char *s)
{
    return s && (strncmp(s, "http://", 7) == 0 || strncmp(s, "https://", 8) == 0);
}

static int is_ip(const char *host)
{
    if (host[0] == '[' || strchr(host, ':'))
        return 1;
    return strspn(host, "0123456789.") == strlen(host);
}

/* The guessed site of a host without a public-suffix list: its last two labels, or three when
 * the last is a two-letter country code under a short second level (co.uk, com.au, org.br). */
static const char *guess_site(const char *host)
{
    if (is_ip(host))
        return host;
    const char *dots[3] = {NULL, NULL, NULL}; /* last, second-last, third-last dot */
    for (const char *p = host; *p; p++)
        if (*p == '.') {
            dots[2] = dots[1];
            dots[1] = dots[0];
            dots[0] = p;
        }
    if (!dots[1])
        return host;
    size_t tld = strlen(dots[0] + 1), second = (size_t)(dots[0] - dots[1] - 1);
    if (tld == 2 && second <= 3)
        return dots[2] ? dots[2] + 1 : host;
    return dots[1] + 1;
}

static const char *site_key(pw_arena *a, const char *url, har_site_fn site_of, void *ctx)
{
    pw_url u;
    if (!url || pw_url_parse(url, strlen(url), &u, NULL) != PW_OK)
        return NULL;
    char *host = pw_url_host_dup(a, &u);
    if (!host)
        return NULL;
    char *key = site_of ? site_of(ctx, a, host) : NULL;
    return key ? key : guess_site(host);
}

int har_same_site(pw_arena *a, const char *url_a, const char *url_b, har_site_fn site_of, void *ctx)
{
    const char *ka = site_key(a, url_a, site_of, ctx);
    const char *kb = site_key(a, url_b, site_of, ctx);
    return !ka || !kb || strcmp(ka, kb) == 0;
}

static int digits(const char *s, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return 0;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 1;
}

double har_parse_time(const char *s)
{
    int Y, M, D, h, m, sec;
    if (!s || strlen(s) < 19 || !digits(s, 4, &Y) || s[4] != '-' || !digits(s + 5, 2, &M) ||
        s[7] != '-' || !digits(s + 8, 2, &D) || (s[10] != 'T' && s[10] != ' ') ||
        !digits(s + 11, 2, &h) || s[13] != ':' || !digits(s + 14, 2, &m) || s[16] != ':' ||
        !digits(s + 17, 2, &sec))
        return 0;
    struct tm tm = {.tm_year = Y - 1900,
                    .tm_mon = M - 1,
                    .tm_mday = D,
                    .tm_hour = h,
                    .tm_min = m,
                    .tm_sec = sec};
    double t = (double)timegm(&tm);
    const char *p = s + 19;
    if (*p == '.') {
        double scale = 0.1;
        for (p++; *p >= '0' && *p <= '9'; p++, scale /= 10)
            t += (*p - '0') * scale;
    }
    /* the offset: "+02:00", "-0500" or "+02" (ISO 8601 allows all three; "Z" or none is UTC) */
    int oh, om = 0;
    if ((*p == '+' || *p == '-') && digits(p + 1, 2, &oh)) {
        const char *mm = p[3] == ':' ? p + 4 : p + 3;
        if ((*mm && !digits(mm, 2, &om)) || oh > 23 || om > 59)
            return t; /* not an offset we can read: as before, UTC */
        t -= (*p == '+' ? 1 : -1) * (oh * 3600.0 + om * 60.0);
    }
    return t;
}
