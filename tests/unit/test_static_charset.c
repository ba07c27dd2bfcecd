/*
 * test_static_charset.c — static triage reads a page as a browser does: in the encoding HTML's
 * sniffing picks (byte order mark, Content-Type charset, <meta> prescan, then UTF-8 or
 * windows-1252), decoded to UTF-8 before libgumbo; its links resolved against <base href> and
 * percent-encoded as that page's browser sends them (path in UTF-8, query in the page's
 * encoding); its <meta http-equiv=refresh> reported to the crawl.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture/static_int.h"
#include "phiwall/arena.h"
#include "pw_test.h"

static const char *sniff(const char *bytes, size_t n, const char *ct, const char **why)
{
    size_t bom;
    return pw_sx_encoding_name(pw_sx_sniff(bytes, n, ct, &bom, why));
}

static void test_labels(void)
{
    /* the web's labels: ISO-8859-1, latin1 and US-ASCII are windows-1252 in every browser */
    CHECK_STR(pw_sx_encoding_name(pw_sx_encoding_for_label("ISO-8859-1", 10)), "windows-1252");
    CHECK_STR(pw_sx_encoding_name(pw_sx_encoding_for_label(" latin1\t", 8)), "windows-1252");
    CHECK_STR(pw_sx_encoding_name(pw_sx_encoding_for_label("us-ascii", 8)), "windows-1252");
    CHECK_STR(pw_sx_encoding_name(pw_sx_encoding_for_label("UTF8", 4)), "UTF-8");
    CHECK_STR(pw_sx_encoding_name(pw_sx_encoding_for_label("sjis", 4)), "Shift_JIS");
    CHECK_STR(pw_sx_encoding_name(pw_sx_encoding_for_label("gb2312", 6)), "GBK");
    CHECK(pw_sx_encoding_for_label("klingon", 7) == NULL);
    CHECK(pw_sx_encoding_for_label("", 0) == NULL);
}

static void test_sniff(void)
{
    const char *why;
    static const char meta[] = "<html><head><meta charset=\"windows-1252\"><title>x</title>";
    /* a byte order mark wins over everything */
    CHECK_STR(sniff("\xEF\xBB\xBFhi", 5, "text/html; charset=windows-1252", &why), "UTF-8");
    CHECK_STR(why, "bom");
    CHECK_STR(sniff("\xFF\xFEh\0", 4, NULL, &why), "UTF-16LE");
    /* then the HTTP charset, over a <meta> */
    CHECK_STR(sniff(meta, sizeof meta - 1, "text/html; Charset=\"ISO-8859-2\"", &why),
              "ISO-8859-2");
    CHECK_STR(why, "http");
    /* an unknown HTTP label is ignored: the <meta> decides */
    CHECK_STR(sniff(meta, sizeof meta - 1, "text/html; charset=bogus", &why), "windows-1252");
    CHECK_STR(why, "meta");
    /* http-equiv form; a <meta> in a comment does not count */
    static const char he[] = "<!-- <meta charset=koi8-r> --><META HTTP-EQUIV='Content-Type' "
                             "CONTENT='text/html; charset=iso-8859-15'>";
    CHECK_STR(sniff(he, sizeof he - 1, "text/html", &why), "ISO-8859-15");
    /* content= without http-equiv=Content-Type is no declaration */
    static const char nop[] = "<meta name=x content='text/html; charset=koi8-r'>caf\xC3\xA9";
    CHECK_STR(sniff(nop, sizeof nop - 1, NULL, &why), "UTF-8");
    CHECK_STR(why, "detected");
    /* <meta charset=utf-16> in an ASCII document means UTF-8 */
    static const char u16[] = "<meta charset=utf-16le>";
    CHECK_STR(sniff(u16, sizeof u16 - 1, NULL, &why), "UTF-8");
    /* nothing declared: invalid UTF-8 is read as windows-1252 */
    CHECK_STR(sniff("<title>C\xE1ncer</title>", 20, "text/html", &why), "windows-1252");
    CHECK_STR(why, "detected");
    /* a <meta charset> after 1024 bytes of <head> (long <link> lists) is still honoured; one in
     * the body after them is not */
    char big[4096];
    int k = snprintf(big, sizeof big, "<html><head>");
    while (k < 1500)
        k += snprintf(big + k, sizeof big - (size_t)k, "<link rel=preload href=/a.css>");
    int at = k;
    snprintf(big + k, sizeof big - (size_t)k, "<meta charset=windows-1251></head>");
    CHECK_STR(sniff(big, strlen(big), NULL, &why), "windows-1251");
    snprintf(big + at, sizeof big - (size_t)at, "<body><p><meta charset=windows-1251>");
    CHECK_STR(sniff(big, strlen(big), NULL, &why), "UTF-8");
}

