/* test_util.c — arena, buffer, text transforms, URL parsing and form parsing. */
#include "phiwall/arena.h"
#include "phiwall/buf.h"
#include "phiwall/error.h"
#include "phiwall/text.h"
#include "phiwall/url.h"
#include "pw_test.h"

#include <stdint.h>
#include <string.h>

static void test_arena_large_and_many(void)
{
    pw_arena a;
    pw_arena_init(&a, 128);
    char *big = pw_arena_alloc(&a, 10000); /* larger than a block */
    CHECK(big != NULL);
    memset(big, 'x', 10000);
    for (int i = 0; i < 1000; i++) {
        char *s = pw_arena_sprintf(&a, "item-%d", i);
        CHECK(s && strncmp(s, "item-", 5) == 0);
    }
    CHECK(((uintptr_t)pw_arena_alloc(&a, 3) & 15) == 0);
    CHECK(pw_arena_calloc(&a, SIZE_MAX / 2, 4) == NULL); /* overflow refused */
    pw_arena_reset(&a);
    CHECK(pw_arena_strdup(&a, "again") != NULL);
    pw_arena_free(&a);
}

static void test_buf_escapes(void)
{
    pw_buf b;
    pw_buf_init(&b);
    pw_buf_json_string(&b, "a\"b\\c\n\x01", 7);
    CHECK_STR(b.data, "\"a\\\"b\\\\c\\n\\u0001\"");
    pw_buf_clear(&b);
    pw_buf_json_string(&b, "caf\xc3\xa9 \xff\xc3", 8); /* valid é kept, bad bytes replaced */
    CHECK_STR(b.data, "\"caf\xc3\xa9 \\ufffd\\ufffd\"");
    pw_buf_clear(&b);
    pw_buf_html_text(&b, "<b a='1'>&", 10);
    CHECK_STR(b.data, "&lt;b a=&#39;1&#39;&gt;&amp;");
    pw_buf_clear(&b);
    for (int i = 0; i < 10000; i++)
        pw_buf_printf(&b, "%d,", i);
    CHECK(b.len > 40000 && !b.failed);
    pw_buf_free(&b);
}

static void test_percent_and_base64(void)
{
    pw_arena a;
    pw_arena_init(&a, 0);
    size_t n;
    CHECK_STR(pw_pct_decode(&a, "a%20b+c%2", 9, 1, &n), "a b c%2");
    CHECK_STR(pw_pct_decode(&a, "a+b%zz", 6, 0, &n), "a+b%zz");
    CHECK_STR(pw_pct_decode(&a, "%25", 3, 0, &n), "%"); /* exactly one layer */
    CHECK_STR(pw_pct_encode(&a, "a b/é", 6), "a%20b%2F%C3%A9");
    CHECK_STR(pw_base64_encode(&a, "jane@example.com", 16), "amFuZUBleGFtcGxlLmNvbQ==");
    unsigned char *d = pw_base64_decode(&a, "amFuZUBleGFtcGxlLmNvbQ", 22, &n);
    CHECK(d && n == 16 && memcmp(d, "jane@example.com", 16) == 0);
    CHECK(pw_base64_decode(&a, "a*b", 3, &n) == NULL);
    pw_arena_free(&a);
}

