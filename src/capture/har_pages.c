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

void har_pages_free(har_pages *t)
{
    free(t->v);
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

har_page *har_pages_get(har_pages *t, const char *id, int create)
{
    if (t->last < t->n && t->v[t->last]->id && strcmp(t->v[t->last]->id, id) == 0)
        return t->v[t->last];
    for (size_t i = t->n; i-- > 0;) {
        if (t->v[i]->id && strcmp(t->v[i]->id, id) == 0) {
            t->last = i;
            return t->v[i];
        }
    }
    if (!create)
        return NULL;
    har_page *p = push_page(t);
    if (p && !(p->id = pw_arena_strdup(&t->arena, id)))
        return NULL;
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

struct har_hop {
    struct har_hop *next;
    pw_request r;
};

static const char *dup_or_null(pw_arena *a, const char *s, int *failed)
{
    char *d = s ? pw_arena_strdup(a, s) : NULL;
    *failed |= s && !d;
    return d;
}

int har_page_hold(har_pages *t, har_page *p, const pw_request *r)
{
    pw_arena *a = &t->arena;
    struct har_hop *hop = pw_arena_calloc(a, 1, sizeof *hop);
    pw_header *hd = r->n_headers ? pw_arena_calloc(a, r->n_headers, sizeof *hd) : NULL;
    if (!hop || (r->n_headers && !hd))
        return 0;
    int failed = 0;
    hop->r = *r;
    for (size_t i = 0; i < r->n_headers; i++)
        hd[i] = (pw_header){dup_or_null(a, r->headers[i].name, &failed),
                            dup_or_null(a, r->headers[i].value, &failed)};
    hop->r.headers = hd;
    hop->r.method = dup_or_null(a, r->method, &failed);
    hop->r.url = dup_or_null(a, r->url, &failed);
    hop->r.content_type = dup_or_null(a, r->content_type, &failed);
    hop->r.frame_url = dup_or_null(a, r->frame_url, &failed);
    hop->r.resource_type = dup_or_null(a, r->resource_type, &failed);
    hop->r.initiator = dup_or_null(a, r->initiator, &failed);
    hop->r.error = dup_or_null(a, r->error, &failed);
    hop->r.redirect_url = dup_or_null(a, r->redirect_url, &failed);
    hop->r.body = r->body_len ? pw_arena_memdup(a, r->body, r->body_len) : NULL;
    if (failed || (r->body_len && !hop->r.body))
        return 0;
    if (!p->hops_tail)
        p->hops_tail = &p->hops;
    *p->hops_tail = hop;
    p->hops_tail = &hop->next;
    return 1;
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
    for (struct har_hop *h = p->hops; h && st == PW_OK; h = h->next) {
        h->r.page_url = p->url;
        st = sink->on_request ? sink->on_request(sink->ctx, &h->r, err) : PW_OK;
    }
    p->hops = NULL;
    p->hops_tail = NULL;
    return st;
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
    int oh, om;
    if ((*p == '+' || *p == '-') && digits(p + 1, 2, &oh) && p[3] == ':' && digits(p + 4, 2, &om))
        t -= (*p == '+' ? 1 : -1) * (oh * 3600.0 + om * 60.0);
    return t;
}
