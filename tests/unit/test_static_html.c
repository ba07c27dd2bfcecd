/*
 * test_static_html.c — static triage's reading of hostile and real-world HTML: the bound on what
 * libgumbo is given (nesting 100,000 deep is cut, with a gap saying why, instead of hours of
 * CPU), and URLs taken from HTML cleaned the WHATWG way (a newline inside a pixel URL).
 */
#include <stdlib.h>
#include <string.h>

#include "capture/static_bound.h"
#include "phiwall/static_scan.h"
#include "phiwall/url.h"
#include "pw_test.h"

typedef struct seen {
    int pages, gaps;
    char gap[256];
    char urls[8][512];
    int n;
} seen;

static pw_status on_page(void *ctx, const pw_page *p, pw_err *err)
{
    (void)p, (void)err;
    ((seen *)ctx)->pages++;
    return PW_OK;
}

static pw_status on_req(void *ctx, const pw_request *r, pw_err *err)
{
    (void)err;
    seen *s = ctx;
    if (s->n < 8)
        snprintf(s->urls[s->n++], sizeof s->urls[0], "%s", r->url);
    return PW_OK;
}

static void on_gap(void *ctx, const pw_capture_gap *g)
{
    seen *s = ctx;
    s->gaps++;
    snprintf(s->gap, sizeof s->gap, "%s %s: %s", pw_gap_kind_name(g->kind), g->url, g->error);
}

static int has(const seen *s, const char *needle)
{
    for (int i = 0; i < s->n; i++)
        if (strstr(s->urls[i], needle))
            return 1;
    return 0;
}

/* "<html><head>PIXEL</head><body>" + n × "<div>" */
static char *deep_page(size_t n, size_t *len)
{
    static const char head[] = "<html><head><script src=\"https://connect.facebook.net/en_US/"
                               "fbevents.js\"></script></head><body>";
    size_t hn = sizeof head - 1;
    char *p = malloc(hn + n * 5 + 1);
    memcpy(p, head, hn);
    for (size_t i = 0; i < n; i++)
        memcpy(p + hn + i * 5, "<div>", 5);
    *len = hn + n * 5;
    p[*len] = '\0';
    return p;
}

/* The work libgumbo is given is bounded by the nesting it sees: the kept bytes of a page
 * 100,000 deep, read again, are under the limit (the counter), and the cut is near it. */
static void test_bound_deep(void)
{
    size_t len;
    char *page = deep_page(100000, &len);
    pw_sx_bound b;
    pw_sx_bound_html(page, len, &b);
    CHECK(b.why != NULL);
    CHECK(b.keep < len);
    CHECK(b.keep < 2000 + PW_SX_MAX_DEPTH * 5);
    pw_sx_bound again;
    pw_sx_bound_html(page, b.keep, &again);
    CHECK(again.why == NULL);
    CHECK(again.max_depth <= PW_SX_MAX_DEPTH);
    CHECK(again.max_depth >= PW_SX_MAX_DEPTH - 2);

    /* the whole extract: the tag before the cut is found, the cut is a gap naming why */
    seen s = {0};
    pw_capture_sink sink = {on_page, on_req, &s, on_gap};
    CHECK_INT(pw_static_extract("https://h.org/deep", page, len, &sink, NULL, NULL, NULL), PW_OK);
    CHECK_INT(s.pages, 1);
    CHECK(has(&s, "connect.facebook.net/en_US/fbevents.js"));
    CHECK_INT(s.gaps, 1);
    CHECK(strstr(s.gap, "page https://h.org/deep: elements nested deeper than 1024") != NULL);
    free(page);
}

/* Real pages are not cut: flat markup, void elements, elements the parser closes itself,
 * comments and scripts with tags in them count as no nesting. */
static void test_bound_real_pages(void)
{
    size_t n = 20000, len = 0;
    char *p = malloc(n * 64 + 64);
    len += (size_t)sprintf(p, "<html><body><ul>");
    for (size_t i = 0; i < n; i++)
        len += (size_t)sprintf(p + len, "<li><p>x<br><img src=a><!-- <div> --><script>'<div>'"
                                        "</script>");
    pw_sx_bound b;
    pw_sx_bound_html(p, len, &b);
    CHECK(b.why == NULL);
    CHECK_INT(b.keep, len);
    CHECK(b.max_depth <= 4);
    free(p);

    /* past the tag limit (flat): cut too */
    size_t m = PW_SX_MAX_TAGS + 10;
    char *q = malloc(m * 4 + 1);
    for (size_t i = 0; i < m; i++)
        memcpy(q + i * 4, "<br>", 4);
    pw_sx_bound t;
    pw_sx_bound_html(q, m * 4, &t);
    CHECK(t.why != NULL && strstr(t.why, "tags"));
    CHECK_INT(t.keep, (size_t)PW_SX_MAX_TAGS * 4);
    free(q);
}

/* March of Dimes' noscript pixel: a newline inside the src; browsers send ev=PageView. */
static void test_url_newline(void)
{
    static const char html[] =
        "<html><body><noscript><img height=\"1\" width=\"1\" style=\"display:none\" "
        "src=\"https://www.facebook.com/tr?id=1621384747882069&amp;ev=PageView\n"
        "&amp;noscript=1\"/></noscript><script src=\"\t/js/a\r\nb.js \"></script></body></html>";
    seen s = {0};
    pw_capture_sink sink = {on_page, on_req, &s, on_gap};
    CHECK_INT(pw_static_extract("https://h.org/", html, sizeof html - 1, &sink, NULL, NULL, NULL),
              PW_OK);
    CHECK(has(&s, "tr?id=1621384747882069&ev=PageView&noscript=1"));
    CHECK(has(&s, "https://h.org/js/ab.js"));
    for (int i = 0; i < s.n; i++)
        CHECK(strpbrk(s.urls[i], "\t\r\n ") == NULL);

    pw_arena a;
    pw_arena_init(&a, 0);
    CHECK_STR(pw_url_resolve(&a, "https://h.org/x/", "\x01 a\tb\n?c=\rd \x1f"),
              "https://h.org/x/ab?c=d");
    CHECK_STR(pw_url_resolve(&a, "https://h.org/", " https://o.org/p\n\tq "), "https://o.org/pq");
    CHECK(pw_url_resolve(&a, "https://h.org/", "java\nscript:alert(1)") == NULL);
    pw_arena_free(&a);
}

PW_TEST_MAIN(PW_TEST(test_bound_deep), PW_TEST(test_bound_real_pages), PW_TEST(test_url_newline))