static void test_digests(void)
{
    char h[65];
    pw_sha256_hex("", 0, h);
    CHECK_STR(h, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    char m[33];
    pw_md5_hex("abc", 3, m);
    CHECK_STR(m, "900150983cd24fb0d6963f7d28e17f72");
    char s1[41];
    pw_sha1_hex("abc", 3, s1);
    CHECK_STR(s1, "a9993e364706816aba3e25717850c26c9cd0d89d");
    pw_hmac_sha256_hex("key", 3, "The quick brown fox jumps over the lazy dog", 43, h);
    CHECK_STR(h, "f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8");
    CHECK(pw_is_sha256_hex(h, 64));
    CHECK(!pw_is_sha256_hex("zz", 2));
    char u[65]; /* either case; one byte next to a hex range, anywhere, makes it not hex */
    for (size_t i = 0; i < 64; i++)
        u[i] = "0123456789ABCDEFabcdef"[i % 22];
    u[64] = '\0';
    CHECK(pw_is_sha256_hex(u, 64));
    CHECK(!pw_is_sha256_hex(u, 63));
    static const char near[] = {'/', ':', '@', 'G', '`', 'g', '\0', (char)0xb0};
    for (size_t k = 0; k < sizeof near; k++)
        for (size_t at = 0; at < 64; at += 21) {
            char t[65];
            memcpy(t, u, sizeof t);
            t[at] = near[k];
            CHECK(!pw_is_sha256_hex(t, 64));
        }
}

static void test_url_parse(void)
{
    pw_url u;
    const char *s = "https://user@WWW.Example.org:8443/a/b?x=1&y=2#frag";
    CHECK_INT(pw_url_parse(s, strlen(s), &u, NULL), PW_OK);
    CHECK(u.host.n == 15 && memcmp(u.host.p, "WWW.Example.org", 15) == 0);
    CHECK(u.port.n == 4 && u.path.n == 4 && u.query.n == 7 && u.fragment.n == 4);
    pw_arena a;
    pw_arena_init(&a, 0);
    CHECK_STR(pw_url_host_dup(&a, &u), "www.example.org");
    const char *v6 = "http://[::1]:80/";
    CHECK_INT(pw_url_parse(v6, strlen(v6), &u, NULL), PW_OK);
    CHECK_STR(pw_url_host_dup(&a, &u), "::1");
    pw_err err;
    CHECK_INT(pw_url_parse("not a url", 9, &u, &err), PW_ERR_PARSE);
    CHECK(strstr(err.msg, "offset") != NULL);
    CHECK_INT(pw_url_parse("http://[::1/", 12, &u, NULL), PW_ERR_PARSE);
    pw_arena_free(&a);
}

static void test_url_page_key(void)
{
    char k[64];
    pw_url_page_key("https://WWW.Hosp.org/appointments/confirm?first_name=Ann#top", k, sizeof k);
    CHECK_STR(k, "www.hosp.org/appointments/confirm");
    pw_url_page_key("http://127.0.0.1:8080/?q=hiv", k, sizeof k);
    CHECK_STR(k, "127.0.0.1:8080/");
    pw_url_page_key("https://h.org", k, sizeof k);
    CHECK_STR(k, "h.org/");
    pw_url_page_key("https://h.org/#/find-a-doctor?q=oncologist", k, sizeof k);
    CHECK_STR(k, "h.org/#/find-a-doctor");
    pw_url_page_key("https://h.org/app#!/billing", k, sizeof k);
    CHECK_STR(k, "h.org/app#!/billing");
    /* the router's root is the document itself, not a route: one page key for both */
    pw_url_page_key("https://h.org/app/#/", k, sizeof k);
    CHECK_STR(k, "h.org/app/");
    pw_url_page_key("https://h.org/app/#!/", k, sizeof k);
    CHECK_STR(k, "h.org/app/");
    pw_url_page_key("https://h.org/app/#/?utm_source=x", k, sizeof k);
    CHECK_STR(k, "h.org/app/");
    pw_url_page_key("https://h.org/app/#!", k, sizeof k);
    CHECK_STR(k, "h.org/app/");
    pw_url_page_key("(unknown page)", k, sizeof k);
    CHECK_STR(k, "(unknown page)");
    /* cut to the buffer, NUL-terminated, the full length returned */
    char tiny[8];
    CHECK_INT(pw_url_page_key("https://www.hosp.org/a", tiny, sizeof tiny), 14);
    CHECK_STR(tiny, "www.hos");
}

static void test_url_public(void)
{
    pw_arena a;
    pw_arena_init(&a, 0);
    const char *plain = "https://h.org/a@b?c=d@e";
    CHECK(pw_url_public(&a, plain) == plain); /* no userinfo: the same string, no copy */
    CHECK_STR(pw_url_public(&a, "http://u:p@h.org/x"), "http://h.org/x");
    CHECK_STR(pw_url_public(&a, "http://u:p@w@h.org:8080"), "http://h.org:8080");
    CHECK_STR(pw_url_public(&a, "https://user@h.org/#f@g"), "https://h.org/#f@g");
    CHECK_STR(pw_url_public(&a, "not a url"), "not a url");
    pw_arena_free(&a);
}

static void test_url_resolve(void)
{
    pw_arena a;
    pw_arena_init(&a, 0);
    const char *base = "https://h.org/a/b/c.html?q=1";
    CHECK_STR(pw_url_resolve(&a, base, "d.html"), "https://h.org/a/b/d.html");
    CHECK_STR(pw_url_resolve(&a, base, "../x"), "https://h.org/a/x");
    CHECK_STR(pw_url_resolve(&a, base, "/root?z=1"), "https://h.org/root?z=1");
    CHECK_STR(pw_url_resolve(&a, base, "//cdn.org/s.js"), "https://cdn.org/s.js");
    CHECK_STR(pw_url_resolve(&a, base, "?k=v"), "https://h.org/a/b/c.html?k=v");
    CHECK_STR(pw_url_resolve(&a, base, "../../../../up"), "https://h.org/up");
    CHECK(pw_url_resolve(&a, base, "mailto:x@y.org") == NULL);
    CHECK_STR(pw_url_resolve(&a, "http://h.org", "p"), "http://h.org/p");
    pw_arena_free(&a);
}

static void test_form_parse(void)
{
    pw_arena a;
    pw_arena_init(&a, 0);
    pw_kv *kv;
    size_t n;
    const char *q =
        "id=123&ev=PageView&cd%5BbuttonText%5D=Book+now&flag&&dl=https%3A%2F%2Fh.org%2F";
    CHECK_INT(pw_form_parse(&a, q, strlen(q), 100, &kv, &n, NULL), PW_OK);
    CHECK_INT(n, 5);
    CHECK_STR(kv[2].key, "cd[buttonText]");
    CHECK_STR(kv[2].value, "Book now");
    CHECK_STR(kv[3].key, "flag");
    CHECK_STR(kv[3].value, "");
    CHECK_STR(kv[4].value, "https://h.org/");
    pw_err err;
    CHECK_INT(pw_form_parse(&a, "a&b&c", 5, 2, &kv, &n, &err), PW_ERR_LIMIT);
    pw_arena_free(&a);
}

/* pw_buf_spill: a report written in pieces (a sink) is the same bytes as one held whole; the
 * buffer is emptied at each spill, a sink's error makes it failed. */
typedef struct spill_sink {
    pw_buf all;
    int calls, fail;
} spill_sink;

static pw_status spill_collect(void *ctx, const char *p, size_t n)
{
    spill_sink *s = ctx;
    s->calls++;
    return s->fail ? PW_ERR_IO : pw_buf_append(&s->all, p, n);
}

static void test_buf_spill(void)
{
    spill_sink s = {.calls = 0};
    pw_buf_init(&s.all);
    pw_buf b;
    pw_buf_init(&b);
    CHECK_INT(pw_buf_spill(&b, 0), PW_OK); /* no sink: nothing happens */
    b.sink = spill_collect;
    b.sink_ctx = &s;
    pw_buf_puts(&b, "abc");
    CHECK_INT(pw_buf_spill(&b, 4), PW_OK); /* below the threshold: kept */
    CHECK_INT(s.calls, 0);
    CHECK_INT((long)b.len, 3);
    pw_buf_puts(&b, "def");
    CHECK_INT(pw_buf_spill(&b, 4), PW_OK);
    CHECK_INT(s.calls, 1);
    CHECK_INT((long)b.len, 0);
    CHECK_STR(b.data, "");
    pw_buf_puts(&b, "gh");
    CHECK_INT(pw_buf_spill(&b, 0), PW_OK);
    CHECK_INT(pw_buf_spill(&b, 0), PW_OK); /* empty: the sink is not called for nothing */
    CHECK_INT(s.calls, 2);
    CHECK_STR(s.all.data, "abcdefgh");
    s.fail = 1;
    pw_buf_puts(&b, "ij");
    CHECK_INT(pw_buf_spill(&b, 0), PW_ERR_IO);
    CHECK_INT(b.failed, 1);
    CHECK_INT(pw_buf_spill(&b, 0), PW_ERR_NOMEM); /* sticky, as for appends */
    pw_buf_free(&b);
    pw_buf_free(&s.all);
}

/* pw_strcasestr answers as strcasestr(3) does in the C locale, on the rules' keys and edge cases.
 */
static void test_strcasestr(void)
{
    const char *hay[] = {
        "cd[buttonFeatures]", "properties.Button_Text", "ep.search_query", "", "sea", "SEARCH",
        "xsearcsearch",       "tel:+1 TEL:555",         "\xc3\xa9Search",  "a"};
    const char *needle[] = {
        "buttonFeatures", "button_text", "buttonText", "search", "query", "tel:", "", "a", "sss"};
    for (size_t i = 0; i < sizeof hay / sizeof hay[0]; i++)
        for (size_t j = 0; j < sizeof needle / sizeof needle[0]; j++)
            CHECK(pw_strcasestr(hay[i], needle[j]) == strcasestr(hay[i], needle[j]));
    CHECK_STR(pw_strcasestr("ep.SEARCH_term", "search"), "SEARCH_term");
    CHECK(pw_strcasestr("butto", "buttonText") == NULL);
}

static void test_error_convention(void)
{
    pw_err err;
    pw_err_clear(&err);
    CHECK_INT(pw_err_set(&err, PW_ERR_PARSE, "byte %d: expected '%c'", 12, ','), PW_ERR_PARSE);
    pw_err_prefix(&err, "%s: ", "trace.har");
    CHECK_STR(err.msg, "trace.har: byte 12: expected ','");
    CHECK_STR(pw_strerror(PW_ERR_PARSE), "parse error");
    CHECK_STR(pw_strerror((pw_status)999), "unknown error");
    CHECK_INT(pw_err_set(NULL, PW_ERR_IO, "x"), PW_ERR_IO);
}

PW_TEST_MAIN(PW_TEST(test_arena_large_and_many), PW_TEST(test_buf_escapes), PW_TEST(test_buf_spill),
             PW_TEST(test_percent_and_base64), PW_TEST(test_digests), PW_TEST(test_url_parse),
             PW_TEST(test_url_page_key), PW_TEST(test_url_public), PW_TEST(test_url_resolve),
             PW_TEST(test_form_parse), PW_TEST(test_error_convention), PW_TEST(test_strcasestr))