static char *decode(const char *label, const char *bytes, size_t n)
{
    char *out = NULL;
    size_t on;
    const pw_sx_encoding *e = pw_sx_encoding_for_label(label, strlen(label));
    CHECK(e != NULL);
    if (!e || pw_sx_decode(e, bytes, n, &out, &on, NULL) != PW_OK)
        return NULL;
    CHECK_INT(strlen(out), on);
    return out;
}

static void test_decode(void)
{
    static const char w[] = "C\xE1ncer \x80 \x93x\x94 \x81";
    char *s = decode("windows-1252", w, sizeof w - 1);
    CHECK_STR(s, "C\xC3\xA1ncer \xE2\x82\xAC \xE2\x80\x9Cx\xE2\x80\x9D \xC2\x81");
    free(s);
    s = decode("iso-8859-2", "\xB1", 1); /* ą */
    CHECK_STR(s, "\xC4\x85");
    free(s);
    s = decode("shift_jis", "\x93\xFA\x96\x7B", 4); /* 日本 */
    CHECK_STR(s, "\xE6\x97\xA5\xE6\x9C\xAC");
    free(s);
    /* a sequence the encoding has not: U+FFFD, and on with the next byte; cut short: U+FFFD */
    s = decode("shift_jis",
               "a\xFF"
               "b\x93",
               4);
    CHECK_STR(s, "a\xEF\xBF\xBD"
                 "b\xEF\xBF\xBD");
    free(s);
    s = decode("iso-2022-kr", "anything", 8); /* the replacement encoding */
    CHECK_STR(s, "\xEF\xBF\xBD");
    free(s);
}

static void test_encode_url(void)
{
    pw_arena a;
    pw_arena_init(&a, 0);
    const pw_sx_encoding *w = pw_sx_encoding_for_label("windows-1252", 12);
    const pw_sx_encoding *u = pw_sx_encoding_for_label("utf-8", 5);
    /* path always UTF-8, query in the page's encoding, a character it has not as &#N; */
    CHECK_STR(
        pw_sx_encode_url(
            &a, w,
            "https://h.org/s\xC3\xADntomas?q=c\xC3\xA1ncer&x=\xE2\x82\xAC&y=\xE6\x97\xA5#a b"),
        "https://h.org/s%C3%ADntomas?q=c%E1ncer&x=%80&y=%26%2326085%3B#a%20b");
    CHECK_STR(pw_sx_encode_url(&a, u, "https://h.org/a b/\"x\"?q=c\xC3\xA1ncer 'y'"),
              "https://h.org/a%20b/%22x%22?q=c%C3%A1ncer%20%27y%27");
    const pw_sx_encoding *sj = pw_sx_encoding_for_label("shift_jis", 9);
    CHECK_STR(pw_sx_encode_url(&a, sj, "https://h.org/?q=\xE6\x97\xA5"), "https://h.org/?q=%93%FA");
    /* the host is left alone; URLs needing nothing come back equal */
    CHECK_STR(pw_sx_encode_url(&a, w, "https://h.org/p?q=1%20&r=2"), "https://h.org/p?q=1%20&r=2");
    CHECK_STR(pw_sx_encode_url(&a, w, "mailto:a b"), "mailto:a b");
    pw_arena_free(&a);
}

