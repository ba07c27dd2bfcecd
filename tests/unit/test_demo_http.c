/*
 * test_demo_http.c — unit tests of the demo server's request parser and decoders
 * (demo/server/http_parse.c): what is accepted, what is refused and why, and the decoders'
 * edge cases. Linked with demo_http_parse by demo/CMakeLists.txt.
 */
#include "http_parse.h"
#include "pw_test.h"

#include <string.h>

static dh_status parse(const char *s, dh_request *r)
{
    return dh_parse_head(s, strlen(s), r);
}

static int slice_is(dh_slice s, const char *z)
{
    return s.n == strlen(z) && memcmp(s.p, z, s.n) == 0;
}

static void test_parse_ok(void)
{
    dh_request r;
    const char *req = "POST /portal/login?next=%2Fportal HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n"
                      "Content-Length: 12\r\nCookie:  a=b; rrmc_session=abc \r\n\r\nusername=x&y";
    CHECK_INT(parse(req, &r), DH_OK);
    CHECK(slice_is(r.method, "POST"));
    CHECK(slice_is(r.path, "/portal/login"));
    CHECK(slice_is(r.query, "next=%2Fportal"));
    CHECK_INT(r.version_minor, 1);
    CHECK_INT(r.content_length, 12);
    CHECK_INT((int)r.n_headers, 3);
    CHECK_INT((int)r.head_len, (int)(strstr(req, "username") - req));
    const dh_slice *ck = dh_header_get(&r, "COOKIE");
    CHECK(ck != NULL && slice_is(*ck, "a=b; rrmc_session=abc"));
    CHECK(dh_header_get(&r, "x-missing") == NULL);
    /* bare LF line ends and HTTP/1.0 without Host are accepted */
    CHECK_INT(parse("GET / HTTP/1.0\n\n", &r), DH_OK);
    CHECK_INT(r.content_length, -1);
    CHECK(r.query.n == 0);
}

static void test_parse_refused(void)
{
    dh_request r;
    CHECK_INT(parse("GET / HTTP/1.1\r\nHost: x\r\n", &r), DH_INCOMPLETE);
    CHECK_INT(parse("GET / HTTP/1.1\r\n\r\n", &r), DH_BAD);
    CHECK_STR(r.error, "HTTP/1.1 request without Host");
    CHECK_INT(parse("GET http://x/ HTTP/1.1\r\nHost: x\r\n\r\n", &r), DH_BAD);
    CHECK_INT(parse("GET / HTTP/1.2\r\nHost: x\r\n\r\n", &r), DH_BAD);
    CHECK_INT(parse("G(T / HTTP/1.1\r\nHost: x\r\n\r\n", &r), DH_BAD);
    CHECK_INT(parse("GET /\x01 HTTP/1.1\r\nHost: x\r\n\r\n", &r), DH_BAD);
    CHECK_INT(parse("GET / HTTP/1.1\r\nHost: x\r\n folded\r\n\r\n", &r), DH_BAD);
    CHECK_INT(parse("GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 1x\r\n\r\n", &r), DH_BAD);
    CHECK_INT(
        parse("GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\n", &r),
        DH_BAD);
    CHECK_INT(parse("GET / HTTP/2.0\r\nHost: x\r\n\r\n", &r), DH_UNSUPPORTED);
    CHECK_INT(parse("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n", &r),
              DH_UNSUPPORTED);
    char nul[] = "GET / HTTP/1.1\r\nHost: x\0y\r\n\r\n";
    CHECK_INT(dh_parse_head(nul, sizeof nul - 1, &r), DH_BAD);
    static char big[DH_MAX_HEAD + 10];
    memset(big, 'a', sizeof big);
    CHECK_INT(dh_parse_head(big, sizeof big, &r), DH_TOO_LARGE);
    char many[8192] = "GET / HTTP/1.1\r\nHost: x\r\n";
    for (int i = 0; i < DH_MAX_HEADERS + 1; i++)
        strcat(many, "X-A: b\r\n");
    strcat(many, "\r\n");
    CHECK_INT(parse(many, &r), DH_TOO_LARGE);
}

static void test_decoders(void)
{
    char out[64];
    CHECK_INT(dh_pct_decode("a%20b+c", 7, 1, out, sizeof out), 5);
    CHECK_STR(out, "a b c");
    CHECK_INT(dh_pct_decode("a+b", 3, 0, out, sizeof out), 3);
    CHECK_STR(out, "a+b");
    CHECK_INT(dh_pct_decode("%4", 2, 0, out, sizeof out), -1);
    CHECK_INT(dh_pct_decode("%zz", 3, 0, out, sizeof out), -1);
    CHECK_INT(dh_pct_decode("%00", 3, 0, out, sizeof out), -1);
    CHECK_INT(dh_pct_decode("abcdef", 6, 0, out, 4), -1);
    const char *form = "q=breast+cancer&empty=&flag&e%6Dail=z%40x.example";
    CHECK_INT(dh_form_get(form, strlen(form), "q", out, sizeof out), 13);
    CHECK_STR(out, "breast cancer");
    CHECK_INT(dh_form_get(form, strlen(form), "empty", out, sizeof out), 0);
    CHECK_INT(dh_form_get(form, strlen(form), "flag", out, sizeof out), 0);
    CHECK_INT(dh_form_get(form, strlen(form), "email", out, sizeof out), 11);
    CHECK_STR(out, "z@x.example");
    CHECK_INT(dh_form_get(form, strlen(form), "missing", out, sizeof out), -1);
    const char *ck = "demo_consent=accepted; rrmc_session=0123abcd";
    CHECK_INT(dh_cookie_get(ck, strlen(ck), "rrmc_session", out, sizeof out), 8);
    CHECK_STR(out, "0123abcd");
    CHECK_INT(dh_cookie_get(ck, strlen(ck), "session", out, sizeof out), -1);
    CHECK_INT(dh_cookie_get(ck, strlen(ck), "demo_consent", out, 4), -1);
}

static void test_path_clean(void)
{
    char out[64];
    CHECK_INT(dh_path_clean("/", 1, out, sizeof out), 1);
    CHECK_STR(out, "/");
    CHECK_INT(dh_path_clean("//services///oncology/", 22, out, sizeof out), 18);
    CHECK_STR(out, "/services/oncology");
    CHECK_INT(dh_path_clean("/a%2Fb", 6, out, sizeof out), 4);
    CHECK_STR(out, "/a/b");
    CHECK_INT(dh_path_clean("/a/../b", 7, out, sizeof out), -1);
    CHECK_INT(dh_path_clean("/%2e%2e/etc", 11, out, sizeof out), -1);
    CHECK_INT(dh_path_clean("/./a", 4, out, sizeof out), -1);
    CHECK_INT(dh_path_clean("/a\\b", 4, out, sizeof out), -1);
    CHECK_INT(dh_path_clean("/a%00", 5, out, sizeof out), -1);
    CHECK_INT(dh_path_clean("a", 1, out, sizeof out), -1);
    CHECK_INT(dh_path_clean("/..a/b.", 7, out, sizeof out), 7);
}

PW_TEST_MAIN(PW_TEST(test_parse_ok), PW_TEST(test_parse_refused), PW_TEST(test_decoders),
             PW_TEST(test_path_clean))