typedef struct got {
    char title[128];
    char page[256];
    char links[8][256];
    int n;
} got;

static pw_status on_page(void *ctx, const pw_page *p, pw_err *err)
{
    (void)err;
    got *g = ctx;
    snprintf(g->title, sizeof g->title, "%s", p->title ? p->title : "");
    snprintf(g->page, sizeof g->page, "%s", p->url);
    return PW_OK;
}

static void on_link(void *ctx, const char *url, const char *text)
{
    (void)text;
    got *g = ctx;
    if (g->n < 8)
        snprintf(g->links[g->n++], sizeof g->links[0], "%s", url);
}

static void test_extract(void)
{
    /* windows-1252 by HTTP: the title reads right, the link is the one the browser requests */
    static const char cp[] = "<html><head><title>Atenci\xF3n del c\xE1ncer</title></head><body>"
                             "<a href='s\xEDntomas?q=depresi\xF3n'>S</a></body></html>";
    got g = {0};
    pw_capture_sink sink = {on_page, NULL, &g, NULL};
    pw_sx_result res;
    pw_sx_doc d = {"https://h.org/es/", "text/html; charset=ISO-8859-1", cp, sizeof cp - 1};
    CHECK_INT(pw_sx_extract(&d, &sink, on_link, &g, &res, NULL), PW_OK);
    CHECK_STR(res.encoding, "windows-1252");
    CHECK_STR(g.title, "Atenci\xC3\xB3n del c\xC3\xA1ncer");
    CHECK_INT(g.n, 1);
    CHECK_STR(g.links[0], "https://h.org/es/s%C3%ADntomas?q=depresi%F3n");
    CHECK(res.refresh == NULL);

    /* <base href> decides what relative links mean; a refresh is reported resolved */
    static const char base[] = "<head><meta http-equiv=Refresh content=\"0; URL='home.aspx'\">"
                               "<base href='/en/'></head><a href=oncology>O</a>";
    memset(&g, 0, sizeof g);
    pw_sx_doc d2 = {"https://h.org/splash/", "text/html", base, sizeof base - 1};
    CHECK_INT(pw_sx_extract(&d2, &sink, on_link, &g, &res, NULL), PW_OK);
    CHECK_STR(g.links[0], "https://h.org/en/oncology");
    CHECK_STR(g.page, "https://h.org/splash/");
    CHECK_STR(res.refresh ? res.refresh : "", "https://h.org/en/home.aspx");
    CHECK(res.refresh_delay == 0);
    free(res.refresh);

    /* refresh forms: delay only (reloads itself: nothing), url= without quotes, in <noscript>
     * (not for a browser with JavaScript), the first one counts */
    static const struct {
        const char *html;
        const char *want;
        double delay;
    } cases[] = {
        {"<meta http-equiv=refresh content=30>", NULL, 0},
        {"<meta http-equiv=refresh content='5;url=/a b'>", "https://h.org/a%20b", 5},
        {"<meta http-equiv=refresh content='2.5, /b'>", "https://h.org/b", 2},
        {"<noscript><meta http-equiv=refresh content='0;url=/nojs'></noscript>", NULL, 0},
        {"<meta http-equiv=refresh content='0;url=/c'><meta http-equiv=refresh content='0;url=/d'>",
         "https://h.org/c", 0},
        {"<meta http-equiv=refresh content='x;url=/e'>", NULL, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        pw_sx_doc dc = {"https://h.org/p", NULL, cases[i].html, strlen(cases[i].html)};
        CHECK_INT(pw_sx_extract(&dc, &sink, NULL, NULL, &res, NULL), PW_OK);
        CHECK_STR(res.refresh ? res.refresh : "(none)", cases[i].want ? cases[i].want : "(none)");
        if (cases[i].want)
            CHECK(res.refresh_delay == cases[i].delay);
        free(res.refresh);
    }
}

PW_TEST_MAIN(PW_TEST(test_labels), PW_TEST(test_sniff), PW_TEST(test_decode),
             PW_TEST(test_encode_url), PW_TEST(test_extract))
